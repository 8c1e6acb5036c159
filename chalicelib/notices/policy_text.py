"""Policy text for readers: Markdown to sanitised HTML, and a readable diff between two versions.

The text is Markdown written by staff; it is rendered with markdown-it (raw HTML switched off) and
then cleaned with nh3, so whatever a draft holds, a page shows only headings, paragraphs, lists,
emphasis and links. The diff compares paragraphs (difflib), and inside a changed paragraph its
words, so a reader sees exactly what was removed and what was added.
"""

import difflib
import functools
import re
from dataclasses import dataclass

import markupsafe

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_WORDS = re.compile(r"\s+|[^\s]+")
SIMILAR = 0.5  # share of words two paragraphs have in common to be shown as one changed paragraph


@functools.cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str, under_heading: bool = False) -> markupsafe.Markup:
    """Staff-written Markdown as HTML that is safe to put on a page. `under_heading`: the page has a
    heading of its own, so the text's headings go one level down (its title is no second h1)."""
    import nh3

    markdown = _markdown()
    tokens = markdown.parse(text or "")
    if under_heading:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(int(token.tag[1:]) + 1, 6)}"
    html = markdown.renderer.render(tokens, markdown.options, {})
    return markupsafe.Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                       url_schemes={"https", "http", "mailto"}, link_rel="noopener noreferrer"))


def paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in re.split(r"\n\s*\n", text or "") if block.strip()]


@dataclass(frozen=True)
class DiffBlock:
    """One paragraph of the diff: `kind` is same, added, removed or changed; a changed one has
    `parts`, (kind, words) pairs where kind is same, added or removed."""

    kind: str
    text: str = ""
    parts: tuple = ()


def diff(old: str, new: str) -> list[DiffBlock]:
    """The paragraphs of `new` against `old`, with what was removed and added."""
    before, after = paragraphs(old), paragraphs(new)
    blocks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            blocks += [DiffBlock("same", text) for text in before[i1:i2]]
        elif tag == "delete":
            blocks += [DiffBlock("removed", text) for text in before[i1:i2]]
        elif tag == "insert":
            blocks += [DiffBlock("added", text) for text in after[j1:j2]]
        else:
            blocks += _replaced(before[i1:i2], after[j1:j2])
    return blocks


def _similar(old: str, new: str) -> bool:
    """Close enough that its changed words say more than a removed and an added paragraph."""
    matcher = difflib.SequenceMatcher(a=old.split(), b=new.split(), autojunk=False)
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def _replaced(old: list[str], new: list[str]) -> list[DiffBlock]:
    """Paragraphs replaced by others, in order: a similar pair as one changed paragraph (its words
    marked), any other as removed or added."""
    blocks, i, j = [], 0, 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new) and _similar(old[i], new[j]):
            blocks.append(DiffBlock("changed", parts=_word_diff(old[i], new[j])))
            i, j = i + 1, j + 1
        elif i < len(old) and (j >= len(new) or any(_similar(o, new[j]) for o in old[i + 1:])):
            blocks.append(DiffBlock("removed", old[i]))  # a later paragraph is new[j]'s partner
            i += 1
        elif j < len(new) and (i >= len(old) or any(_similar(old[i], n) for n in new[j + 1:])):
            blocks.append(DiffBlock("added", new[j]))  # a later paragraph is old[i]'s partner
            j += 1
        else:
            blocks += [DiffBlock("removed", old[i]), DiffBlock("added", new[j])]
            i, j = i + 1, j + 1
    return blocks


def _word_diff(old: str, new: str) -> tuple:
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    parts = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(after[j1:j2])))
    return tuple(parts)


def has_changes(blocks: list[DiffBlock]) -> bool:
    return any(block.kind != "same" for block in blocks)
