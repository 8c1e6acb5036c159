"""HTML tools that keep a template's Jinja tags intact: the tools see tokens, never the tags.

Saving a template inlines its CSS, sanitises it and derives a text part (`template_saving`);
sending one rewrites its links for click tracking (`campaign_rendering`). Both pass HTML that still
holds `{{ ... }}` and `{% ... %}` through parsers that know nothing of Jinja (css-inline, nh3,
`html.parser`): `protect` swaps the tags for tokens those parsers leave alone and
`Protected.restore` puts them back. `SanitisedScan` and `Anchors` say where comments and links
stand; `TextConverter` turns sanitised HTML into a text part.
"""

import re
import secrets
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from urllib.parse import urlsplit

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
