"""P16: a service announcement mail, rendered for one account in its language: no unsubscribe link,
but the line that deactivating the account stops these messages, with the link to Settings & Options."""

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from chalicelib.news.mail import announcement_mail, render_announcement
from chalicelib.news.service import Announcement

BASE_URL = "https://app.mailexpert.example"
ANNOUNCEMENT = Announcement(
    announcement_id="20261207T110000000000Z-abc123", title={"nl": "Gepland onderhoud", "en": "Planned maintenance"},
    body={"nl": "Zondag <b>even</b> niet bereikbaar.\n\nDaarna weer wel.", "en": "Down on Sunday.\n\nBack after."},
    published_at=datetime(2026, 12, 7, 11, tzinfo=timezone.utc), published_by="staff-1")


@dataclass
class Holder:
    account_id: str = "acc-1"
    email: str = "anna@example.nl"
    name: str = "Anna de Vries"
    language: str = "nl"


DEACTIVATION_LINE = {"nl": "ze stoppen alleen als je je account deactiveert",
                     "en": "they stop only when you deactivate your account"}


@pytest.mark.parametrize("language, subject", [("nl", "Servicebericht van MailExpert: Gepland onderhoud"),
                                               ("en", "MailExpert service announcement: Planned maintenance")])
def test_announcement_is_rendered_in_the_holders_language_with_the_deactivation_line(language, subject):
    # GIVEN an account holder who reads this language
    # WHEN the announcement is rendered for them
    mail = render_announcement(ANNOUNCEMENT, Holder(language=language), BASE_URL)
    # THEN it is addressed to them, in their language, in both parts
    assert mail.to == ("anna@example.nl",)
    assert mail.subject == subject
    assert f'<html lang="{language}">' in mail.html
    assert ANNOUNCEMENT.title[language] in mail.text
    # AND both parts say that only deactivating stops these, with the link to Settings & Options
    assert DEACTIVATION_LINE[language] in mail.text and f"{BASE_URL}/settings" in mail.text
    assert DEACTIVATION_LINE[language] in mail.html and f'href="{BASE_URL}/settings"' in mail.html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_announcement_has_no_unsubscribe_link_and_no_unsubscribe_header(language):
    mail = render_announcement(ANNOUNCEMENT, Holder(language=language), BASE_URL)
    for part in (mail.text, mail.html):
        assert not re.search(r"unsubscribe|afmelden|uitschrijven|/u/", part, re.I)
    assert not any(name.lower().startswith("list-unsubscribe") for name, _ in mail.headers)


def test_announcement_text_is_escaped_in_html_and_paragraphs_are_kept():
    mail = render_announcement(ANNOUNCEMENT, Holder(language="nl"), BASE_URL)
    assert "&lt;b&gt;even&lt;/b&gt;" in mail.html and "<b>even</b>" not in mail.html
    assert "<p>Daarna weer wel.</p>" in mail.html


def test_announcement_mail_is_tagged_with_the_account_for_bounces_and_falls_back_to_dutch():
    request = announcement_mail(ANNOUNCEMENT, Holder(language="fr"), BASE_URL)
    assert request.language == "nl"
    assert request.tags == {"account": "acc-1", "announcement": ANNOUNCEMENT.announcement_id}
    assert request.template == "service_announcement"
