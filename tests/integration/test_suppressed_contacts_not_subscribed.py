"""A suppressed contact is not subscribed anywhere: whatever suppressed the address (an import whose
unsubscribed or cleaned file wins, the account holder, a bounce or complaint, repeated soft bounces),
the list's members by status, its counts and its export say "unsubscribed", as sending does."""

import csv
import io
from urllib.parse import urlsplit

from chalicelib.composition import services
from chalicelib.audience.audience import SuppressionReason
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file, member_addresses
from tests.integration.test_data_rights import EXPORTS_BUCKET, run_background_jobs

SUBSCRIBED = (b"Email Address,First Name\n" + b"".join(f"klant{n}@example.com,Klant{n}\n".encode() for n in range(6)))
UNSUBSCRIBED_EXPORT = (b"Email Address,First Name,UNSUB_TIME,UNSUB_REASON\n"
                       b"klant0@example.com,Klant0,2024-01-02 10:00:00,Too many mails\n")
CLEANED_EXPORT = b"Email Address,First Name,CLEAN_TIME\nklant1@example.com,Klant1,2024-02-03 11:00:00\n"


def _exported_statuses(client, app_module, aws_resources, cookie, csrf, list_id) -> dict[str, str]:
    assert post_form(client, f"/lists/{list_id}/export", {"csrf_token": csrf}, cookie=cookie).status_code == 303
    run_background_jobs(app_module, aws_resources)
    page = client.get(f"/lists/{list_id}", headers={"Cookie": cookie}).body.decode()
    export_id = page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]
    location = urlsplit(client.get(f"/settings/exports/{export_id}", headers={"Cookie": cookie}).headers["Location"])
    key = location.path.split(EXPORTS_BUCKET + "/", 1)[-1].lstrip("/")
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=key)["Body"].read().decode("utf-8")
    return {row["email"]: row["status"] for row in csv.DictReader(io.StringIO(body))}


def test_contacts_suppressed_by_a_later_import_are_not_listed_as_subscribed(client, app_module, aws_resources, outbox):
    # GIVEN a list of six imported subscribers
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, SUBSCRIBED)
    # WHEN Mailchimp's unsubscribed and cleaned exports are imported after it
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, UNSUBSCRIBED_EXPORT)
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, CLEANED_EXPORT)
    # THEN both are on the suppression list, and the list no longer counts them as subscribed
    account_id = services().accounts.by_email("anna@example.nl").account_id
    assert all(services().audience_service.is_suppressed(account_id, f"klant{n}@example.com") for n in (0, 1))
    assert member_addresses(client, cookie, list_id, "subscribed") == {f"klant{n}@example.com" for n in range(2, 6)}
    assert member_addresses(client, cookie, list_id, "unsubscribed") == {"klant0@example.com", "klant1@example.com"}
    # AND the list's export says so too
    statuses = _exported_statuses(client, app_module, aws_resources, cookie, csrf, list_id)
    assert statuses["klant0@example.com"] == statuses["klant1@example.com"] == "unsubscribed"
    assert statuses["klant2@example.com"] == "subscribed"


def test_contacts_suppressed_by_hand_or_by_bounces_are_not_listed_as_subscribed(client, app_module, aws_resources,
                                                                                 outbox):
    # GIVEN a list of six imported subscribers
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, SUBSCRIBED)
    account_id = services().accounts.by_email("anna@example.nl").account_id
    # WHEN the account holder suppresses one by hand, and delivery handling suppresses others
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "klant0@example.com"}, cookie=cookie)
    service = services().audience_service
    service.suppress(account_id, "klant1@example.com", SuppressionReason.SOFT_BOUNCES, "ses repeated soft bounce")
    service.suppress(account_id, "klant2@example.com", SuppressionReason.HARD_BOUNCE, "ses bounce")
    service.suppress(account_id, "klant3@example.com", SuppressionReason.UNSUBSCRIBED, "import")
    # THEN none of them is listed as subscribed any more
    assert member_addresses(client, cookie, list_id, "subscribed") == {"klant4@example.com", "klant5@example.com"}
    assert member_addresses(client, cookie, list_id, "unsubscribed") == {f"klant{n}@example.com" for n in range(4)}
