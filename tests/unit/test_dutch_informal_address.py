"""The Dutch catalogue addresses the customer one way: "je" and "jij", never the formal "u" and "uw".

Pages and mails switched between the two (issue 15); a Dutch reader notices at once. The one Dutch
text outside the catalogue that says "u", the privacy policy's first version, is a legal text in force:
it changes only as a new policy version, announced 30 days ahead (chalicelib/notices), so it is not
scanned here.
"""

import re

from tests.unit.test_dutch_catalogue_complete import MESSAGES, _as_tuple

FORMAL = re.compile(r"(?<![\w/])(?:[Uu]|[Uu]w|[Uu]we|[Uu]zelf)(?![\w/])")


def formal_words(text: str) -> list[str]:
    """The formal forms of address in a Dutch text (none: [])."""
    return FORMAL.findall(text.replace("%(", " %("))


def test_formal_words_are_found_and_informal_ones_are_not():
    # GIVEN the same sentence, formal and informal
    # WHEN each is checked THEN only the formal one is caught
    assert formal_words("Kijk in de inbox voordat u uw mail opnieuw verstuurt. U kunt het.") == ["u", "uw", "U"]
    assert formal_words("Kijk in de inbox voordat je je mail opnieuw verstuurt: 72 uur, URL, /u/%(token)s") == []


def test_every_dutch_message_says_je_not_u():
    # GIVEN every message of the Dutch catalogue
    # WHEN its translations are read THEN none addresses the reader formally
    formal = {_as_tuple(message.id)[0][:60]: formal_words(text) for message in MESSAGES
              for text in _as_tuple(message.string) if formal_words(text)}
    assert formal == {}
