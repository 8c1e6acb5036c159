"""Campaign templates: customer-written subject, HTML and text, personalised per recipient.

Two moments, after listmonk's campaign engine:

* When a template is saved, `prepare_template` checks its Jinja syntax, inlines the CSS of its
  `<style>` blocks (css-inline), sanitises the HTML (nh3), derives a text part when none was
  written, and lists the links of the HTML: the only URLs a click may ever redirect to.
* When a campaign is sent, `compile_campaign` (cached per container by `compiled_campaign`) turns
  the stored forms into Jinja templates once, with click tracking, open pixel and unsubscribe
  footer built in; `CompiledCampaign.render` then renders one recipient's mail with no I/O.

Templates run in a sandbox (`jinja2.sandbox`, immutable): no Python internals, no files (no
loader; include, import, extends refused), no way to mark text safe (`safe`, autoescape blocks
refused), and budgets on loop iterations, `range()`, value and output size and render time, so a
template cannot stop a send or exhaust the container. A failure raises `RenderFailed`, which the
sender catches per recipient.

Personalisation: `{{ contact.first_name }}`, `{{ contact.fields.city }}` or `{{ contact.city }}`
(a custom field, when no standard field has its name). A missing field renders as nothing.
`default` falls back on a missing, None or blank value (Jinja's own only on a missing one):
`{{ contact.first_name | default("lezer") }}`; `default(x, true)` falls back on any false value.
The per-mail extras `unsubscribe_url` and `preferences_url` are there as plain names.
"""

import contextvars
import functools
import hashlib
import html as html_escaping
import itertools
import re
import secrets
import time
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urlsplit

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, Undefined, nodes, pass_eval_context
from jinja2 import filters as jinja_filters
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer

from chalicelib import errors, i18n
from chalicelib.campaigns.tracking import TrackingLinks
from chalicelib.i18n import N_

# --- limits ---------------------------------------------------------------------------------------

MAX_SUBJECT_CHARS = 500
MAX_TEMPLATE_CHARS = 500_000  # HTML or text as written; Gmail clips mails past ~100 kB anyway
DEADLINE_CHECK_EVERY = 64  # sandbox operations between two looks at the clock
SCALAR_CHARS = 24  # what a number or other scalar is counted as when a container is sized
MAX_INT_BITS = 4096  # integers computed in templates stay below ~1,200 digits
_CONTAINERS = (list, tuple, dict, set, frozenset)


@dataclass(frozen=True)
class RenderLimits:
    """What one recipient's mail may cost. Values count characters, per value and per part."""

    max_output_chars: int = 2_000_000
    max_seconds: float = 0.5
    max_loop_iterations: int = 10_000
    max_range: int = 1_000


DEFAULT_LIMITS = RenderLimits()


class RenderFailure(Enum):
    OUTPUT_TOO_LARGE = "output-too-large"
    VALUE_TOO_LARGE = "value-too-large"
    TOO_SLOW = "too-slow"
    TOO_MANY_ITERATIONS = "too-many-iterations"
    RANGE_TOO_LARGE = "range-too-large"
    TEMPLATE_ERROR = "template-error"


class RenderFailed(Exception):
    """One recipient's mail could not be rendered. `detail` never holds contact data."""

    def __init__(self, reason: RenderFailure, detail: str = ""):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


# --- messages -------------------------------------------------------------------------------------

SUBJECT_MISSING = N_("Please write a subject.")
SUBJECT_TOO_LONG = N_("The subject is too long: at most %(limit)s characters.")
HTML_MISSING = N_("Please write the HTML of the mail.")
TEMPLATE_TOO_LONG = N_("The template is too long: at most %(limit)s characters.")
SYNTAX_MISTAKE = N_("There is a mistake on line %(line)s: %(detail)s")
OTHER_TEMPLATES_REFUSED = N_("Line %(line)s: a campaign template cannot include, import or extend other "
                             "templates (%(tag)s).")
CONSTRUCT_REFUSED = N_("Line %(line)s: %(tag)s cannot be used in a campaign template.")
CSS_UNREADABLE = N_("The CSS of the template could not be read: %(detail)s")
TAG_MISPLACED = N_("%(tag)s cannot stay where it is: it stands between the attributes of an HTML tag or in "
                   "content that is removed as unsafe. Put personalisation in text or in an attribute value, and "
                   "each if and for block around whole HTML elements.")
SANITISING_BROKE_LOGIC = N_("Removing unsafe HTML broke the template logic (%(detail)s). Put each if and for "
                            "block around whole HTML elements.")
# A limit a render broke, in words: scheduling refuses such a template, previews and test sends say it
OUTPUT_OVER_LIMIT = N_("This template makes a mail (or a value in it) larger than %(limit)s characters, so it "
                       "cannot be sent. Make the template or its loops smaller.")
RENDER_TOO_SLOW = N_("This template takes longer than %(seconds)s seconds to make one mail, so it cannot be sent. "
                     "Make its loops smaller.")
LOOPS_OVER_LIMIT = N_("The loops of this template run more than %(limit)s times for one mail, so it cannot be "
                      "sent. Make its loops smaller.")
RANGE_OVER_LIMIT = N_("This template asks range() for more than %(limit)s numbers, so it cannot be sent.")
FOOTER_PROMPT = N_("Don't want to receive these mails any more?")
FOOTER_LINK = N_("Unsubscribe")

def limit_problem(failed: RenderFailed, limits: RenderLimits = DEFAULT_LIMITS) -> tuple[str, dict] | None:
    """The message id and its params for the limit a render broke; None for a template error (which
    may depend on the recipient's data, not on the template alone)."""
    reason = failed.reason
    if reason in (RenderFailure.OUTPUT_TOO_LARGE, RenderFailure.VALUE_TOO_LARGE):
        return OUTPUT_OVER_LIMIT, {"limit": limits.max_output_chars}
    if reason is RenderFailure.TOO_SLOW:
        return RENDER_TOO_SLOW, {"seconds": f"{limits.max_seconds:g}"}
    if reason is RenderFailure.TOO_MANY_ITERATIONS:
        return LOOPS_OVER_LIMIT, {"limit": limits.max_loop_iterations}
    if reason is RenderFailure.RANGE_TOO_LARGE:
        return RANGE_OVER_LIMIT, {"limit": limits.max_range}
    return None


# --- the sandbox ----------------------------------------------------------------------------------

current_budget: contextvars.ContextVar["RenderBudget | None"] = contextvars.ContextVar(
    "campaign_render_budget", default=None)


def _estimated_chars(value, limit: int) -> int:
    """About how many characters `value` turns into as text; stops counting past `limit`."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        items = itertools.chain.from_iterable(value.items())
    elif isinstance(value, _CONTAINERS):
        items = value
    else:
        return SCALAR_CHARS
    total = 2
    for item in items:
        total += _estimated_chars(item, limit - total) + 2
        if total > limit:
            break
    return total


class RenderBudget:
    """The running costs of one render, charged by the sandbox's hooks."""

    __slots__ = ("deadline", "iterations", "limits", "ticks")

    def __init__(self, limits: RenderLimits):
        self.limits = limits
        self.deadline = time.perf_counter() + limits.max_seconds
        self.iterations = 0
        self.ticks = 0

    def tick(self) -> None:
        self.ticks += 1
        if not self.ticks % DEADLINE_CHECK_EVERY and time.perf_counter() > self.deadline:
            raise RenderFailed(RenderFailure.TOO_SLOW)

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_loop_iterations:
            raise RenderFailed(RenderFailure.TOO_MANY_ITERATIONS)
        self.tick()

    def check_size(self, chars: int) -> None:
        if chars > self.limits.max_output_chars:
            raise RenderFailed(RenderFailure.VALUE_TOO_LARGE)

    def check_value(self, value) -> None:
        if isinstance(value, (str, *_CONTAINERS)):
            self.check_size(_estimated_chars(value, self.limits.max_output_chars))


def _budget() -> RenderBudget:
    # Outside CompiledCampaign.render (nothing else renders these templates) a fresh budget still
    # applies the per-operation limits.
    return current_budget.get() or RenderBudget(DEFAULT_LIMITS)


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > _budget().limits.max_range:
        raise RenderFailed(RenderFailure.RANGE_TOO_LARGE)
    return numbers


def _finalize(value):
    """Every `{{ ... }}` passes here: None shows as nothing, containers are sized before str()."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, _CONTAINERS):
        _budget().check_value(value)
    return value


def _autoescape(template_name: str | None) -> bool:
    return bool(template_name) and template_name.endswith(".html")


# String methods a template may call: none of them makes a string longer than its input.
SAFE_STR_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdecimal", "isdigit",
    "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix",
    "removesuffix", "rfind", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper", "striptags", "unescape"})


class CampaignEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, with hooks that charge each operation to the current render's budget.

    The compiled templates call `guard_iteration` around every loop's iterable and
    `guard_value` around every `~` concatenation (see `_Guards`); calls, filters, the
    operators + * ** % and each printed value are checked here as well.
    """

    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, **options):
        super().__init__(**options)
        self.globals = {"range": _bounded_range, "dict": dict, "namespace": Namespace, "cycler": Cycler,
                        "joiner": Joiner}

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if isinstance(obj, str) and callable(value) and attr not in SAFE_STR_METHODS:
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj, attribute):
        # Contacts are dicts: their keys first (a custom field "items" is the field, not the
        # method), which also spares an AttributeError per lookup.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value):
        return None  # str.format and format_map are not in SAFE_STR_METHODS (widths like {:>999999999})

    def call(self, context, obj, /, *args, **kwargs):
        budget = _budget()
        budget.tick()
        result = super().call(context, obj, *args, **kwargs)
        budget.check_value(result)
        return result

    def call_binop(self, context, operator, left, right):
        budget = _budget()
        budget.tick()
        if operator == "*":
            sequence, times = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, (str, list, tuple)) and isinstance(times, int):
                budget.check_size(len(sequence) * times)
            elif isinstance(left, int) and isinstance(right, int):
                self._check_bits(left.bit_length() + right.bit_length())
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            self._check_bits(max(left.bit_length(), 1) * right)
        elif operator == "%" and isinstance(left, str):
            if re.search(r"\*|\d{5,}", left):  # a star or a five-digit width in a %-format
                raise RenderFailed(RenderFailure.VALUE_TOO_LARGE)
            budget.check_value(right)
        result = self.binop_table[operator](left, right)
        budget.check_value(result)
        return result

    @staticmethod
    def _check_bits(bits: int) -> None:
        if bits > MAX_INT_BITS:
            raise RenderFailed(RenderFailure.VALUE_TOO_LARGE)

    def guard_iteration(self, iterable):
        budget = _budget()
        for item in iterable:
            budget.iterate()
            yield item

    def guard_value(self, value):
        _budget().check_value(value)
        return value


def _guarded_filter(function):
    """A filter that counts as an operation and whose inputs and result are sized."""

    @functools.wraps(function)  # copies Jinja's pass_context / pass_eval_context marks too
    def guarded(*args, **kwargs):
        budget = _budget()
        budget.tick()
        for argument in args:
            if isinstance(argument, _CONTAINERS):
                budget.check_value(argument)
        result = function(*args, **kwargs)
        budget.check_value(result)
        return result

    return guarded


def default_filter(value, default_value="", boolean=False):
    """`default` for mail: falls back on a missing, None or blank value; with `boolean` on any false one."""
    if isinstance(value, Undefined) or value is None or (isinstance(value, str) and not value.strip()):
        return default_value
    if boolean and not value:
        return default_value
    return value


@pass_eval_context
def _join_filter(eval_ctx, value, d="", attribute=None):
    items = list(value)
    budget = _budget()
    budget.check_value(items)
    budget.check_size(len(str(d)) * len(items))
    return jinja_filters.do_join(eval_ctx, items, d, attribute)


@pass_eval_context
def _replace_filter(eval_ctx, s, old, new, count=None):
    text, old_text, new_text = str(s), str(old), str(new)
    occurrences = text.count(old_text) if old_text else len(text) + 1
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    _budget().check_size(len(text) + occurrences * len(new_text))
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


# Jinja's filters whose output grows at most by a small factor of their input; the rest (center,
# indent, wordwrap, format, batch, slice, sum, pprint, xmlattr, safe...) are not available.
ALLOWED_FILTERS = ("abs", "attr", "capitalize", "count", "dictsort", "e", "escape", "filesizeformat", "first",
                   "float", "forceescape", "groupby", "int", "items", "last", "length", "list", "lower", "map",
                   "max", "min", "reject", "rejectattr", "reverse", "round", "select", "selectattr", "sort",
                   "string", "striptags", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode",
                   "urlize", "wordcount")


def _filters() -> dict:
    chosen = {name: jinja_filters.FILTERS[name] for name in ALLOWED_FILTERS}
    chosen.update({"default": default_filter, "d": default_filter, "join": _join_filter,
                   "replace": _replace_filter})
    return {name: _guarded_filter(function) for name, function in chosen.items()}


ENVIRONMENT = CampaignEnvironment(autoescape=_autoescape, undefined=ChainableUndefined, finalize=_finalize,
                                  optimized=False, trim_blocks=True, lstrip_blocks=True, cache_size=0)
ENVIRONMENT.filters = _filters()


class _Guards(NodeTransformer):
    """Routes every loop's iterable through `guard_iteration` and every `~` through `guard_value`."""

    @staticmethod
    def _guarded(hook: str, node: nodes.Expr) -> nodes.Call:
        return nodes.Call(nodes.EnvironmentAttribute(hook, lineno=node.lineno), [node], [], None, None,
                          lineno=node.lineno)

    def visit_For(self, node: nodes.For) -> nodes.For:
        node = self.generic_visit(node)
        node.iter = self._guarded("guard_iteration", node.iter)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Call:
        node = self.generic_visit(node)
        node.nodes = [self._guarded("guard_value", part) for part in node.nodes]
        return self._guarded("guard_value", node)


# Statements that would read other templates, buffer unbounded output or mark text safe.
_OTHER_TEMPLATES = {nodes.Extends: "{% extends %}", nodes.Include: "{% include %}",
                    nodes.Import: "{% import %}", nodes.FromImport: "{% from ... import %}"}
_REFUSED_CONSTRUCTS = {nodes.Macro: "{% macro %}", nodes.CallBlock: "{% call %}", nodes.FilterBlock: "{% filter %}",
                       nodes.AssignBlock: "{% set %}...{% endset %}", nodes.Block: "{% block %}",
                       nodes.EvalContextModifier: "{% autoescape %}"}


class _Refused(Exception):
    def __init__(self, message: str, line: int, tag: str):
        super().__init__(message)
        self.message, self.line, self.tag = message, line, tag


def _parse(source: str) -> nodes.Template:
    """The checked syntax tree; raises TemplateSyntaxError or _Refused."""
    tree = ENVIRONMENT.parse(source)
    for node in tree.find_all((nodes.Stmt, nodes.EvalContextModifier)):
        for kinds, message in ((_OTHER_TEMPLATES, OTHER_TEMPLATES_REFUSED), (_REFUSED_CONSTRUCTS, CONSTRUCT_REFUSED)):
            for kind, tag in kinds.items():
                if isinstance(node, kind):
                    raise _Refused(message, node.lineno, tag)
        if isinstance(node, nodes.For) and node.recursive:
            raise _Refused(CONSTRUCT_REFUSED, node.lineno, "{% for ... recursive %}")
    return tree


def uses_name(source: str, name: str) -> bool:
    try:
        tree = _parse(source)
    except (_Refused, TemplateSyntaxError):
        return False  # compiling it says what is wrong
    return any(node.name == name for node in tree.find_all(nodes.Name))


def _build(tree: nodes.Template, template_name: str) -> Template:
    code = ENVIRONMENT.compile(_Guards().visit(tree), name=template_name)
    return ENVIRONMENT.template_class.from_code(ENVIRONMENT, code, ENVIRONMENT.make_globals(None))


def template_problem(field_name: str, source: str, template_name: str) -> errors.FieldError | None:
    """Why `source` cannot be a campaign template, as a field error; None when it can."""
    try:
        _build(_parse(source), template_name)
    except _Refused as refused:
        return errors.FieldError(field_name, refused.message, (("line", refused.line), ("tag", refused.tag)))
    except TemplateSyntaxError as mistake:
        return errors.FieldError(field_name, SYNTAX_MISTAKE, (("line", mistake.lineno), ("detail", mistake.message)))
    return None


def compiled_template(field_name: str, source: str, template_name: str) -> Template:
    try:
        return _build(_parse(source), template_name)
    except (_Refused, TemplateSyntaxError):
        raise errors.ValidationFailed(field_errors=[template_problem(field_name, source, template_name)]) from None


# --- keeping Jinja tags intact through HTML tools ------------------------------------------------------------

_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


@dataclass(frozen=True)
class Protected:
    """HTML whose Jinja tags stand in as tokens `mxj<nonce>t<n>x` that HTML tools leave alone.

    A tag between elements becomes an HTML comment holding the token, because a parser keeps a
    comment where it is even inside a table (text there is moved out: "foster parenting"). A tag
    inside an element's start tag (an attribute value) becomes the bare token. The nonce is new
    each time, so nothing in the customer's HTML can pass for a token.
    """

    text: str
    tags: tuple[str, ...]
    nonce: str

    @cached_property
    def token(self) -> re.Pattern:
        return re.compile(rf"mxj{self.nonce}t(\d+)x")

    def restore(self, text: str) -> str:
        return self.token.sub(lambda match: self.tags[int(match.group(1))], text)


def protect(source: str, *, comments: bool) -> Protected:
    nonce = secrets.token_hex(6)
    parts, tags = [], []
    inside_start_tag, last = False, 0
    for match in _JINJA_TAG.finditer(source):
        before = source[last:match.start()]
        opened, closed = before.rfind("<"), before.rfind(">")
        if opened != closed:  # both -1: the state goes on from the previous stretch
            inside_start_tag = opened > closed
        token = f"mxj{nonce}t{len(tags)}x"
        tags.append(match.group())
        parts += [before, f"<!--{token}-->" if comments and not inside_start_tag else token]
        last = match.end()
    parts.append(source[last:])
    return Protected("".join(parts), tuple(tags), nonce)


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


class SanitisedScan(HTMLParser):
    """Reads nh3's output once: where its comments are, and the href of each link."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._starts = _line_starts(text)
        self.comments: list[tuple[int, int, str]] = []
        self.hrefs: list[str] = []
        self.feed(text)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._starts[line - 1] + column

    def handle_comment(self, data):
        start = self._offset()
        self.comments.append((start, start + len("<!---->") + len(data), data))

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            self.hrefs.append(href)


class Anchors(HTMLParser):
    """The start tags of the links in (protected) stored HTML, with where they stand."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self._starts = _line_starts(text)
        self.anchors: list[tuple[int, str, str]] = []  # (offset, start tag as written, href)
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href:
            line, column = self.getpos()
            self.anchors.append((self._starts[line - 1] + column, self.get_starttag_text(), href))


_PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre"})
_LINE_TAGS = frozenset({"div", "tr", "center", "section", "article", "header", "footer", "dl", "dt", "dd",
                        "figure", "figcaption", "caption", "thead", "tbody", "tfoot"})
_SHOWN_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def _literal(text: str) -> str:
    """Text for a text template: a brace from the HTML prints as a brace, never opens a Jinja tag."""
    return text.replace("{", "{{ '{' }}")


class TextConverter(HTMLParser):
    """Sanitised HTML to a plain text part: blocks on their own lines, a link as "text (url)"."""

    def __init__(self, protected: Protected):
        super().__init__(convert_charrefs=True)
        self._protected = protected
        self._pieces: list[str] = []
        self._link: tuple[str, int] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "br":
            self._pieces.append("\n")
        elif tag == "hr":
            self._pieces.append("\n\n----------\n\n")
        elif tag == "li":
            self._pieces.append("\n- ")
        elif tag in ("td", "th"):
            self._pieces.append(" ")
        elif tag in _PARAGRAPH_TAGS:
            self._pieces.append("\n\n")
        elif tag in _LINE_TAGS:
            self._pieces.append("\n")
        elif tag == "img" and attributes.get("alt"):
            self._pieces.append(_literal(attributes["alt"]))
        elif tag == "a":
            self._link = (attributes.get("href") or "", len(self._pieces))

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, start = self._link
            self._link = None
            label = " ".join("".join(self._pieces[start:]).split())
            shown = self._shown_url(href)
            if shown and shown != label:
                self._pieces.append(f" ({shown})" if label else shown)
        elif tag in _PARAGRAPH_TAGS:
            self._pieces.append("\n\n")
        elif tag in _LINE_TAGS:
            self._pieces.append("\n")

    def _shown_url(self, href: str) -> str:
        if self._protected.token.search(href):
            return href  # personalised: the Jinja tag comes back in its place
        scheme = urlsplit(href).scheme.lower()
        if scheme not in _SHOWN_SCHEMES:
            return ""
        return _literal(href.split(":", 1)[1] if scheme in ("mailto", "tel") else href)

    def handle_data(self, data):
        self._pieces.append(_literal(re.sub(r"\s+", " ", data)))

    def handle_comment(self, data):
        if self._protected.token.fullmatch(data):
            self._pieces.append(data)

    def text(self, html: str) -> str:
        self.feed(html)
        self.close()
        lines = (line.strip() for line in "".join(self._pieces).split("\n"))
        return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"


BLANK_LINES = re.compile(r"\n{3,}")

# --- saving a template ----------------------------------------------------------------------------

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "i", "img", "ins", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"})
_LAYOUT_ATTRIBUTES = {"style", "align", "valign", "bgcolor", "width", "height", "dir", "lang", "title", "role"}
ALLOWED_ATTRIBUTES = {
    "*": _LAYOUT_ATTRIBUTES,
    "a": {"href", "target", "name"},
    "img": {"src", "alt", "border"},
    "table": {"border", "cellpadding", "cellspacing", "summary"},
    "td": {"colspan", "rowspan", "nowrap"},
    "th": {"colspan", "rowspan", "scope", "nowrap"},
    "font": {"color", "face", "size"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "col": {"span"},
    "colgroup": {"span"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
# CSS properties kept in style attributes: what mail layouts use; no position, no behaviour.
ALLOWED_STYLE_PROPERTIES = frozenset({
    "background", "background-color", "background-image", "background-position", "background-repeat",
    "background-size", "border", "border-bottom", "border-collapse", "border-color", "border-left", "border-radius",
    "border-right", "border-spacing", "border-style", "border-top", "border-width", "color", "direction", "display",
    "font", "font-family", "font-size", "font-style", "font-weight", "height", "letter-spacing", "line-height",
    "list-style", "list-style-type", "margin", "margin-bottom", "margin-left", "margin-right", "margin-top",
    "max-height", "max-width", "min-height", "min-width", "mso-hide", "mso-line-height-rule", "mso-table-lspace",
    "mso-table-rspace", "overflow", "overflow-wrap", "padding", "padding-bottom", "padding-left", "padding-right",
    "padding-top", "table-layout", "text-align", "text-decoration", "text-indent", "text-transform",
    "vertical-align", "white-space", "width", "word-break", "word-wrap"})
REMOVED_WITH_CONTENT = frozenset({"script", "style", "title", "head"})

DOCUMENT_START = ('<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
                  '<meta name="viewport" content="width=device-width, initial-scale=1">\n</head>\n<body>\n')
DOCUMENT_END = "\n</body>\n</html>\n"


@dataclass(frozen=True)
class PreparedTemplate:
    """A template as stored: checked, sanitised, with the links a click may redirect to."""

    subject: str
    html: str
    text: str
    links: tuple[str, ...] = ()
    text_derived: bool = False

    @cached_property
    def version(self) -> str:
        """A digest of the stored forms: a compiled campaign is cached per campaign and version."""
        digest = hashlib.sha256()
        for part in (self.subject, self.html, self.text, *self.links):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()


def _sanitised_body(html: str) -> tuple[str, tuple[str, ...], str]:
    """The sanitised body of `html` with its Jinja tags intact, its links and a text part from it."""
    # Imported here: only saving a template needs them, not the sender that renders it.
    import css_inline
    import nh3

    protected = protect(html, comments=True)
    try:
        inliner = css_inline.CSSInliner(keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False)
        inlined = inliner.inline(protected.text)
    except (css_inline.InlineError, ValueError) as unreadable:
        raise errors.ValidationFailed(field_errors=[
            errors.FieldError("html", CSS_UNREADABLE, (("detail", str(unreadable)[:200]),))]) from None
    cleaned = nh3.clean(inlined, tags=set(ALLOWED_TAGS), clean_content_tags=set(REMOVED_WITH_CONTENT),
                        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
                        url_schemes=set(ALLOWED_URL_SCHEMES), filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
                        strip_comments=False, link_rel=None)
    scan = SanitisedScan(cleaned)
    pieces, last = [], 0
    for start, end, data in scan.comments:  # the customer's comments go, ours give back their token
        pieces += [cleaned[last:start], data if protected.token.fullmatch(data) else ""]
        last = end
    body = "".join(pieces) + cleaned[last:]
    kept = {int(match.group(1)) for match in protected.token.finditer(body)}
    misplaced = re.search(rf"(?:<|&lt;)!--{protected.token.pattern}", body)
    lost_logic = [index for index, tag in enumerate(protected.tags) if index not in kept and tag.startswith("{%")]
    if misplaced or lost_logic:
        tag = protected.tags[int(misplaced.group(1)) if misplaced else lost_logic[0]]
        raise errors.ValidationFailed(field_errors=[errors.FieldError("html", TAG_MISPLACED, (("tag", tag),))])
    body = body.replace("{", "&#123;")  # a brace written as an entity stays a brace, never Jinja syntax
    links = tuple(dict.fromkeys(
        href for href in scan.hrefs
        if urlsplit(href).scheme.lower() in ("http", "https") and not protected.token.search(href)))
    text = protected.restore(TextConverter(protected).text(body))
    return protected.restore(body), links, text


def prepare_template(html: str, text: str | None, subject: str) -> PreparedTemplate:
    """Check, sanitise and complete a template when it is saved; raises ValidationFailed.

    The HTML's `<style>` rules are inlined first (rules that cannot be inlined, such as media
    queries, are dropped), then nh3 keeps only mail-safe tags, attributes, URL schemes and CSS
    properties. Jinja tags survive in text and in attribute values; inside a `<style>` block or
    between the attributes of a tag they do not (the second is refused with a message).
    """
    problems: list[errors.FieldError] = []
    subject = " ".join((subject or "").split())
    if not subject:
        problems.append(errors.FieldError("subject", SUBJECT_MISSING))
    elif len(subject) > MAX_SUBJECT_CHARS:
        problems.append(errors.FieldError("subject", SUBJECT_TOO_LONG, (("limit", MAX_SUBJECT_CHARS),)))
    else:
        problems.append(template_problem("subject", subject, "campaign.subject.txt"))

    written_text = (text or "").replace("\r\n", "\n").strip()
    if len(written_text) > MAX_TEMPLATE_CHARS:
        problems.append(errors.FieldError("text", TEMPLATE_TOO_LONG, (("limit", MAX_TEMPLATE_CHARS),)))
    elif written_text:
        problems.append(template_problem("text", written_text, "campaign.txt"))

    stored_html = derived_text = ""
    links: tuple[str, ...] = ()
    html = (html or "").replace("\r\n", "\n").strip()
    if not html:
        problems.append(errors.FieldError("html", HTML_MISSING))
    elif len(html) > MAX_TEMPLATE_CHARS:
        problems.append(errors.FieldError("html", TEMPLATE_TOO_LONG, (("limit", MAX_TEMPLATE_CHARS),)))
    elif (problem := template_problem("html", html, "campaign.html")) is not None:
        problems.append(problem)
    else:
        try:
            body, links, derived_text = _sanitised_body(html)
            stored_html = DOCUMENT_START + body + DOCUMENT_END
            for field_name, source, name in (("html", stored_html, "campaign.html"),
                                             ("html", derived_text, "campaign.txt")):
                broken = template_problem(field_name, source, name)
                if broken is not None:
                    detail = dict(broken.params).get("detail") or dict(broken.params).get("tag", "")
                    problems.append(errors.FieldError("html", SANITISING_BROKE_LOGIC, (("detail", detail),)))
                    break
        except errors.ValidationFailed as failed:
            problems += failed.field_errors

    problems = [problem for problem in problems if problem is not None]
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    return PreparedTemplate(subject=subject, html=stored_html,
                            text=written_text + "\n" if written_text else derived_text,
                            links=links, text_derived=not written_text)


# --- sending a campaign ---------------------------------------------------------------------------

PIXEL_HTML = ('<img src="{{ open_pixel_url }}" width="1" height="1" alt="" '
              'style="display:block;width:1px;height:1px;border:0;">')
_HREF = re.compile(r'(\shref=")[^"]*(")')
PREVIEW_EXTRAS = {"unsubscribe_url": "#unsubscribe", "preferences_url": "#preferences"}


@dataclass(frozen=True)
class RenderedParts:
    subject: str
    html: str
    text: str


def _footers(language: str) -> tuple[str, str]:
    gettext = i18n.translations(language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE).gettext
    prompt, link = gettext(FOOTER_PROMPT), gettext(FOOTER_LINK)
    html = ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr>'
            '<td style="padding:24px 16px;font-family:Arial,sans-serif;font-size:12px;color:#666666;'
            f'text-align:center;">{html_escaping.escape(prompt)} '
            f'<a href="{{{{ unsubscribe_url }}}}" style="color:#666666;">{html_escaping.escape(link)}</a>'
            '</td></tr></table>\n')
    text = f"\n\n-- \n{prompt} {link}: {{{{ unsubscribe_url }}}}\n"
    return html, text


def _insert_before_body_end(html: str, insertion: str) -> str:
    position = html.lower().rfind("</body>")
    return html + insertion if position < 0 else html[:position] + insertion + html[position:]


def _tracked_html(html: str, tracking: TrackingLinks | None, footer: str) -> str:
    """The stored HTML with its campaign links through `tracked_link`, the pixel and the footer.

    Only hrefs that are exactly a stored link change; a personalised href (one with a Jinja tag)
    and mailto:, tel: and the unsubscribe and preferences links stay as written.
    """
    protected = protect(html, comments=False)
    text = protected.text
    if tracking is not None:
        index_of = {url: index for index, url in enumerate(tracking.links)}
        for offset, start_tag, href in reversed(Anchors(text).anchors):
            if href in index_of:
                tracked_href = f"{{{{ tracked_link[{index_of[href]}] }}}}"
                tracked = _HREF.sub(lambda match, new=tracked_href: f"{match.group(1)}{new}{match.group(2)}",
                                    start_tag, count=1)
                text = text[:offset] + tracked + text[offset + len(start_tag):]
    text = _insert_before_body_end(text, footer + (PIXEL_HTML if tracking is not None else ""))
    return protected.restore(text)


@dataclass(frozen=True)
class CompiledCampaign:
    """A campaign's templates, compiled once; `render` makes one recipient's mail, with no I/O."""

    subject_template: Template = field(repr=False)
    html_template: Template = field(repr=False)
    text_template: Template = field(repr=False)
    links: tuple[str, ...]
    tracking: TrackingLinks | None
    limits: RenderLimits
    tidy_text: bool = False  # a derived text part: lines trimmed where Jinja tags left spaces

    def render(self, contact: dict, extras: dict) -> RenderedParts:
        """One recipient's mail. `contact` is {"contact_id", "email", "first_name", "last_name",
        "language", "fields": {...}}; `extras` holds at least `unsubscribe_url` (and usually
        `preferences_url`). Raises RenderFailed when the template fails or breaks a limit."""
        if not extras.get("unsubscribe_url"):
            raise ValueError("every campaign mail needs its unsubscribe_url")
        fields = contact.get("fields") or {}
        contact_id = contact.get("contact_id", "")
        if self.tracking is not None:
            tracked_link, open_pixel_url = self.tracking.for_contact(contact_id), self.tracking.open_url(contact_id)
        else:
            tracked_link, open_pixel_url = self.links, ""
        variables = {**extras, "contact": {**fields, **contact, "fields": fields},
                     "tracked_link": tracked_link, "open_pixel_url": open_pixel_url}
        budget = RenderBudget(self.limits)
        reset = current_budget.set(budget)
        try:
            subject = self._part(self.subject_template, variables, budget)
            html = self._part(self.html_template, variables, budget)
            text = self._part(self.text_template, variables, budget)
        finally:
            current_budget.reset(reset)
        if self.tidy_text:
            text = "\n".join(line.strip() for line in text.split("\n"))
        return RenderedParts(subject=" ".join(subject.split()), html=html,
                             text=BLANK_LINES.sub("\n\n", text))

    def _part(self, template: Template, variables: dict, budget: RenderBudget) -> str:
        # Streamed, so an oversized part stops early. The clock is read by the loop, call and
        # filter hooks; without those a template's chunks are bounded by its own length.
        chunks, size, limit = [], 0, self.limits.max_output_chars
        try:
            for chunk in template.generate(variables):
                size += len(chunk)
                if size > limit:
                    raise RenderFailed(RenderFailure.OUTPUT_TOO_LARGE)
                chunks.append(chunk)
        except RenderFailed:
            raise
        except Exception as failure:  # template code can raise anything Python can; one type for the sender
            raise RenderFailed(RenderFailure.TEMPLATE_ERROR, type(failure).__name__) from failure
        return "".join(chunks)


def compile_campaign(prepared: PreparedTemplate, *, tracking: TrackingLinks | None = None,
                     language: str = i18n.DEFAULT_LANGUAGE, limits: RenderLimits = DEFAULT_LIMITS) -> CompiledCampaign:
    """Compile a prepared template for sending. With `tracking` None links stay as written and
    there is no open pixel. An unsubscribe footer (in `language`) is added to a part that does
    not use `unsubscribe_url` itself."""
    if tracking is not None and tracking.links != prepared.links:
        raise ValueError("the tracking links must be the prepared template's links")
    footer_html, footer_text = _footers(language)
    html = _tracked_html(prepared.html, tracking,
                         "" if uses_name(prepared.html, "unsubscribe_url") else footer_html)
    text = prepared.text
    if not uses_name(text, "unsubscribe_url"):
        text = text.rstrip("\n") + footer_text
    subject_template = compiled_template("subject", prepared.subject, "campaign.subject.txt")
    html_template = compiled_template("html", html, "campaign.html")
    text_template = compiled_template("text", text, "campaign.txt")
    return CompiledCampaign(subject_template=subject_template, html_template=html_template,
                            text_template=text_template, links=prepared.links, tracking=tracking, limits=limits,
                            tidy_text=prepared.text_derived)


MAX_CACHED_CAMPAIGNS = 16
_compiled_campaigns: dict[tuple, CompiledCampaign] = {}


def compiled_campaign(campaign_id: str, prepared: PreparedTemplate, *, tracking: TrackingLinks | None = None,
                      language: str = i18n.DEFAULT_LANGUAGE) -> CompiledCampaign:
    """`compile_campaign`, once per campaign, template version and settings in this container."""
    key = (campaign_id, prepared.version, tracking, language)
    found = _compiled_campaigns.get(key)
    if found is None:
        found = compile_campaign(prepared, tracking=tracking, language=language)
        while len(_compiled_campaigns) >= MAX_CACHED_CAMPAIGNS:
            _compiled_campaigns.pop(next(iter(_compiled_campaigns)))
        _compiled_campaigns[key] = found
    return found


def preview(prepared: PreparedTemplate, contact: dict, *, language: str = i18n.DEFAULT_LANGUAGE) -> RenderedParts:
    """The mail as `contact` would get it, without tracking; raises RenderFailed as a send would."""
    return compile_campaign(prepared, language=language).render(contact, PREVIEW_EXTRAS)
