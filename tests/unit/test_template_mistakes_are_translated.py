"""A mistake in a campaign template is explained in the reader's language: Jinja's own English
("Encountered unknown tag 'endfor'. ...") becomes a message of the catalogue, with its tag or token,
and a preview that cannot be made says why in words, not as an enum value."""

import pytest

from chalicelib import errors, i18n
from chalicelib.campaigns.template_sandbox import RENDER_FAILURE_NAMES, RenderFailure, syntax_detail, template_problem

MISTAKES = {
    "{{ contact.first_name": ("the template ends where '}}' was expected", "het sjabloon eindigt waar '}}' werd verwacht"),
    "{% if contact.city %}Hallo": ("the template ends before the 'if' block is closed",
                                   "het sjabloon eindigt voordat het 'if'-blok is gesloten"),
    "{% if x %}{% endfor %}": ("'endfor' does not belong here: close the 'if' block first",
                               "'endfor' hoort hier niet: sluit eerst het 'if'-blok"),
    "{% endif %}": ("'endif' closes a block that was never opened", "'endif' sluit een blok dat nooit is geopend"),
    "{% knop %}": ("there is no tag 'knop'", "er bestaat geen tag 'knop'"),
    "{{ x | groot }}": ("there is no filter named 'groot'", "er bestaat geen filter 'groot'"),
    "{{ }}": ("a value was expected, but there is '}}'", "er werd een waarde verwacht, maar er staat '}}'"),
    "{# opmerking": ("a comment is not closed with #}", "een opmerking is niet gesloten met #}"),
}


@pytest.mark.parametrize("source", MISTAKES)
def test_a_template_mistake_is_explained_in_the_readers_language(source):
    # GIVEN a template with a mistake
    problem = template_problem("html", source, "campaign.html")
    english, dutch = MISTAKES[source]
    # WHEN the problem is shown in English and in Dutch THEN each says what is wrong in its own words
    with i18n.use_language("en"):
        assert errors.message_text(problem) == f"There is a mistake on line 1: {english}"
    with i18n.use_language("nl"):
        assert errors.message_text(problem) == f"Er staat een fout op regel 1: {dutch}"


def test_a_mistake_jinja_words_differently_tomorrow_is_still_shown():
    # GIVEN a message no pattern knows WHEN it is explained THEN Jinja's words are kept
    assert syntax_detail("something new went wrong") == "something new went wrong"


def test_every_render_failure_has_words():
    # GIVEN every way a render fails WHEN a preview names it THEN it is a message, never the enum value
    assert set(RENDER_FAILURE_NAMES) == set(RenderFailure)
    with i18n.use_language("nl"):
        reason = errors.message_text(errors.Message(RENDER_FAILURE_NAMES[RenderFailure.TEMPLATE_ERROR]))
    assert reason == "het sjabloon werkt niet met de gegevens van dit contact"
