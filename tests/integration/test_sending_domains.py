"""An account's own sending domains on moto: added (an SES identity with Easy DKIM), its records shown,
claimed by one account at a time, checked, removed; campaigns sent from an address on one."""

import json
import os
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib import errors
from tests.conftest import TEST_STATE_DIR
from tests.integration.accounts_helpers import csrf_token_of, log_in, post_form, register
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs

DOMAIN = "nieuws.bakkerij-jansen.nl"


@pytest.fixture(autouse=True)
def no_local_verifications():
    """Each test starts with no domain marked verified in the local stack."""
    path = os.path.join(TEST_STATE_DIR, "ses-verified-domains.json")
    if os.path.exists(path):
        os.remove(path)
    yield


def _api(cookie, csrf):
    return {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", "Accept-Language": "en"}


def _post(client, path, headers, body=None):
    return client.post(path, headers=headers, body=json.dumps(body or {}).encode())


def _mark_verified(domain):
    from devstack.devtools import local_verifications

    local_verifications().mark(domain)


def test_adding_a_domain_creates_its_identity_and_shows_the_dkim_and_dmarc_records(client, app_module, aws_resources,
                                                                                 outbox):
    # GIVEN a confirmed account holder
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN they add a domain, typed in capitals
    added = _post(client, "/api/v1/domains", _api(cookie, csrf), {"domain": " Nieuws.Bakkerij-Jansen.NL. "})
    # THEN it is stored lower-cased, pending, with three DKIM CNAMEs and a DMARC record to publish
    assert added.status_code == 201, added.body
    body = json.loads(added.body)
    assert body["domain"] == DOMAIN and body["status"] == "pending"
    cnames = [r for r in body["records"] if r["type"] == "CNAME"]
    assert len(cnames) == 3
    for record in cnames:
        token = record["name"].split(".", 1)[0]
        assert record["name"] == f"{token}._domainkey.{DOMAIN}" and record["value"] == f"{token}.dkim.amazonses.com"
    [dmarc] = [r for r in body["records"] if r["type"] == "TXT"]
    assert dmarc["name"] == f"_dmarc.{DOMAIN}" and dmarc["value"].startswith("v=DMARC1; p=none;")
    assert "Gmail and Yahoo" in dmarc["purpose"]
    # AND SES knows the identity
    assert aws_resources.client("sesv2").get_email_identity(EmailIdentity=DOMAIN)["IdentityType"] == "DOMAIN"
    # AND the list shows it; an internationalised name is kept in its ASCII form
    idn = _post(client, "/api/v1/domains", _api(cookie, csrf), {"domain": "bakkerij-café.nl"})
    assert idn.status_code == 201 and json.loads(idn.body)["domain"] == "xn--bakkerij-caf-meb.nl"
    assert json.loads(idn.body)["display_name"] == "bakkerij-café.nl"
    listed = json.loads(client.get("/api/v1/domains", headers=_api(cookie, csrf)).body)
    assert [d["domain"] for d in listed] == [DOMAIN, "xn--bakkerij-caf-meb.nl"]
    # AND adding it twice is refused with a message for the field
    twice = _post(client, "/api/v1/domains", _api(cookie, csrf), {"domain": DOMAIN})
    assert twice.status_code == 422 and json.loads(twice.body)["errors"][0]["field"] == "domain"


@pytest.mark.parametrize("text", ["", "geen domein", "https://bakkerij.nl/", "info@bakkerij.nl", "bakkerij",
                                  "mailexpert.nl", "post.MailExpert.nl", "gmail.com", "localhost", "192.168.1.1",
                                  "a..nl", "-bakkerij.nl", "bakkerij_jansen.nl", "bakkerij.test", "example.com",
                                  "x" * 64 + ".nl", ("a" * 60 + ".") * 5 + "nl", "bakkerij.123"])
def test_bad_domains_are_refused_with_a_clear_message_and_no_identity(text, aws_resources):
    from chalicelib.composition import services

    account = SimpleNamespace(account_id="acc-1", active=True, email_verified=True)
    # WHEN something that is not a domain of one's own is added
    with pytest.raises(errors.ValidationFailed) as refused:
        services().sending_domains.add(account, text)
    # THEN it is refused for the field, and SES was not asked
    assert [e.field for e in refused.value.field_errors] == ["domain"]
    assert aws_resources.client("sesv2").list_email_identities()["EmailIdentities"] == [
        i for i in aws_resources.client("sesv2").list_email_identities()["EmailIdentities"]
        if i["IdentityName"] == "mailexpert.nl"]


def test_api_refuses_a_bad_domain_with_422_and_an_unconfirmed_account_with_403(client, app_module, aws_resources,
                                                                             outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    refused = _post(client, "/api/v1/domains", _api(cookie, csrf), {"domain": "mailexpert.nl"})
    assert refused.status_code == 422
    assert json.loads(refused.body)["errors"] == [{"field": "domain", "message": (
        "This is MailExpert's own domain: campaigns already go out from it without adding it.")}]
    assert _post(client, "/api/v1/domains", _api(cookie, csrf), {"domain": 12}).status_code == 422
    assert _post(client, "/api/v1/domains", _api(cookie, csrf), {"name": "x.nl"}).status_code == 422
    assert client.get("/api/v1/domains/not-a-domain", headers=_api(cookie, csrf)).status_code == 404
    assert client.delete("/api/v1/domains/unknown.nl", headers=_api(cookie, csrf)).status_code == 404
    # AND an account whose address is not confirmed yet claims no domain
    register(client, app_module, aws_resources, outbox, email="nieuw@example.nl")
    unconfirmed = log_in(client, email="nieuw@example.nl")
    csrf_new = csrf_token_of(client.get("/app", headers={"Cookie": unconfirmed}).body.decode())
    refused = _post(client, "/api/v1/domains", _api(unconfirmed, csrf_new), {"domain": DOMAIN})
    assert refused.status_code == 403 and json.loads(refused.body)["type"].endswith("address-not-confirmed")


def test_a_domain_is_claimed_by_one_account_and_invisible_to_others(client, app_module, aws_resources, outbox):
    # GIVEN two accounts, the first of which added a domain
    anna, anna_csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    bob, bob_csrf, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    assert _post(client, "/api/v1/domains", _api(anna, anna_csrf), {"domain": DOMAIN}).status_code == 201
    # WHEN the second account adds the same domain
    taken = _post(client, "/api/v1/domains", _api(bob, bob_csrf), {"domain": DOMAIN.upper()})
    # THEN it is refused as a conflict, with what to do
    assert taken.status_code == 409, taken.body
    problem = json.loads(taken.body)
    assert problem["type"].endswith("domain-taken") and "72 hours" in problem["detail"]
    # AND the second account neither sees, checks nor removes the first one's domain
    assert json.loads(client.get("/api/v1/domains", headers=_api(bob, bob_csrf)).body) == []
    assert client.get(f"/api/v1/domains/{DOMAIN}", headers=_api(bob, bob_csrf)).status_code == 404
    assert _post(client, f"/api/v1/domains/{DOMAIN}/check", _api(bob, bob_csrf)).status_code == 404
    assert client.delete(f"/api/v1/domains/{DOMAIN}", headers=_api(bob, bob_csrf)).status_code == 404
    assert client.get(f"/domains/{DOMAIN}", headers={"Cookie": bob}).status_code == 404
    assert post_form(client, f"/domains/{DOMAIN}/delete", {"csrf_token": bob_csrf, "confirmed": "yes"}, cookie=bob).status_code == 404
    assert post_form(client, f"/dev/sending-domains/{DOMAIN}/verify", {"csrf_token": bob_csrf},
                     cookie=bob).status_code == 404
    # AND the first account still has it, as does SES
    assert client.get(f"/api/v1/domains/{DOMAIN}", headers=_api(anna, anna_csrf)).status_code == 200
    assert aws_resources.client("sesv2").get_email_identity(EmailIdentity=DOMAIN)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def _service(clock, ses=None):
    """The sending domain service as the app wires it, on a clock of our own (and, given, an SES client)."""
    from chalicelib import aws
    from chalicelib.config import settings
    from chalicelib.sending_domains.repository import DynamoSendingDomains
    from chalicelib.sending_domains.service import SendingDomainService
    from chalicelib.sending_domains.ses_identities import SesIdentities

    return SendingDomainService(DynamoSendingDomains(settings().campaigns_table, settings().region, None),
                                SesIdentities(ses or aws.sesv2()), "mailexpert.nl", clock=clock)


def _holder(account_id):
    return SimpleNamespace(account_id=account_id, active=True, email_verified=True)


def test_an_unverified_claim_lapses_after_72_hours_and_another_account_may_take_the_domain(aws_resources):
    from chalicelib.sending_domains.domains import DomainStatus
    from chalicelib.sending_domains.service import DomainTaken

    clock = Clock()
    service = _service(clock)
    squatter, owner = _holder("squatter"), _holder("owner")
    # GIVEN a domain added by an account that never publishes its records
    service.add(squatter, DOMAIN)
    # WHEN another account adds it within 72 hours
    clock.now += timedelta(hours=71)
    # THEN it is refused
    with pytest.raises(DomainTaken):
        service.add(owner, DOMAIN)
    # WHEN it tries after 72 hours
    clock.now += timedelta(hours=2)
    taken_over = service.add(owner, DOMAIN)
    # THEN the domain is the new account's, pending, with a new identity
    assert taken_over.status is DomainStatus.PENDING and len(taken_over.dkim_tokens) == 3
    # AND the first account's domain shows as expired; removing it leaves the new holder's identity alone
    assert service.check(squatter, DOMAIN).status is DomainStatus.EXPIRED
    service.remove(squatter, DOMAIN)
    assert aws_resources.client("sesv2").get_email_identity(EmailIdentity=DOMAIN)
    assert service.check(owner, DOMAIN).status is DomainStatus.PENDING


def test_check_now_follows_ses_and_remove_deletes_the_identity(client, app_module, aws_resources, outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _post(client, "/api/v1/domains", headers, {"domain": DOMAIN})
    # GIVEN SES has not found the records: the check says pending
    assert json.loads(_post(client, f"/api/v1/domains/{DOMAIN}/check", headers).body)["status"] == "pending"
    # WHEN SES verified the domain (locally: marked by hand) and the holder checks
    _mark_verified(DOMAIN)
    checked = json.loads(_post(client, f"/api/v1/domains/{DOMAIN}/check", headers).body)
    # THEN it is verified
    assert checked["status"] == "verified" and checked["verified_at"]
    # WHEN the domain is removed
    assert client.delete(f"/api/v1/domains/{DOMAIN}", headers=headers).status_code == 204
    # THEN it is gone from the account and from SES, and free for anyone
    assert client.get(f"/api/v1/domains/{DOMAIN}", headers=headers).status_code == 404
    ses = aws_resources.client("sesv2")
    with pytest.raises(ses.exceptions.NotFoundException):
        ses.get_email_identity(EmailIdentity=DOMAIN)
    assert _post(client, "/api/v1/domains", headers, {"domain": DOMAIN}).status_code == 201


def test_domain_pages_add_show_records_check_and_remove(client, app_module, aws_resources, outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    page = client.get("/domains", headers={"Cookie": cookie, "Accept-Language": "en"})
    assert page.status_code == 200 and 'href="/domains" aria-current' in page.body.decode().replace('"\n', '"')
    # WHEN a bad name is submitted THEN the form says why, without a 500
    refused = post_form(client, "/domains", {"csrf_token": csrf, "domain": "info@bakkerij.nl"}, cookie=cookie,
                        headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "no @, no http://" in refused.body.decode()
    # WHEN a domain is added THEN its page shows the records, a check button and (locally) the verify button
    added = post_form(client, "/domains", {"csrf_token": csrf, "domain": DOMAIN}, cookie=cookie)
    assert added.status_code == 303 and added.headers["Location"] == f"/domains/{DOMAIN}?notice=added"
    shown = client.get(f"/domains/{DOMAIN}", headers={"Cookie": cookie, "Accept-Language": "en"}).body.decode()
    assert f"._domainkey.{DOMAIN}</code>" in shown and ".dkim.amazonses.com</code>" in shown
    assert f"_dmarc.{DOMAIN}" in shown and "Waiting for DNS records" in shown
    assert f'action="/domains/{DOMAIN}/check"' in shown and f'action="/dev/sending-domains/{DOMAIN}/verify"' in shown
    # WHEN it is checked, then marked verified (local stack only)
    checked = post_form(client, f"/domains/{DOMAIN}/check", {"csrf_token": csrf}, cookie=cookie)
    assert checked.headers["Location"] == f"/domains/{DOMAIN}?notice=pending"
    marked = post_form(client, f"/dev/sending-domains/{DOMAIN}/verify", {"csrf_token": csrf}, cookie=cookie)
    assert marked.headers["Location"] == f"/domains/{DOMAIN}?notice=verified"
    listed = client.get("/domains", headers={"Cookie": cookie}).body.decode()
    assert "Geverifieerd" in listed
    # AND the same domain, added by another account through the page, is refused with 409
    bob, bob_csrf, _ = account_with_list(client, app_module, aws_resources, outbox, email="bob@example.nl")
    taken = post_form(client, "/domains", {"csrf_token": bob_csrf, "domain": DOMAIN}, cookie=bob)
    assert taken.status_code == 409 and "72" in taken.body.decode()
    # WHEN it is removed THEN the list no longer shows it
    removed = post_form(client, f"/domains/{DOMAIN}/delete", {"csrf_token": csrf, "confirmed": "yes"}, cookie=cookie)
    assert removed.status_code == 303 and removed.headers["Location"] == "/domains?notice=removed"
    assert DOMAIN not in client.get("/domains", headers={"Cookie": cookie}).body.decode()


def test_campaign_sends_from_its_own_verified_domain_checked_on_save_and_schedule(client, app_module, aws_resources,
                                                                                outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    form = {"csrf_token": csrf, "name": "Maart", "list_id": list_id, "from_name": "Bakkerij Jansen",
            "template_id": json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)[
                "template_id"], "from_local_part": "nieuws", "from_domain": DOMAIN}
    # WHEN a campaign is saved with an address on a domain the account does not have
    refused = post_form(client, f"/campaigns/{campaign_id}", form, cookie=cookie, headers={"Accept-Language": "en"})
    # THEN it is refused, saying where to add one
    assert refused.status_code == 422 and "Sending domains" in refused.body.decode()
    api_refused = _post(client, "/api/v1/campaigns", headers, {"name": "X", "list_id": list_id,
                                                               "from_email": f"nieuws@{DOMAIN}"})
    assert api_refused.status_code == 422 and json.loads(api_refused.body)["errors"][0]["field"] == "from_email"
    bad = _post(client, "/api/v1/campaigns", headers, {"name": "X", "list_id": list_id, "from_email": "geen adres"})
    assert bad.status_code == 422
    # WHEN the account adds the domain (not yet verified) THEN the campaign saves with it
    _post(client, "/api/v1/domains", headers, {"domain": DOMAIN})
    assert post_form(client, f"/campaigns/{campaign_id}", form, cookie=cookie).status_code == 303
    saved = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)
    assert saved["from_email"] == f"nieuws@{DOMAIN}"
    page = client.get(f"/campaigns/{campaign_id}", headers={"Cookie": cookie}).body.decode()
    assert f'<option value="{DOMAIN}" selected>' in page
    # BUT scheduling it is refused while SES has not verified the domain, and so is a test send
    not_yet = _post(client, f"/api/v1/campaigns/{campaign_id}/schedule", headers)
    assert not_yet.status_code == 422 and json.loads(not_yet.body)["errors"][0]["field"] == "from_email"
    assert _post(client, f"/api/v1/campaigns/{campaign_id}/test", headers).status_code == 422
    # WHEN the domain is verified THEN a test send and the campaign go out from the address on it
    _mark_verified(DOMAIN)
    outbox.clear()
    assert _post(client, f"/api/v1/campaigns/{campaign_id}/test", headers).status_code == 202
    [test_mail] = outbox.mails()
    assert test_mail["from"] == f"Bakkerij Jansen <nieuws@{DOMAIN}>"
    outbox.clear()
    scheduled = _post(client, f"/api/v1/campaigns/{campaign_id}/schedule", headers)
    assert scheduled.status_code == 200, scheduled.body
    # AND the domain cannot be removed while the campaign is on its way
    in_use = client.delete(f"/api/v1/domains/{DOMAIN}", headers=headers)
    assert in_use.status_code == 409 and "Maart" in json.loads(in_use.body)["detail"]
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert mail["from"] == f"Bakkerij Jansen <nieuws@{DOMAIN}>" and mail["to"] == ["klant@example.com"]


def test_scheduling_is_refused_once_the_domain_is_removed(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _post(client, "/api/v1/domains", headers, {"domain": DOMAIN})
    _mark_verified(DOMAIN)
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    template_id = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["template_id"]
    created = _post(client, "/api/v1/campaigns", headers, {"name": "April", "list_id": list_id,
                                                           "template_id": template_id,
                                                           "from_email": f"Info@{DOMAIN.upper()}"})
    assert created.status_code == 201 and json.loads(created.body)["from_email"].lower() == f"info@{DOMAIN}"
    # WHEN the domain is removed while the campaign is a draft
    assert client.delete(f"/api/v1/domains/{DOMAIN}", headers=headers).status_code == 204
    # THEN scheduling it is refused with a clear message, never sent from a domain that is not the account's
    refused = _post(client, f"/api/v1/campaigns/{json.loads(created.body)['campaign_id']}/schedule", headers)
    assert refused.status_code == 422
    assert "Sending domains" in json.loads(refused.body)["errors"][0]["message"]


def test_erasing_an_account_releases_its_domains_and_their_identities(aws_resources):
    from chalicelib.composition import services

    # GIVEN an account with a verified domain
    service = services().sending_domains
    owner, other = _holder("owner"), _holder("other")
    service.add(owner, DOMAIN)
    _mark_verified(DOMAIN)
    service.check(owner, DOMAIN)
    # WHEN the account is erased
    service.erase_account(owner)
    # THEN its domains, the claim and the SES identity are gone: another account may add the domain
    assert service.domains(owner) == []
    ses = aws_resources.client("sesv2")
    with pytest.raises(ses.exceptions.NotFoundException):
        ses.get_email_identity(EmailIdentity=DOMAIN)
    assert service.add(other, DOMAIN).domain == DOMAIN


def test_a_custom_mail_from_subdomain_adds_its_mx_and_spf_records(client, app_module, aws_resources, outbox):
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _post(client, "/api/v1/domains", headers, {"domain": DOMAIN})
    # WHEN the holder sets a MAIL FROM subdomain
    answer = client.put(f"/api/v1/domains/{DOMAIN}/mail-from", headers=headers,
                        body=json.dumps({"subdomain": "Bounce"}).encode())
    # THEN it is pending, with an MX to SES's feedback host and an SPF record for it
    assert answer.status_code == 200, answer.body
    body = json.loads(answer.body)
    assert body["mail_from_domain"] == f"bounce.{DOMAIN}" and body["mail_from_status"] == "pending"
    records = {(r["type"], r["name"]): r["value"] for r in body["records"]}
    assert records[("MX", f"bounce.{DOMAIN}")] == "10 feedback-smtp.eu-west-1.amazonses.com"
    assert records[("TXT", f"bounce.{DOMAIN}")] == "v=spf1 include:amazonses.com ~all"
    # AND once SES verified the domain, the check says the MAIL FROM is verified too
    _mark_verified(DOMAIN)
    checked = json.loads(_post(client, f"/api/v1/domains/{DOMAIN}/check", headers).body)
    assert checked["status"] == "verified" and checked["mail_from_status"] == "verified"
    # AND a subdomain that is not one word is refused for the field; an empty one goes back to SES's own
    refused = client.put(f"/api/v1/domains/{DOMAIN}/mail-from", headers=headers,
                         body=json.dumps({"subdomain": "bou.nce"}).encode())
    assert refused.status_code == 422 and json.loads(refused.body)["errors"][0]["field"] == "mail_from"
    cleared = json.loads(client.put(f"/api/v1/domains/{DOMAIN}/mail-from", headers=headers, body=b"{}").body)
    assert cleared["mail_from_domain"] is None and not [r for r in cleared["records"] if r["type"] == "MX"]
    # AND through the page
    saved = post_form(client, f"/domains/{DOMAIN}/mail-from", {"csrf_token": csrf, "mail_from": "mail"},
                      cookie=cookie)
    assert saved.status_code == 303 and saved.headers["Location"] == f"/domains/{DOMAIN}?notice=mail-from"
    page = client.get(f"/domains/{DOMAIN}", headers={"Cookie": cookie}).body.decode()
    assert f'<code id="mail-from">mail.{DOMAIN}</code>' in page and "feedback-smtp.eu-west-1.amazonses.com" in page
    wrong = post_form(client, f"/domains/{DOMAIN}/mail-from", {"csrf_token": csrf, "mail_from": "-x"}, cookie=cookie)
    assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.body.decode()


def test_a_campaign_sent_later_is_held_when_its_domain_lost_verification_and_goes_once_resumed(
        client, app_module, aws_resources, outbox):
    from chalicelib.composition import services
    from devstack.devtools import local_verifications

    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = _api(cookie, csrf)
    _add(client, cookie, csrf, list_id, "klant@example.com", "Klant")
    _post(client, "/api/v1/domains", headers, {"domain": DOMAIN})
    _mark_verified(DOMAIN)
    template_id = json.loads(client.get(
        f"/api/v1/campaigns/{_campaign_with_template(client, cookie, csrf, list_id)}", headers=headers).body)["template_id"]
    campaign_id = json.loads(_post(client, "/api/v1/campaigns", headers, {
        "name": "Mei", "list_id": list_id, "template_id": template_id, "from_email": f"nieuws@{DOMAIN}"}).body)["campaign_id"]
    # GIVEN the campaign scheduled for tomorrow from the verified domain
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert _post(client, f"/api/v1/campaigns/{campaign_id}/schedule", headers,
                 {"send_at": tomorrow.isoformat()}).status_code == 200
    # WHEN the domain's DNS records go before then, and the scheduler comes to it
    local_verifications().mark(DOMAIN, verified=False)
    assert services().campaign_service.start_due(now=tomorrow + timedelta(minutes=1)) == 0
    # THEN it is not started but paused, saying why, and nothing was sent
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<strong id="state">Paused</strong>' in page and 'id="held-because"' in page
    assert "Sending domains" in page
    assert run_background_jobs(app_module, aws_resources) == 0
    # WHEN the records are back and the holder resumes THEN the scheduler starts it and it goes out
    _mark_verified(DOMAIN)
    assert _post(client, f"/api/v1/campaigns/{campaign_id}/resume", headers).status_code == 200
    assert services().campaign_service.start_due(now=tomorrow + timedelta(minutes=2)) == 1
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert 'id="held-because"' not in page
    outbox.clear()
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert mail["from"].endswith(f"<nieuws@{DOMAIN}>")
