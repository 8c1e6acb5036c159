"""The suppression invariant, under hypothesis-generated sequences: no campaign recipient is ever an
address of that account that unsubscribed, bounced hard or complained, whatever the order of
imports, sign-ups, confirmations, unsubscribes and delivery failures. Only the person's own
double opt-in brings an unsubscribed address back; nothing brings back a bounce, a complaint or
an address the account holder suppressed."""

import uuid
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ADDRESSES = ["a@example.org", "b@example.org", "c@example.org"]
LISTS = [0, 1]
EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"
STEPS = st.lists(st.tuples(st.sampled_from(["import", "add_with_basis", "sign_up_and_confirm", "unsubscribe_list",
                                            "unsubscribe_all", "hard_bounce", "complaint", "manual_suppress"]),
                           st.sampled_from(ADDRESSES), st.sampled_from(LISTS)), min_size=1, max_size=12)


class Holder:
    """An account of the test, stored directly (no registration mail needed)."""

    def __init__(self, services):
        from chalicelib.accounts.account import Account

        now = datetime.now(timezone.utc)
        self.account = Account(account_id=uuid.uuid4().hex, email=f"{uuid.uuid4().hex[:8]}@example.nl", name="Anna",
                               phone="+31201234567", street="Dam 1", postcode="1012 JS", city="Amsterdam", country="NL",
                               language="nl", password_hash="x", password_changed_at=now, created_at=now,
                               email_verified_at=now)
        services().accounts.create(self.account)


def test_no_recipient_is_ever_suppressed_or_unsubscribed(app_module, aws_resources):
    from chalicelib.composition import services
    from chalicelib.audience.audience import ConsentSource, SuppressionReason
    from chalicelib.accounts.auth_store import LinkPurpose, LinkRefused
    from chalicelib.audience.schemas import ContactIn, ListIn, SignUpIn
    from chalicelib.delivery.ses_events import SesEvent, SesEventType

    s3 = aws_resources.client("s3")

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=STEPS)
    def run(steps):
        service = services().audience_service
        holder = Holder(services)
        account = holder.account
        list_ids = [service.create_list(account, ListIn(name=f"L{n}")).list_id for n in LISTS]
        gone_forever, left_everything, left_list = set(), set(), set()
        for action, address, n in steps:
            list_id = list_ids[n]
            if action == "import":  # the real bulk importer: a CSV file of one row through S3 and the job
                imports = services().contact_imports
                imported, form = imports.begin(account, list_id)
                s3.put_object(Bucket=EXPORTS_BUCKET, Key=form["fields"]["key"], Body=f"email\n{address}\n".encode())
                imports.file_received(account, imported.import_id)
                imports.start(account, imported.import_id, {"0": "email"}, True, "imported", None, None)
                imports.run(account.account_id, imported.import_id)
            elif action == "add_with_basis":
                service.add_contact(account, list_id, ContactIn(email=address, confirm=False, lawful_basis="asked"),
                                    ConsentSource.MANUAL, None)
            elif action == "sign_up_and_confirm":
                service._throttle.retry_after = lambda *a: None  # this test is about order, not rate
                service.sign_up(list_id, SignUpIn(email=address), "", "nl", None, None)
                token = services().auth_store.issue_link(
                    account.account_id, LinkPurpose.CONFIRM_SUBSCRIPTION, timedelta(days=1), payload={
                        "list_id": list_id,
                        "contact_id": services().audience.contact_by_email(account.account_id, address).contact_id})
                try:
                    service.confirm_subscription(token, None, None)
                    if address not in gone_forever:
                        left_everything.discard(address)
                        left_list.discard((address, list_id))
                except LinkRefused:
                    pass  # refused: suppressed for good, or not (or no longer) on the list
            elif action in ("unsubscribe_list", "unsubscribe_all"):
                contact = services().audience.contact_by_email(account.account_id, address)
                if contact is None:
                    continue
                everything = action == "unsubscribe_all"
                token = service.unsubscribe_token(account.account_id, contact.contact_id, "*" if everything else list_id)
                service.unsubscribe(token, None)
                if everything:
                    left_everything.add(address)
                else:
                    left_list.add((address, list_id))
            elif action in ("hard_bounce", "complaint"):
                kind = SesEventType.BOUNCE if action == "hard_bounce" else SesEventType.COMPLAINT
                service.suppress_failed_delivery(SesEvent(kind, "m", "t", (address,), bounce_type="Permanent",
                                                          tags={"account": [account.account_id], "list": [list_id]}))
                gone_forever.add(address)
            elif action == "manual_suppress":
                service.suppress(account.account_id, address, SuppressionReason.MANUAL, "test")
                gone_forever.add(address)
            # THEN after every step, no campaign to either list would reach a forbidden address: not the
            # fan-out's reading of the list, nor the senders' last check before each mail
            contacts, _ = services().audience.contacts(account.account_id, limit=100)
            for m, each_list in enumerate(list_ids):
                recipients = {c.email for c in service.recipients(account.account_id, each_list)}
                forbidden = gone_forever | left_everything | {a for a, l in left_list if l == each_list}
                assert not recipients & forbidden, (steps, m, recipients & forbidden)
                mailable = services().audience.mailable_among(account.account_id, each_list,
                                                              [(c.contact_id, c.email_key) for c in contacts])
                mailed = {c.email for c in contacts if c.contact_id in mailable}
                assert not mailed & forbidden, (steps, m, mailed & forbidden)
                assert mailed == recipients, (steps, m)

    run()
