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

ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
_WORDS = re.compile(r"\s+|[^\s]+")


@functools.cache
def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> markupsafe.Markup:
    """Staff-written Markdown as HTML that is safe to put on a page."""
    import nh3

    html = _markdown().render(text or "")
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
            old_part, new_part = before[i1:i2], after[j1:j2]
            for index in range(max(len(old_part), len(new_part))):
                if index >= len(new_part):
                    blocks.append(DiffBlock("removed", old_part[index]))
                elif index >= len(old_part):
                    blocks.append(DiffBlock("added", new_part[index]))
                else:
                    blocks.append(DiffBlock("changed", parts=_word_diff(old_part[index], new_part[index])))
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
