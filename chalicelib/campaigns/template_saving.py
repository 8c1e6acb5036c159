"""Saving a campaign template: checked, sanitised and completed once, when the customer saves it.

A template has two moments, after listmonk's campaign engine; this is the first (sending is
`campaign_rendering`). `prepare_template` checks its Jinja syntax (in the sandbox of
`template_sandbox`), inlines the CSS of its `<style>` blocks (css-inline), sanitises the HTML
(nh3), derives a text part when none was written, and lists the links of the HTML: the only URLs
a click may ever redirect to. What it returns, a `PreparedTemplate`, is what is stored.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from chalicelib import errors
from chalicelib.campaigns.template_html import SanitisedScan, TextConverter, protect
from chalicelib.campaigns.template_sandbox import template_problem
from chalicelib.i18n import N_

MAX_SUBJECT_CHARS = 500
MAX_TEMPLATE_CHARS = 500_000  # HTML or text as written; Gmail clips mails past ~100 kB anyway

SUBJECT_MISSING = N_("Please write a subject.")
SUBJECT_TOO_LONG = N_("The subject is too long: at most %(limit)s characters.")
HTML_MISSING = N_("Please write the HTML of the mail.")
TEMPLATE_TOO_LONG = N_("The template is too long: at most %(limit)s characters.")
CSS_UNREADABLE = N_("The CSS of the template could not be read: %(detail)s")
TAG_MISPLACED = N_("%(tag)s cannot stay where it is: it stands between the attributes of an HTML tag or in "
                   "content that is removed as unsafe. Put personalisation in text or in an attribute value, and "
                   "each if and for block around whole HTML elements.")
SANITISING_BROKE_LOGIC = N_("Removing unsafe HTML broke the template logic (%(detail)s). Put each if and for "
                            "block around whole HTML elements.")

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
