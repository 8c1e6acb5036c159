from chalicelib import i18n
from chalicelib.template_environments import mails, pages


def test_translated_text_is_escaped_in_pages():
    template = pages().from_string("{{ _(label) }}|{{ _('Settings & Options') }}")
    with i18n.use_language("en"):
        assert template.render(label="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;|Settings &amp; Options"


def test_translated_text_keeps_escaping_its_parameters():
    template = pages().from_string("{{ _('Welcome, %(name)s', name=name) }}")
    with i18n.use_language("en"):
        assert template.render(name="<script>") == "Welcome, &lt;script&gt;"


def test_text_mails_are_not_html_escaped():
    template = mails().from_string("{{ _('Settings & Options') }} {{ _('Welcome, %(name)s', name=name) }}")
    with i18n.use_language("en"):
        assert template.render(name="Bob & Co") == "Settings & Options Welcome, Bob & Co"


def test_dutch_name_of_the_settings_section_is_as_the_policy_promises():
    template = pages().from_string("{{ _('Settings & Options') }}")
    with i18n.use_language("nl"):
        assert template.render() == "Instellingen &amp; Opties"
