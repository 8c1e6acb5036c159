"""The Dutch catalogue is complete: every message translated, none fuzzy, placeholders intact.

Dutch is the default language, so an empty msgstr shows English to a Dutch customer and a
fuzzy one is a guess nobody checked. A msgstr whose %(name)s placeholders differ from its msgid
raises KeyError (or drops a value) when the message is formatted.
"""

import os
import re

import pytest
from babel.messages.pofile import read_po

from tests.conftest import PROJECT_DIR

DUTCH_CATALOGUE = os.path.join(PROJECT_DIR, "chalicelib", "web", "locales", "nl", "LC_MESSAGES", "messages.po")
# A named printf-style placeholder: %(name)s, %(count)d, %(ratio).1f ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _messages():
    with open(DUTCH_CATALOGUE, "rb") as file:
        catalog = read_po(file, locale="nl")
    return [message for message in catalog if message.id]


def _as_tuple(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def _message_label(message) -> str:
    return _as_tuple(message.id)[0][:60]


MESSAGES = _messages()


def test_every_message_is_translated_when_catalogue_is_read():
    # GIVEN the Dutch catalogue
    # WHEN its messages are read
    untranslated = [_message_label(m) for m in MESSAGES if not all(s.strip() for s in _as_tuple(m.string))]
    fuzzy = [_message_label(m) for m in MESSAGES if m.fuzzy]
    # THEN every message has a Dutch text and none is marked fuzzy
    assert MESSAGES, "the Dutch catalogue holds no messages"
    assert untranslated == [], f"messages without a Dutch translation: {untranslated}"
    assert fuzzy == [], f"fuzzy (unchecked) translations: {fuzzy}"


@pytest.mark.parametrize("message", MESSAGES, ids=_message_label)
def test_placeholders_match_msgid_when_message_is_translated(message):
    # GIVEN a translated message (a plural one has a form per Dutch plural rule)
    english_forms = _as_tuple(message.id)
    dutch_forms = _as_tuple(message.string)
    # WHEN the placeholders of its Dutch and English forms are listed
    # THEN the Dutch text uses exactly those of the English one; a plural's singular may leave out
    # the count ("één contact"), but no form may use a placeholder English does not supply
    if len(english_forms) == 1:
        assert _placeholders(dutch_forms[0]) == _placeholders(english_forms[0]), dutch_forms[0]
    else:
        supplied = set(_placeholders(english_forms[0])) | set(_placeholders(english_forms[-1]))
        assert all(set(_placeholders(form)) <= supplied for form in dutch_forms), dutch_forms
        assert _placeholders(dutch_forms[-1]) == _placeholders(english_forms[-1]), dutch_forms[-1]
