import pytest
from jinja2 import UndefinedError

from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.render import render_mail


def request(language, note=""):
    return MailRequest(template="test_mail", to=("a@example.org",), language=language, context={"note": note})


def test_mail_is_rendered_in_the_recipients_language():
    english = render_mail(request("en"))
    dutch = render_mail(request("nl"))
    assert english.subject == "Test mail from MailExpert"
    assert dutch.subject != english.subject
    assert '<html lang="nl">' in dutch.html
    assert '<html lang="en">' in english.html


def test_mail_has_both_a_text_and_an_html_part():
    mail = render_mail(request("en", note="Kind regards"))
    assert "Kind regards" in mail.text
    assert "<p>Kind regards</p>" in mail.html
    assert mail.tags["template"] == "test_mail"


def test_data_is_escaped_in_the_html_part_but_not_in_the_text_part():
    mail = render_mail(request("en", note="<script>x</script> & co"))
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in mail.html
    assert "<script>x</script> & co" in mail.text


def test_missing_template_data_is_an_error_not_an_empty_string():
    with pytest.raises(UndefinedError):
        render_mail(MailRequest(template="test_mail", to=("a@example.org",), language="en", context={}))


def test_unknown_template_is_refused():
    with pytest.raises(ValueError):
        render_mail(MailRequest(template="../../etc/passwd", to=("a@example.org",), language="en"))
