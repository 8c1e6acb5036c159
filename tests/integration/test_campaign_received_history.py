"""Per contact, which campaigns they received (P14): once a campaign is sent, a job indexes its
recipients from the send ledger; the contact's page, their data and their erasure use that index."""

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from chalicelib.composition import services
from chalicelib.campaigns import received
from chalicelib.campaigns.campaigns import Campaign, CampaignState, Fanout
from chalicelib.campaigns.received import Received
from chalicelib.delivery.send_ledger import Outcomes
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.test_mail_round_trip import receive_all
from tests.integration.review_helpers import send_through_review

CAMPAIGNS_TABLE = "mailexpert-campaigns"


def _sent_campaign(client, app_module, aws_resources, outbox, addresses, email="anna@example.nl"):
    """An account whose campaign "Maart" went out, through the fan-out and the senders, to `addresses`
    (its every subscriber): (cookie, csrf, list id, campaign id, account)."""
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox, email=email)
    for number, address in enumerate(addresses):
        _add(client, cookie, csrf, list_id, address, f"Klant{number}")
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    assert run_background_jobs(app_module, aws_resources) == 1  # the fan-out
    send_campaign_batches(app_module, aws_resources)
    return cookie, csrf, list_id, campaign_id, services().accounts.by_email(email)


def _finished(client, cookie, campaign_id) -> None:
    """Someone looks at the campaign: it is seen to be sent (and its index job is queued)."""
    page = client.get(f"/campaigns/{campaign_id}?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<strong id="state">Sent</strong>' in page


def _contact_id(client, cookie, csrf, address) -> str:
    found = json.loads(client.get(f"/api/v1/contacts?search={address}",
                                  headers={"Cookie": cookie, "X-CSRF-Token": csrf}).body)["contacts"]
    [contact] = [c for c in found if c["email"] == address]
    return contact["contact_id"]


def _contact_page(client, cookie, contact_id) -> str:
    response = client.get(f"/contacts/{contact_id}?lang=en", headers={"Cookie": cookie})
    assert response.status_code == 200, response.body
    return response.body.decode()


def _buckets(aws_resources, campaign_id) -> dict[str, dict[str, str]]:
    """The index's items of a campaign, read straight from the table: bucket -> {contact id: outcome}."""
    items = aws_resources.client("dynamodb").query(
        TableName=CAMPAIGNS_TABLE, KeyConditionExpression="pk = :pk AND begins_with(sk, :received)",
        ExpressionAttributeValues={":pk": {"S": f"CAMPAIGN#{campaign_id}"}, ":received": {"S": "RECEIVED#"}})["Items"]
    return {i["sk"]["S"].removeprefix("RECEIVED#"): {k: v["S"] for k, v in i["recipients"]["M"].items()}
            for i in items}


def test_contact_page_shows_the_campaign_received_once_it_is_sent_and_indexed(client, app_module, aws_resources,
                                                                             outbox):
    # GIVEN a campaign sent to three subscribers, and a fourth person who joined the list afterwards
    addresses = [f"klant{n}@example.com" for n in range(3)]
    cookie, csrf, list_id, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox, addresses)
    _add(client, cookie, csrf, list_id, "later@example.com", "Later")
    contact_id = _contact_id(client, cookie, csrf, "klant1@example.com")
    # WHEN the contact's page is shown before the index job ran
    before = _contact_page(client, cookie, contact_id)
    # THEN the campaign does not show yet (it is sent, its index job is queued)
    assert 'id="activity"' not in before and "has not received any campaign yet" in before
    # WHEN the job runs
    assert run_background_jobs(app_module, aws_resources) == 1
    # THEN the page shows the campaign, when it was sent and that the mail went out
    page = _contact_page(client, cookie, contact_id)
    assert f'<li data-campaign="{campaign_id}"><a href="/campaigns/{campaign_id}">Maart</a> (' in page
    assert '<span class="received-sent">sent</span>' in page
    [entry] = services().campaign_service.contact_activity(account, contact_id)
    assert entry["campaign"].campaign_id == campaign_id and entry["received"] == "sent"
    assert entry["sent_at"] is not None and entry["opened"] is None and entry["clicked"] == []
    # AND the person who was not in the audience has received nothing
    later = _contact_page(client, cookie, _contact_id(client, cookie, csrf, "later@example.com"))
    assert 'id="activity"' not in later and "has not received any campaign yet" in later
    # AND in Dutch the outcome reads as Dutch
    dutch = client.get(f"/contacts/{contact_id}?lang=nl", headers={"Cookie": cookie}).body.decode()
    assert '<span class="received-sent">verstuurd</span>' in dutch


def test_received_opened_and_clicked_merge_into_one_entry_newest_campaign_first(client, app_module, aws_resources,
                                                                                outbox):
    # GIVEN a campaign sent and indexed, whose mail the contact opened
    cookie, csrf, list_id, first_id, account = _sent_campaign(client, app_module, aws_resources, outbox,
                                                              ["klant@example.com"])
    _finished(client, cookie, first_id)
    run_background_jobs(app_module, aws_resources)
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == first_id]
    pixel_path = mail["html"].split('src="http://127.0.0.1:8000', 1)[1].split('"', 1)[0]
    assert client.get(pixel_path).status_code == 204
    # AND a second campaign sent later to the same list, indexed too
    second_id = _campaign_with_template(client, cookie, csrf, list_id)
    send_through_review(client, cookie, csrf, second_id)
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    _finished(client, cookie, second_id)
    assert run_background_jobs(app_module, aws_resources) == 1
    # WHEN the contact's activity is read
    contact_id = _contact_id(client, cookie, csrf, "klant@example.com")
    activity = services().campaign_service.contact_activity(account, contact_id)
    # THEN one entry per campaign, the newest first, received and opened together
    assert [a["campaign"].campaign_id for a in activity] == [second_id, first_id]
    assert [a["received"] for a in activity] == ["sent", "sent"]
    assert activity[0]["opened"] is None and activity[1]["opened"] is not None
    page = _contact_page(client, cookie, contact_id)
    assert page.index(f'data-campaign="{second_id}"') < page.index(f'data-campaign="{first_id}"')
    assert "sent</span>;\n      opened " in page


def test_opened_while_not_yet_indexed_shows_as_being_sent(client, app_module, aws_resources, outbox):
    # GIVEN a campaign whose mail was opened while its index job has not run
    cookie, csrf, _, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox,
                                                           ["klant@example.com"])
    [mail] = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    client.get(mail["html"].split('src="http://127.0.0.1:8000', 1)[1].split('"', 1)[0])
    # WHEN the contact's page is shown
    page = _contact_page(client, cookie, _contact_id(client, cookie, csrf, "klant@example.com"))
    # THEN the campaign shows with its open, as being sent
    assert '<span class="received-pending">being sent</span>' in page and "opened " in page


def test_index_job_run_twice_or_for_an_unsent_campaign_changes_nothing(client, app_module, aws_resources, outbox):
    # GIVEN a sent campaign, indexed
    addresses = [f"klant{n}@example.com" for n in range(3)]
    cookie, csrf, list_id, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox,
                                                                 addresses)
    _finished(client, cookie, campaign_id)
    assert run_background_jobs(app_module, aws_resources) == 1
    indexed = _buckets(aws_resources, campaign_id)
    assert list(indexed) == [""]  # three recipients: one bucket, no prefix
    assert sorted(indexed[""]) == sorted(_contact_id(client, cookie, csrf, a) for a in addresses)
    assert set(indexed[""].values()) == {"sent"}
    # WHEN the job is delivered again, twice (SQS delivers at least once)
    job = {"job": received.INDEX_JOB, "account_id": account.account_id, "campaign_id": campaign_id}
    services().jobs_queue.enqueue(job)
    services().jobs_queue.enqueue(job)
    assert run_background_jobs(app_module, aws_resources) == 2
    # THEN the index is the same and no further pass is queued
    assert _buckets(aws_resources, campaign_id) == indexed
    assert run_background_jobs(app_module, aws_resources) == 0
    # AND a campaign not sent yet is not indexed at all
    draft_id = _campaign_with_template(client, cookie, csrf, list_id)
    services().jobs_queue.enqueue({**job, "campaign_id": draft_id})
    assert run_background_jobs(app_module, aws_resources) == 1
    assert _buckets(aws_resources, draft_id) == {}


def test_sent_campaign_whose_index_job_was_lost_is_queued_again_after_a_while(client, app_module, aws_resources,
                                                                               outbox, monkeypatch):
    # GIVEN a sent campaign whose index job got lost on the way
    cookie, csrf, _, campaign_id, _ = _sent_campaign(client, app_module, aws_resources, outbox, ["klant@example.com"])
    _finished(client, cookie, campaign_id)
    _, lost = receive_all(aws_resources.client("sqs"), "mailexpert-jobs")
    assert [json.loads(m["Body"])["job"] for m in lost] == [received.INDEX_JOB]
    contact_id = _contact_id(client, cookie, csrf, "klant@example.com")
    # WHEN the contact's page is shown right after: THEN nothing is queued yet (the job may be on its way)
    _contact_page(client, cookie, contact_id)
    assert run_background_jobs(app_module, aws_resources) == 0
    # WHEN it is shown once REINDEX_AFTER has passed
    monkeypatch.setattr(received, "REINDEX_AFTER", timedelta(0))
    _contact_page(client, cookie, contact_id)
    # THEN the job is queued again, and once it ran the campaign shows received and nothing more is queued
    assert run_background_jobs(app_module, aws_resources) == 1
    assert '<span class="received-sent">sent</span>' in _contact_page(client, cookie, contact_id)
    assert run_background_jobs(app_module, aws_resources) == 0


def test_bigger_campaign_is_indexed_in_buckets_by_id_prefix_over_several_passes(client, app_module, aws_resources,
                                                                               outbox, monkeypatch):
    # GIVEN buckets of 2 recipients on average and passes of 8 (a million and 2,000 when deployed)
    monkeypatch.setattr(received, "BUCKET_TARGET", 2)
    monkeypatch.setattr(received, "PASS_LIMIT", 8)
    addresses = [f"klant{n}@example.com" for n in range(20)]
    cookie, csrf, _, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox, addresses)
    _finished(client, cookie, campaign_id)
    # WHEN the jobs run until none is left, one of them delivered twice
    first = run_background_jobs(app_module, aws_resources)
    services().jobs_queue.enqueue({"job": received.INDEX_JOB, "account_id": account.account_id,
                                   "campaign_id": campaign_id})
    passes = first + run_background_jobs(app_module, aws_resources) - 1
    while (ran := run_background_jobs(app_module, aws_resources)):
        passes += ran
    # THEN 20 recipients got a one-digit prefix, in 3 passes, several buckets, each id in its own prefix's
    campaign = services().campaigns_store.get_campaign(account.account_id, campaign_id)
    assert (campaign.recipient_index.prefix_length, campaign.recipient_index.passes) == (1, 3)
    assert campaign.recipient_index.complete and passes == 3
    buckets = _buckets(aws_resources, campaign_id)
    assert len(buckets) > 3
    assert all(contact_id.startswith(prefix) for prefix, members in buckets.items() for contact_id in members)
    ids = {_contact_id(client, cookie, csrf, a): a for a in addresses}
    assert sorted(c for members in buckets.values() for c in members) == sorted(ids)
    # AND every recipient's page shows the campaign received
    for contact_id in list(ids)[:5]:
        [entry] = services().campaign_service.contact_activity(account, contact_id)
        assert entry["received"] == "sent"


def test_index_keeps_each_outcome_and_leaves_out_the_skipped(aws_resources):
    # GIVEN a sent campaign whose ledger holds one recipient of each outcome
    store, ledger = services().campaigns_store, services().send_ledger
    now = datetime.now(timezone.utc)
    campaign = Campaign("c" * 32, "acct-1", "April", "Nieuws", "Bakkerij", None, "t1", "l1", None, CampaignState.SENT,
                        now, now, fanout=Fanout(page=1, recipients=4, done=True), started_at=now, finished_at=now)
    store.save_campaign(campaign)
    ledger.claim(campaign.campaign_id, "000000-000", "worker")
    ledger.checkpoint(campaign.campaign_id, "000000-000", "worker", Outcomes(
        sent={"a" * 32: "ses-1"}, failed={"b" * 32: "MessageRejected"}, unknown={"c" * 32}, skipped={"d" * 32}),
        release=True)
    # WHEN the index job runs
    services().campaign_service.index_recipients("acct-1", campaign.campaign_id)
    # THEN each recipient's outcome is found, and the skipped one was not a recipient
    indexed = store.get_campaign("acct-1", campaign.campaign_id)
    index = services().received_index
    assert {k: index.received_by(k * 32, [indexed]).get(campaign.campaign_id) for k in "abcd"} == {
        "a": Received.SENT, "b": Received.FAILED, "c": Received.UNKNOWN, "d": None}
    # AND the index expires with the ledger, 400 days after the campaign started
    item = aws_resources.client("dynamodb").get_item(TableName=CAMPAIGNS_TABLE, Key={
        "pk": {"S": f"CAMPAIGN#{campaign.campaign_id}"}, "sk": {"S": "RECEIVED#"}})["Item"]
    assert int(item["expires_at"]["N"]) == int(now.timestamp()) + 400 * 24 * 3600


def test_erasure_between_passes_takes_the_contact_out_of_the_buckets_written_so_far(aws_resources, monkeypatch):
    # GIVEN a sent campaign of 20 recipients indexed in 3 passes, of which only the first has run
    monkeypatch.setattr(received, "BUCKET_TARGET", 2)
    monkeypatch.setattr(received, "PASS_LIMIT", 8)
    store, ledger, index = services().campaigns_store, services().send_ledger, services().received_index
    now = datetime.now(timezone.utc)
    campaign = Campaign("e" * 32, "acct-1", "Mei", "Nieuws", "Bakkerij", None, "t1", "l1", None, CampaignState.SENT,
                        now, now, fanout=Fanout(page=1, recipients=20, done=True), started_at=now, finished_at=now)
    store.save_campaign(campaign)
    recipients = [f"{n:x}{n:031x}" for n in range(16)] + [f"0{n:031x}" for n in range(1, 5)]
    ledger.claim(campaign.campaign_id, "000000-000", "worker")
    ledger.checkpoint(campaign.campaign_id, "000000-000", "worker",
                      Outcomes(sent={c: f"ses-{c[:4]}" for c in recipients}), release=True)
    services().campaign_service.index_recipients("acct-1", campaign.campaign_id)
    partly = store.get_campaign("acct-1", campaign.campaign_id)
    assert partly.recipient_index.done_passes == 1 and not partly.recipient_index.complete
    erased = recipients[0]  # in bucket "0": the first pass's
    assert erased in _buckets(aws_resources, campaign.campaign_id)["0"]
    # WHEN that contact is erased, and the other passes run
    assert index.forget(erased, [partly]) == 1
    while True:
        progress = index.index_pass(store.get_campaign("acct-1", campaign.campaign_id))
        if progress is None or progress.complete:
            break
    # THEN the contact is in no bucket, and every other recipient is
    buckets = _buckets(aws_resources, campaign.campaign_id)
    assert sorted(c for members in buckets.values() for c in members) == sorted(recipients[1:])
    indexed = store.get_campaign("acct-1", campaign.campaign_id)
    assert indexed.recipient_index.complete and index.received_by(erased, [indexed]) == {}


def test_erasing_a_contact_takes_them_out_of_the_index_only(client, app_module, aws_resources, outbox):
    # GIVEN a sent, indexed campaign to two subscribers
    addresses = ["blijft@example.com", "weg@example.com"]
    cookie, csrf, _, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox, addresses)
    _finished(client, cookie, campaign_id)
    run_background_jobs(app_module, aws_resources)
    staying, leaving = (_contact_id(client, cookie, csrf, a) for a in addresses)
    # WHEN one of them is erased
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf}
    assert client.request("DELETE", f"/api/v1/contacts/{leaving}", headers=headers, body=b"").status_code == 204
    # THEN the index no longer holds them anywhere; the other recipient and the report's totals stay
    items = aws_resources.client("dynamodb").scan(TableName=CAMPAIGNS_TABLE)["Items"]
    assert not [i for i in items if i["sk"]["S"].startswith("RECEIVED#") and leaving in json.dumps(i)]
    assert _buckets(aws_resources, campaign_id) == {"": {staying: "sent"}}
    report = json.loads(client.get(f"/api/v1/campaigns/{campaign_id}", headers=headers).body)["report"]
    assert report["sent"] == 2
    [entry] = services().campaign_service.contact_activity(account, staying)
    assert entry["received"] == "sent"


def test_contact_data_download_lists_the_campaigns_received(client, app_module, aws_resources, outbox):
    # GIVEN a sent, indexed campaign
    cookie, csrf, _, campaign_id, _ = _sent_campaign(client, app_module, aws_resources, outbox, ["klant@example.com"])
    _finished(client, cookie, campaign_id)
    run_background_jobs(app_module, aws_resources)
    contact_id = _contact_id(client, cookie, csrf, "klant@example.com")
    # WHEN the contact's data is downloaded (their access request), through the API and the page
    data = json.loads(client.get(f"/api/v1/contacts/{contact_id}/data",
                                 headers={"Cookie": cookie, "X-CSRF-Token": csrf}).body)
    download = json.loads(client.get(f"/contacts/{contact_id}/export", headers={"Cookie": cookie}).body)
    # THEN both say which campaign they received, when, and that it was sent
    [entry] = data["campaigns"]
    assert entry["campaign"] == "Maart" and entry["received"] == "sent"
    assert datetime.fromisoformat(entry["sent_at"]) <= datetime.now(timezone.utc)
    assert download["campaigns"] == data["campaigns"]


def test_another_account_never_sees_what_a_contact_received(client, app_module, aws_resources, outbox):
    # GIVEN Anna's campaign sent to klant@ and indexed, and Bert who has the same address on his own list
    cookie, csrf, _, campaign_id, anna = _sent_campaign(client, app_module, aws_resources, outbox,
                                                        ["klant@example.com"])
    _finished(client, cookie, campaign_id)
    run_background_jobs(app_module, aws_resources)
    annas_contact = _contact_id(client, cookie, csrf, "klant@example.com")
    bert_cookie, bert_csrf, bert_list = account_with_list(client, app_module, aws_resources, outbox,
                                                          email="bert@example.nl")
    _add(client, bert_cookie, bert_csrf, bert_list, "klant@example.com", "Klant")
    berts_contact = _contact_id(client, bert_cookie, bert_csrf, "klant@example.com")
    bert = services().accounts.by_email("bert@example.nl")
    # WHEN Bert looks at his contact, and at Anna's contact id
    page = _contact_page(client, bert_cookie, berts_contact)
    # THEN he sees no campaign of Anna's, and Anna's contact is not his to see
    assert campaign_id not in page and "has not received any campaign yet" in page
    assert client.get(f"/contacts/{annas_contact}", headers={"Cookie": bert_cookie}).status_code == 404
    assert services().campaign_service.contact_activity(bert, annas_contact) == []
    assert services().campaign_service.contact_activity(anna, annas_contact)[0]["received"] == "sent"


def test_the_scheduler_marks_a_finished_campaign_sent_and_indexes_it_without_anyone_looking(
        client, app_module, aws_resources, outbox):
    # GIVEN a campaign whose every recipient has an outcome, that nobody has looked at since
    addresses = [f"klant{n}@example.com" for n in range(2)]
    cookie, csrf, _, campaign_id, account = _sent_campaign(client, app_module, aws_resources, outbox, addresses)
    store = services().campaigns_store
    assert store.get_campaign(account.account_id, campaign_id).state is CampaignState.SENDING
    # WHEN the scheduler runs its minute
    services().campaign_service.start_due()
    # THEN the campaign is sent, with its finish time, and its recipients get indexed
    stored = store.get_campaign(account.account_id, campaign_id)
    assert stored.state is CampaignState.SENT and stored.finished_at is not None
    assert run_background_jobs(app_module, aws_resources) == 1  # the index job
    assert sorted(outcome for bucket in _buckets(aws_resources, campaign_id).values()
                  for outcome in bucket.values()) == ["sent", "sent"]
    # AND a sent campaign is no longer among those the scheduler looks at
    assert (account.account_id, campaign_id) not in store.sending()


def test_a_campaign_cancelled_mid_send_shows_received_for_those_it_reached(aws_resources, monkeypatch):
    # GIVEN a campaign to 4 of which 2 were sent when its holder cancelled it
    store, ledger = services().campaigns_store, services().send_ledger
    now = datetime.now(timezone.utc)
    campaign = Campaign("f" * 32, "acct-1", "Juni", "Nieuws", "Bakkerij", None, "t1", "l1", None,
                        CampaignState.SENDING, now, now, fanout=Fanout(page=1, recipients=4, done=True), started_at=now)
    store.save_campaign(campaign)
    ledger.claim(campaign.campaign_id, "000000-000", "worker")
    ledger.checkpoint(campaign.campaign_id, "000000-000", "worker",
                      Outcomes(sent={"a" * 32: "ses-1", "b" * 32: "ses-2"}), release=True)
    holder = SimpleNamespace(account_id="acct-1")
    service = services().campaign_service
    assert service.cancel(holder, campaign.campaign_id).state is CampaignState.CANCELLED
    # WHEN a contact's page is shown once its senders have surely stopped
    monkeypatch.setattr(received, "REINDEX_AFTER", timedelta(0))
    assert service.contact_activity(holder, "a" * 32) == []
    _, queued = receive_all(aws_resources.client("sqs"), "mailexpert-jobs")
    assert [json.loads(m["Body"])["job"] for m in queued] == [received.INDEX_JOB]
    service.index_recipients("acct-1", campaign.campaign_id)
    # THEN those it reached show it received, and the others do not
    [entry] = service.contact_activity(holder, "a" * 32)
    assert entry["campaign"].state is CampaignState.CANCELLED and entry["received"] == "sent"
    assert service.contact_activity(holder, "c" * 32) == []
