"""Shared steps for the privacy policy tests: a staff member and an account holder, signed in, a
clock the test moves, and a new version announced."""

from datetime import datetime, timedelta, timezone

from tests.fakes.notices import Clock
from tests.integration.accounts_helpers import (REGISTRATION, confirm, csrf_token_of, log_in, post_form,
                                                register)

STAFF_EMAIL = "staff@example.nl"
HOLDER_EMAIL = REGISTRATION["email"]
NEW_NL = "# Privacybeleid\n\nWij bewaren uw IP adres 30 dagen.\n\nDeze alinea is nieuw.\n"
NEW_EN = "# Privacy policy\n\nWe keep your IP address for 30 days.\n\nThis paragraph is new.\n"


def a_clock() -> Clock:
    """The services' clock, set to now (the accounts were registered by the real clock) and moved by hand."""
    from chalicelib.composition import services

    clock = Clock(datetime.now(timezone.utc))
    services().clock = clock
    return clock


def make_staff(email: str) -> None:
    from chalicelib.composition import services

    account = services().accounts.by_email(email)
    account.staff = True
    services().accounts.save(account)


def staff_and_holder(client, app_module, aws_resources, outbox) -> tuple[str, str]:
    """A confirmed staff member and a confirmed account holder, both signed in: their cookies."""
    register(client, app_module, aws_resources, outbox, email=STAFF_EMAIL, name="Sam Staff")
    confirm(client, outbox, STAFF_EMAIL)
    make_staff(STAFF_EMAIL)
    register(client, app_module, aws_resources, outbox)
    confirm(client, outbox, HOLDER_EMAIL)
    return log_in(client, STAFF_EMAIL), log_in(client, HOLDER_EMAIL)


def csrf_of(client, cookie: str, path: str = "/staff/policy") -> str:
    return csrf_token_of(client.get(path, headers={"Cookie": cookie}).body.decode())


def draft_by_form(client, cookie: str, text_nl: str = NEW_NL, text_en: str = NEW_EN):
    return post_form(client, "/staff/policy", {"text_nl": text_nl, "text_en": text_en,
                                               "csrf_token": csrf_of(client, cookie)}, cookie=cookie)


def announce_by_form(client, cookie: str, number: int, effective_on: str):
    return post_form(client, f"/staff/policy/{number}/announce",
                     {"effective_on": effective_on, "csrf_token": csrf_of(client, cookie)}, cookie=cookie)


def earliest_date(clock: Clock) -> str:
    from chalicelib.notices.policy_service import earliest_effective_date

    return earliest_effective_date(clock()).isoformat()


def effective_moment(effective_on: str) -> datetime:
    from zoneinfo import ZoneInfo

    day = datetime.fromisoformat(effective_on)
    return day.replace(tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(timezone.utc)


def one_second_before(moment: datetime) -> datetime:
    return moment - timedelta(seconds=1)
