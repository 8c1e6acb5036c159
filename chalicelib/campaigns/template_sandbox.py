"""The sandbox customer-written campaign templates run in, and what one recipient's mail may cost.

Templates run in a sandbox (`jinja2.sandbox`, immutable): no Python internals, no files (no
loader; include, import, extends refused), no way to mark text safe (`safe`, autoescape blocks
refused), and budgets on loop iterations, `range()`, value and output size and render time, so a
template cannot stop a send or exhaust the container. A failure raises `RenderFailed`, which the
sender catches per recipient.

`default` falls back on a missing, None or blank value (Jinja's own only on a missing one):
`{{ contact.first_name | default("lezer") }}`; `default(x, true)` falls back on any false value.

Saving a template checks it here (`template_problem`, from `template_saving`); sending compiles it
(`compiled_template`) and renders each mail within a `RenderBudget` set as `current_budget` (from
`campaign_rendering`). The sandbox is one module apart from both, so its boundary is in one place.
"""

import contextvars
import functools
import itertools
import re
import time
from dataclasses import dataclass
from enum import Enum

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, Undefined, nodes, pass_eval_context
from jinja2 import filters as jinja_filters
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from jinja2.visitor import NodeTransformer

from chalicelib import errors
from chalicelib.i18n import N_

# --- limits ---------------------------------------------------------------------------------------

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

SYNTAX_MISTAKE = N_("There is a mistake on line %(line)s: %(detail)s")
OTHER_TEMPLATES_REFUSED = N_("Line %(line)s: a campaign template cannot include, import or extend other "
                             "templates (%(tag)s).")
CONSTRUCT_REFUSED = N_("Line %(line)s: %(tag)s cannot be used in a campaign template.")
# A limit a render broke, in words: scheduling refuses such a template, previews and test sends say it
OUTPUT_OVER_LIMIT = N_("This template makes a mail (or a value in it) larger than %(limit)s characters, so it "
                       "cannot be sent. Make the template or its loops smaller.")
RENDER_TOO_SLOW = N_("This template takes longer than %(seconds)s seconds to make one mail, so it cannot be sent. "
                     "Make its loops smaller.")
LOOPS_OVER_LIMIT = N_("The loops of this template run more than %(limit)s times for one mail, so it cannot be "
                      "sent. Make its loops smaller.")
RANGE_OVER_LIMIT = N_("This template asks range() for more than %(limit)s numbers, so it cannot be sent.")
RENDER_FAILURE_NAMES = {RenderFailure.OUTPUT_TOO_LARGE: N_("the mail is too large"),
                        RenderFailure.VALUE_TOO_LARGE: N_("a value in the mail is too large"),
                        RenderFailure.TOO_SLOW: N_("making the mail takes too long"),
                        RenderFailure.TOO_MANY_ITERATIONS: N_("its loops run too often"),
                        RenderFailure.RANGE_TOO_LARGE: N_("range() is asked for too many numbers"),
                        RenderFailure.TEMPLATE_ERROR: N_("the template does not work with this contact's data")}
# Jinja's own syntax messages (English, from its parser and lexer), as message ids with params: the
# first pattern that matches the whole message wins; a message not listed is shown as Jinja wrote it.
_TOKEN_NAMES = {"end of print statement": "}}", "end of statement block": "%}", "end of comment": "#}",
                "begin of print statement": "{{", "begin of statement block": "{%"}
_END_OF_TEMPLATE = N_("the end of the template")
_SYNTAX_DETAILS = (
    (re.compile(r"Unexpected end of template\..*?The innermost block that needs to be closed is '(?P<block>\w+)'\."),
     N_("the template ends before the '%(block)s' block is closed")),
    (re.compile(r"Unexpected end of template\..*"), N_("the template ends too early")),
    (re.compile(r"Encountered unknown tag '(?P<tag>end\w*)'\.(?!.*innermost).*"),
     N_("'%(tag)s' closes a block that was never opened")),
    (re.compile(r"Encountered unknown tag '(?P<tag>\w+)'\..*?The innermost block that needs to be closed is "
                r"'(?P<block>\w+)'\."), N_("'%(tag)s' does not belong here: close the '%(block)s' block first")),
    (re.compile(r"Encountered unknown tag '(?P<tag>\w+)'\..*"), N_("there is no tag '%(tag)s'")),
    (re.compile(r"unexpected end of template, expected '(?P<expected>.+)'\."),
     N_("the template ends where %(expected)s was expected")),
    (re.compile(r"expected token '(?P<expected>.+)', got '(?P<found>.+)'"),
     N_("%(expected)s was expected, but there is %(found)s")),
    (re.compile(r"Expected an expression, got '(?P<found>.+)'"), N_("a value was expected, but there is %(found)s")),
    (re.compile(r"No filter named '(?P<name>.+)'\."), N_("there is no filter named '%(name)s'")),
    (re.compile(r"No test named '(?P<name>.+)'\."), N_("there is no test named '%(name)s'")),
    (re.compile(r"Missing end of comment tag"), N_("a comment is not closed with #}")),
    (re.compile(r"unexpected char (?P<char>.+) at \d+"), N_("the character %(char)s does not belong here")),
    (re.compile(r"unexpected '(?P<found>.+)', expected '(?P<expected>.+)'"),
     N_("%(found)s does not belong here: %(expected)s was expected")),
    (re.compile(r"unexpected '(?P<found>.+)'"), N_("%(found)s does not belong here")),
    (re.compile(r"expected name or number"), N_("a name or a number was expected after the dot")),
    (re.compile(r"tag name expected"), N_("a tag name was expected")),
)


def syntax_detail(jinja_message: str) -> errors.Message | str:
    """What Jinja says is wrong, as a message the reader's language has; Jinja's words when it is new."""
    for pattern, message in _SYNTAX_DETAILS:
        found = pattern.fullmatch(jinja_message or "")
        if found:
            params = {name: _token_name(value) if name in ("found", "expected") else value
                      for name, value in found.groupdict().items()}
            return errors.Message(message, tuple(params.items()))
    return jinja_message


def _token_name(description: str):
    if description == "end of template":
        return errors.Message(_END_OF_TEMPLATE)
    return repr(_TOKEN_NAMES.get(description, description)).replace('"', "'")

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
        return errors.FieldError(field_name, SYNTAX_MISTAKE, (("line", mistake.lineno),
                                                              ("detail", syntax_detail(mistake.message))))
    return None


def compiled_template(field_name: str, source: str, template_name: str) -> Template:
    try:
        return _build(_parse(source), template_name)
    except (_Refused, TemplateSyntaxError):
        raise errors.ValidationFailed(field_errors=[template_problem(field_name, source, template_name)]) from None
