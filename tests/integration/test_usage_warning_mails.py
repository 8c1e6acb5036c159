"""Warning mails at 80 % and 100 % of a limit (P5, P7): transactional, through the mail queue, once
each per month however often the use crosses the line."""

from chalicelib.composition import services
from tests.integration.accounts_helpers import deliver_mail, mails_to
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add
from tests.integration.usage_helpers import account_of, small_free_plan

EIGHTY = "Je hebt 80% van een limiet van je MailExpert-pakket gebruikt"
FULL = "Je hebt een limiet van je MailExpert-pakket bereikt"


def _warnings(outbox):
    return [m["subject"] for m in mails_to(outbox, "anna@example.nl") if "MailExpert-pakket" in m["subject"]]


def test_warning_mails_go_once_each_at_80_and_100_percent(client, app_module, aws_resources, outbox, monkeypatch):
    # GIVEN a plan of 5 contacts and 3 contacts
    small_free_plan(monkeypatch, contacts=5)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(3):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    deliver_mail(app_module, aws_resources)
    assert _warnings(outbox) == []
    # WHEN the fourth contact reaches 80 %
    _add(client, cookie, csrf, list_id, "vier@example.com", "Vier")
    deliver_mail(app_module, aws_resources)
    # THEN one warning goes out, in the account's language, with the figures and where to upgrade
    assert _warnings(outbox) == [EIGHTY]
    [mail] = [m for m in mails_to(outbox, "anna@example.nl") if m["subject"] == EIGHTY]
    assert "Contacten: je gebruikt 4 van de 5 van je pakket Gratis (80%)." in mail["text"]
    assert "/settings#plan" in mail["text"] and "/usage" in mail["text"]
    # WHEN the fifth reaches 100 %, one is erased and another added (crossing both lines again)
    _add(client, cookie, csrf, list_id, "vijf@example.com", "Vijf")
    account = account_of()
    contact = services().audience.contact_by_email(account.account_id, "vijf@example.com")
    services().audience_service.erase_contact(account, contact.contact_id)
    services().audience_service.erase_contact(account, services().audience.contact_by_email(
        account.account_id, "vier@example.com").contact_id)
    _add(client, cookie, csrf, list_id, "zes@example.com", "Zes")
    _add(client, cookie, csrf, list_id, "zeven@example.com", "Zeven")
    deliver_mail(app_module, aws_resources)
    # THEN exactly one more warning went out: 100 %, once
    assert sorted(_warnings(outbox)) == sorted([EIGHTY, FULL])
