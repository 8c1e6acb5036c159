"""P18, RFC 9116: /.well-known/security.txt names the security contact the privacy policy gives,
with an Expires date computed from the moment it is served (always less than a year ahead),
Dutch and English as preferred languages, its canonical address and the policy."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.contact.security_txt import security_txt

BASE = "https://app.mailexpert.nl"


def fields(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(": ", 1)) for line in text.splitlines()]


def test_file_names_the_contact_languages_canonical_address_and_policy():
    # GIVEN the security address and the public address WHEN the file is made
    text = security_txt("security@example.nl", BASE + "/", datetime(2026, 12, 7, 15, 30, tzinfo=timezone.utc))
    # THEN it holds the RFC 9116 fields, one per line, the address as a mailto: URI first
    assert fields(text) == [("Contact", "mailto:security@example.nl"), ("Contact", BASE + "/contact"),
                            ("Expires", "2027-06-05T00:00:00Z"), ("Preferred-Languages", "nl, en"),
                            ("Canonical", BASE + "/.well-known/security.txt"), ("Policy", BASE + "/privacy")]
    assert text.endswith("\n")


@pytest.mark.parametrize("now", [datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc),
                                 datetime(2026, 12, 31, 23, 59, tzinfo=timezone.utc),
                                 datetime(2028, 2, 29, 12, 0, tzinfo=timezone(timedelta(hours=1)))])
def test_expires_is_computed_after_now_and_within_a_year(now):
    # GIVEN any moment WHEN the file is served then
    expires = datetime.strptime(dict(fields(security_txt("a@example.nl", BASE, now)))["Expires"],
                                "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    # THEN its Expires lies ahead, and less than a year ahead (RFC 9116 section 2.5.5)
    assert now < expires < now + timedelta(days=365)


def test_expires_moves_with_the_day_it_is_served():
    # GIVEN two days WHEN the file is served on each THEN each has its own Expires; the same all day long
    first = security_txt("a@example.nl", BASE, datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc))
    later_that_day = security_txt("a@example.nl", BASE, datetime(2026, 12, 7, 23, 0, tzinfo=timezone.utc))
    next_day = security_txt("a@example.nl", BASE, datetime(2026, 12, 8, 1, 0, tzinfo=timezone.utc))
    assert first == later_that_day != next_day
