"""The form macros every page uses (macros/forms.html): an optional field is never required, a field
with an error is marked invalid and described by its message, the error summary links to each field
with an error, and the destructive-action tick is required (for browsers without scripts)."""

import re

from chalicelib import i18n
from chalicelib.template_environments import pages

MACROS = '{% from "macros/forms.html" import field, error_summary, confirm_box %}'


def _render(body: str, **context) -> str:
    i18n.set_language("nl")
    return pages().from_string(MACROS + body).render(**context)


def test_optional_field_is_never_required():
    # GIVEN an optional text field
    # WHEN it is rendered
    html = _render('{{ field("company", "Bedrijfsnaam", {}, {}, required=False) }}')
    # THEN it says "(optioneel)" and the browser does not require it
    assert "(optioneel)" in html
    assert not re.search(r"<input[^>]*\brequired\b", html)


def test_required_field_is_required_and_an_error_marks_it_invalid():
    # GIVEN a required field with an error
    # WHEN it is rendered
    html = _render('{{ field("email", "E-mailadres", {"email": "x"}, {"email": "Geen geldig adres"}, kind="email") }}')
    # THEN it is required, marked invalid, described by its message, and keeps what was typed
    control = re.search(r"<input[^>]*>", html).group(0)
    assert " required" in control and 'aria-invalid="true"' in control
    assert 'aria-describedby="email-error"' in control and 'value="x"' in control
    assert '<span class="error" id="email-error">Geen geldig adres</span>' in html


def test_error_summary_links_to_each_field_with_an_error():
    # GIVEN two fields with errors
    errors = {"email": "Geen geldig adres", "phone": "Geen telefoonnummer"}
    # WHEN the summary is rendered
    html = _render("{{ error_summary(errors) }}", errors=errors)
    # THEN it is an alert the script can focus, linking to both fields with their messages
    assert 'class="error-summary" role="alert" tabindex="-1"' in html
    assert '<a href="#email">Geen geldig adres</a>' in html and '<a href="#phone">Geen telefoonnummer</a>' in html


def test_error_summary_is_absent_without_errors():
    assert _render("{{ error_summary({}) }}").strip() == ""


def test_confirm_box_is_a_required_tick():
    # WHEN the tick of a destructive action is rendered
    html = _render("{{ confirm_box() }}")
    # THEN it is a required checkbox beside its Dutch words
    assert re.search(r'<input type="checkbox" name="confirmed" value="yes" required>', html)
    assert "Ja, ik weet het zeker" in html
