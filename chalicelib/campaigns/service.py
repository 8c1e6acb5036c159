"""Campaign services: templates, campaigns and their states, scheduling, fan-out, what senders need.

A campaign moves draft -> scheduled -> sending -> sent, and can be paused, resumed or cancelled on
the way (campaigns.TRANSITIONS). Scheduling snapshots the template, so editing a template later never
changes a campaign already on its way. The fan-out (jobs queue) reads the audience page by page and
enqueues recipients 50 to an SQS message, 10 messages a SendMessageBatch call. Each page's recipient
ids are written down BEFORE they are enqueued and the campaign's progress after: a fan-out that dies
in between enqueues exactly that page again, with the same batch ids, and the senders' ledger
(delivery/send_ledger.py) makes sure nobody in it is mailed twice.

Senders check each recipient again just before sending (one batch read per message): whoever
unsubscribed or got suppressed after the fan-out is skipped, so an unsubscribe takes effect before
the next send.
"""

import email.utils
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from chalicelib import errors
from chalicelib.campaigns.campaigns import (DOMAIN_NOT_VERIFIED, RECIPIENT_LIMIT, STATE_NAMES, TRANSITIONS, Campaign,
                                            CampaignState, Fanout, Template, stored_bytes)
from chalicelib.campaigns.repository import StateConflict
from chalicelib.hooks import Hook
from chalicelib.i18n import N_, gettext
from chalicelib.observability import logger

FANOUT_JOB = "campaign-fanout"
FANOUT_PAGE = 500
RECIPIENTS_PER_MESSAGE = 50
DEFAULT_TIME_ZONE = "Europe/Amsterdam"
SAMPLE_CONTACT = {"contact_id": "preview", "email": "voorbeeld@example.com", "first_name": "Sanne",
                  "last_name": "de Vries", "language": "nl", "fields": {}}


def _now() -> datetime:
    return datetime.now(timezone.utc)


class CampaignNotFound(errors.NotFound):
    default_message = N_("There is no such campaign in your account.")


class TemplateNotFound(errors.NotFound):
    default_message = N_("There is no such template in your account.")


class WrongState(errors.DomainError):
    status = 409
    code = "campaign-state"
    title = N_("This cannot be done with the campaign now")
    default_message = N_("The campaign is %(state)s: this step is not possible any more.")


def contact_values(contact) -> dict:
    """What a template sees of a contact."""
    return {"contact_id": contact.contact_id, "email": contact.email, "first_name": contact.first_name,
            "last_name": contact.last_name, "language": contact.language, "fields": dict(contact.fields or {})}


class CampaignService:
    def __init__(self, store, audience, audience_service, segments, send_queue, jobs_queue,
                 tracking_signer, mail_sender, from_address: str, base_url: str, sending_domains=None,
                 send_ledger=None, received_index=None, usage=None):
        self._store = store
        self._audience = audience
        self._audience_service = audience_service
        self._segments = segments  # the segment service (None: campaigns go to whole lists)
        self._send_queue = send_queue  # the campaign send queue (`chalicelib.queues.SqsQueue`)
        self._jobs_queue = jobs_queue
        self._tracking_signer = tracking_signer  # a function: its key is fetched on first use
        self._mail_sender = mail_sender
        self._from_address = email.utils.parseaddr(from_address)[1]
        self._base_url = base_url
        self._sending_domains = sending_domains  # the sending domain service (None: the shared address only)
        self._send_ledger = send_ledger
        self._received_index = received_index
        # The usage service (chalicelib.usage): storage and recipients are claimed before the work,
        # what happened is counted as it happens. None: nothing metered (unit tests of other parts).
        self._usage = usage
        self.started = Hook()  # (account id, campaign id): a campaign began to go out

    # --- templates -------------------------------------------------------------------------------

    def save_template(self, account, data, template_id: str | None = None) -> Template:
        from chalicelib.campaigns.template_saving import prepare_template

        prepared = prepare_template(data.html, data.text, data.subject)
        existing = self.get_template(account, template_id) if template_id else None
        template = Template(template_id or uuid.uuid4().hex, account.account_id, data.name, prepared.subject,
                            prepared.html, prepared.text, prepared.text_derived, prepared.links,
                            existing.created_at if existing else _now(), _now())
        grown = stored_bytes(template) - (stored_bytes(existing) if existing else 0)
        if self._usage is not None and grown > 0:  # refused over the storage limit before anything is saved
            from chalicelib.usage.plans import Meter

            self._usage.claim(account, Meter.STORAGE_BYTES, grown, field="html")
        try:
            self._store.save_template(template)
        except Exception:
            self._give_back_storage(account, grown)
            raise
        if grown < 0:
            self._give_back_storage(account, -grown)
        return template

    def _give_back_storage(self, account, size: int) -> None:
        if self._usage is not None and size > 0:
            from chalicelib.usage.plans import Meter

            self._usage.release(account, Meter.STORAGE_BYTES, size)

    def templates(self, account) -> list[Template]:
        return self._store.templates(account.account_id)

    def get_template(self, account, template_id: str) -> Template:
        template = self._store.get_template(account.account_id, template_id)
        if template is None:
            raise TemplateNotFound()
        return template

    def delete_template(self, account, template_id: str) -> None:
        template = self.get_template(account, template_id)
        self._store.delete_template(account.account_id, template_id)
        self._give_back_storage(account, stored_bytes(template))

    def template_bytes(self, account_id: str) -> int:
        """The bytes of the account's templates, counted once: the start of a storage gauge that was
        never kept (an account from before metering)."""
        return sum(stored_bytes(template) for template in self._store.templates(account_id))

    @staticmethod
    def _prepared(content):
        from chalicelib.campaigns.template_saving import PreparedTemplate

        if isinstance(content, Template):
            return PreparedTemplate(content.subject, content.html, content.text, tuple(content.links),
                                    content.text_derived)
        return PreparedTemplate(content["subject"], content["html"], content["text"], tuple(content["links"]),
                                bool(content.get("text_derived")))

    def preview(self, account, template_id: str, contact_id: str | None = None):
        """The template as one contact (or a sample person) would get it; no tracking."""
        from chalicelib.campaigns.campaign_rendering import preview
        from chalicelib.campaigns.template_sandbox import RENDER_FAILURE_NAMES, RenderFailed, limit_problem

        template = self.get_template(account, template_id)
        contact = SAMPLE_CONTACT
        if contact_id:
            found = self._audience.get_contact(account.account_id, contact_id)
            if found is None:
                raise errors.NotFound(N_("There is no such contact in your account."))
            contact = contact_values(found)
        try:
            return preview(self._prepared(template), contact, language=account.language)
        except RenderFailed as failed:
            over_limit = limit_problem(failed)
            if over_limit is not None:
                message, params = over_limit
                raise errors.ValidationFailed(message, **params) from None
            raise errors.ValidationFailed(N_("The template could not be shown for this contact: %(reason)s"),
                                          reason=errors.Message(RENDER_FAILURE_NAMES[failed.reason])) from None

    def test_send(self, account, template_id: str, from_name: str | None = None, from_email: str | None = None,
                  reply_to: str | None = None) -> None:
        """The template, as the sample person, to the account holder's own confirmed address; from the
        shared address, or from a campaign's own (its domain verified, asked now)."""
        from chalicelib.accounts.service import require_may_send
        from chalicelib.delivery.mail import OutgoingMail
        from chalicelib.sending_domains.domains import domain_of

        require_may_send(account)
        if from_email:
            self._sending_domains.require_verified(account, domain_of(from_email))
        parts = self.preview(account, template_id)
        self._mail_sender.send_one(OutgoingMail(
            to=(account.email,), subject=f"[{gettext(N_('Test'))}] {parts.subject}", text=parts.text, html=parts.html,
            tags={"account": account.account_id, "kind": "test"}, reply_to=(reply_to,) if reply_to else (),
            from_address=email.utils.formataddr((from_name or account.company_name or account.name,
                                                 from_email or self._from_address))))
        logger.info("template test sent", template_id=template_id, own_domain=bool(from_email))

    def test_send_campaign(self, account, campaign_id: str) -> None:
        """The campaign's template as the sample person, with the campaign's from name and address."""
        campaign = self.get_campaign(account, campaign_id)
        if not campaign.template_id:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "template_id", N_("Choose the template of this campaign first."))])
        self.test_send(account, campaign.template_id, campaign.from_name, campaign.from_email, campaign.reply_to)
        self._store.record_test_send(campaign_id, account.email, _now())

    def last_test_send(self, account, campaign_id: str) -> tuple[str, datetime] | None:
        """(to whom, when) of the campaign's last test mail, or None: its review page shows it."""
        self.get_campaign(account, campaign_id)
        return self._store.last_test_send(campaign_id)

    def _own_from_email(self, account, address: str | None) -> str | None:
        """A campaign's from address: None for the shared one, else on one of the account's domains
        (the domain in its ASCII form, as SES knows it)."""
        from chalicelib.sending_domains.domains import normalised_domain

        if not address or address.lower() == self._from_address.lower():
            return None
        local, _, domain = address.rpartition("@")
        shared_domain = self._from_address.rpartition("@")[2]
        try:
            ascii_domain = normalised_domain(domain, shared_domain)
        except ValueError:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("from_email", N_(
                "Send from the shared address or from a domain of your own: add and verify it under Sending "
                "domains first."))]) from None
        if self._sending_domains is None:
            raise errors.ValidationFailed(field_errors=[errors.FieldError("from_email", N_(
                "Campaigns go out from the shared address here."))])
        self._sending_domains.require_own(account, ascii_domain)
        return f"{local}@{ascii_domain}"

    def campaigns_sending_from(self, account, domain: str) -> list[str]:
        """Names of the account's campaigns on their way (scheduled, sending, paused) from a domain."""
        from chalicelib.sending_domains.domains import domain_of

        on_their_way = (CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED)
        return [c.name for c in self._store.campaigns(account.account_id)
                if c.state in on_their_way and c.from_email and domain_of(c.from_email) == domain]

    # --- campaigns -------------------------------------------------------------------------------

    def create_campaign(self, account, data) -> Campaign:
        list_id = self._check_audience(account, data.list_id, data.segment_id)
        if data.template_id:
            self.get_template(account, data.template_id)
        from_email = self._own_from_email(account, data.from_email)
        campaign = Campaign(uuid.uuid4().hex, account.account_id, data.name, data.subject or "",
                            data.from_name or account.company_name or account.name, data.reply_to or account.email,
                            data.template_id, list_id, data.segment_id, CampaignState.DRAFT, _now(), _now(),
                            tracking=data.tracking and account.campaign_tracking, from_email=from_email)
        self._store.save_campaign(campaign)
        return campaign

    def update_campaign(self, account, campaign_id: str, data) -> Campaign:
        campaign = self.get_campaign(account, campaign_id)
        if campaign.state is not CampaignState.DRAFT:
            raise WrongState(state=gettext(STATE_NAMES[campaign.state]).lower())
        list_id = self._check_audience(account, data.list_id, data.segment_id)
        if data.template_id:
            self.get_template(account, data.template_id)
        campaign.name, campaign.subject, campaign.template_id = data.name, data.subject or "", data.template_id
        campaign.from_name = data.from_name or campaign.from_name
        campaign.from_email = self._own_from_email(account, data.from_email)
        campaign.reply_to = data.reply_to or campaign.reply_to
        campaign.list_id, campaign.segment_id = list_id, data.segment_id
        campaign.tracking = data.tracking and account.campaign_tracking
        self._store.save_campaign(campaign, expected_state=CampaignState.DRAFT)
        return campaign

    def follow_tracking_choice(self, account) -> None:
        """The account switched counting opens and clicks off (P14): its campaigns not yet started stop
        counting too. A campaign being sent keeps what it started with: its mails must agree."""
        if account.campaign_tracking:
            return
        for campaign in self._store.campaigns(account.account_id):
            if campaign.tracking and campaign.started_at is None and campaign.state in (
                    CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.PAUSED):
                campaign.tracking = False
                try:
                    self._store.save_campaign(campaign, expected_state=campaign.state)
                except StateConflict:  # it moved a moment ago: started, or cancelled
                    logger.warning("campaign tracking choice not applied", campaign_id=campaign.campaign_id)

    def _check_audience(self, account, list_id: str | None, segment_id: str | None) -> str:
        """The list a campaign goes to (a segment's own list), after checking it is the account's."""
        if segment_id:
            segment = self._segments.get(account, segment_id)
            if list_id and segment.list_id != list_id:
                raise errors.ValidationFailed(field_errors=[errors.FieldError(
                    "segment_id", N_("This segment belongs to another list."))])
            return segment.list_id
        elif list_id:
            self._audience_service.get_list(account, list_id)
            return list_id
        else:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "list_id", N_("Choose the list (or segment) this campaign goes to."))])

    def campaigns(self, account) -> list[Campaign]:
        return [self._settled(c) for c in self._store.campaigns(account.account_id)]

    def get_campaign(self, account, campaign_id: str) -> Campaign:
        campaign = self._store.get_campaign(account.account_id, campaign_id)
        if campaign is None:
            raise CampaignNotFound()
        return self._settled(campaign)

    def _settled(self, campaign: Campaign) -> Campaign:
        """A sending campaign whose every recipient has an outcome is sent."""
        if campaign.state is CampaignState.SENDING and campaign.fanout.done:
            stats = self.stats(campaign.campaign_id)
            if sum(stats.values()) >= campaign.fanout.recipients:
                campaign.state, campaign.finished_at = CampaignState.SENT, _now()
                try:
                    self._store.save_campaign(campaign, expected_state=CampaignState.SENDING)
                except StateConflict:
                    pass
                else:  # only the one save that moved it indexes who received it
                    self._index_recipients_later(campaign)
        return campaign

    def stats(self, campaign_id: str) -> dict:
        from chalicelib.delivery.send_ledger import COUNTED

        stats = self._send_ledger.stats(campaign_id)
        return {name: int(getattr(stats, name, 0) or 0) for name in COUNTED}

    def schedule(self, account, campaign_id: str, send_at: datetime | None, time_zone: str = DEFAULT_TIME_ZONE,
                 recipients: int | None = None):
        """Send now (`send_at` None) or at a time; only a verified, active account sends, and not
        while its sending is paused for bounces or complaints (delivery/reputation.py). The pages
        call this only after the account holder confirmed the review (review.py), which passes the
        `recipients` it has just counted; the API at once, counted here."""
        campaign = self.schedulable(account, campaign_id, send_at)
        self.require_renders(account, campaign)
        held = self._reserve_recipients(account, campaign, recipients)  # QuotaExceeded: refused, nothing queued
        previous = campaign.state
        campaign.send_at, campaign.time_zone = send_at or _now(), time_zone
        campaign.state = CampaignState.SCHEDULED
        try:
            self._store.save_campaign(campaign, expected_state=previous)
        except Exception:
            if held is not None:
                self._usage.settle_recipients(account.account_id, campaign_id, held)
            raise
        logger.info("campaign scheduled", campaign_id=campaign_id, now=send_at is None)
        if send_at is None:
            self._start(account.account_id, campaign_id)
        return self.get_campaign(account, campaign_id)

    def schedulable(self, account, campaign_id: str, send_at: datetime | None) -> Campaign:
        """The campaign, when it may be sent now (`send_at` None) or at `send_at`: what `schedule`
        checks before it changes anything, and what the review page checks before it shows the summary."""
        from chalicelib.accounts.service import require_may_send
        from chalicelib.delivery.reputation import require_sending_allowed

        require_may_send(account)
        require_sending_allowed(account)
        campaign = self.get_campaign(account, campaign_id)
        if campaign.state not in (CampaignState.DRAFT, CampaignState.PAUSED) or campaign.fanout.page:
            raise WrongState(state=gettext(STATE_NAMES[campaign.state]).lower())
        if not campaign.template_id:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "template_id", N_("Choose the template of this campaign first."))])
        if send_at is not None and send_at <= _now():
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "send_at", N_("Choose a moment in the future, or send now."))])
        self._check_audience(account, campaign.list_id, campaign.segment_id)
        if campaign.from_email:  # the domain may have been removed or lost its verification since saving
            from chalicelib.sending_domains.domains import domain_of

            self._sending_domains.require_verified(account, domain_of(campaign.from_email))
        return campaign

    def require_renders(self, account, campaign: Campaign) -> None:
        """Snapshot the template into the campaign (not saved here) and render it once within the
        limits (`_require_renders_within_limits`): what scheduling checks, and the review before it."""
        template = self.get_template(account, campaign.template_id)
        prepared = self._prepared(template)
        campaign.content = {"subject": campaign.subject or prepared.subject, "html": prepared.html,
                            "text": prepared.text, "links": list(prepared.links),
                            "text_derived": prepared.text_derived}
        if campaign.subject:  # the campaign's own subject may personalise too: check it as the template's was
            from chalicelib.campaigns.template_saving import prepare_template

            campaign.content["subject"] = prepare_template(prepared.html, prepared.text, campaign.subject).subject
        self._require_renders_within_limits(account, campaign)

    def require_recipient_quota(self, account, campaign: Campaign, recipients: int) -> None:
        """Refuse (QuotaExceeded) a campaign whose recipients would pass this month's limit (P7),
        holding nothing: what the review checks before it offers to send."""
        if self._usage is not None:
            self._usage.require_room_for_recipients(account, campaign.campaign_id, recipients)

    def _reserve_recipients(self, account, campaign: Campaign, recipients: int | None = None) -> int | None:
        """Count the campaign's recipients now and hold them of this month's quota (P7); what it held
        before, or None when nothing is metered. QuotaExceeded: nothing changed."""
        if self._usage is None:
            return None
        held = self._usage.recipients_held(campaign.account_id, campaign.campaign_id)
        count = self.count_recipients(campaign) if recipients is None else recipients
        self._usage.reserve_recipients(account, campaign.campaign_id, count, field="send_at")
        return held

    def count_recipients(self, campaign: Campaign) -> int:
        """How many the campaign would reach now: its list's (or segment's) mailable contacts."""
        return sum(len(contacts) for contacts, _ in self._recipient_pages(campaign, None))

    def _require_renders_within_limits(self, account, campaign: Campaign) -> None:
        """Render the campaign once, as its first recipient (or the sample person) gets it: a template
        that breaks a render limit (loops, size, time) would fail every mail, so it is refused now,
        naming the limit. A template error is not refused here (it may depend on that recipient's
        data), and each mail is still guarded when it is sent."""
        from chalicelib.campaigns.campaign_rendering import PREVIEW_EXTRAS, compile_campaign
        from chalicelib.campaigns.template_sandbox import RenderFailed, limit_problem

        contact = self._representative_recipient(campaign)
        try:
            compile_campaign(self._prepared(campaign.content), language=account.language).render(contact,
                                                                                                  PREVIEW_EXTRAS)
        except RenderFailed as failed:
            problem = limit_problem(failed)
            if problem is None:
                return
            logger.info("campaign refused over a render limit", campaign_id=campaign.campaign_id,
                        reason=failed.reason.value)
            message, params = problem
            raise errors.ValidationFailed(field_errors=[errors.FieldError("template_id", message,
                                                                          tuple(params.items()))]) from None

    def _representative_recipient(self, campaign: Campaign) -> dict:
        """The list's first recipient (for a segment too: its list's), as a template sees them; the
        sample person when there is none."""
        pages = self._audience_service.recipient_pages(campaign.account_id, campaign.list_id, page_size=1)
        first, _ = next(pages, ([], None))
        return contact_values(first[0]) if first else SAMPLE_CONTACT

    def start_due(self, now: datetime | None = None) -> int:
        """The scheduler (every minute): start each scheduled campaign whose time has come, and mark
        sent each campaign whose every recipient has an outcome (its finish time, its report and its
        recipient index then follow without anyone having to look at it)."""
        for account_id, campaign_id in self._store.sending():
            campaign = self._store.get_campaign(account_id, campaign_id)
            if campaign is not None:
                self._settled(campaign)
        started = 0
        for account_id, campaign_id in self._store.due(now or _now()):
            try:
                started += self._start(account_id, campaign_id, check_domain=True)
            except errors.ServiceUnavailable:  # SES could not say whether its domain is verified: next minute
                logger.warning("campaign start put off", campaign_id=campaign_id)
        return started

    def _start(self, account_id: str, campaign_id: str, check_domain: bool = False) -> int:
        campaign = self._store.get_campaign(account_id, campaign_id)
        if campaign is None or campaign.state is not CampaignState.SCHEDULED:
            return 0
        if check_domain and not self._domain_still_verified(campaign):
            return self._hold(campaign, DOMAIN_NOT_VERIFIED)
        campaign.state, campaign.started_at = CampaignState.SENDING, campaign.started_at or _now()
        campaign.held_because = None
        try:
            self._store.save_campaign(campaign, expected_state=CampaignState.SCHEDULED)
        except StateConflict:
            return 0  # paused, cancelled or started by someone else a moment ago
        self._jobs_queue.enqueue({"job": FANOUT_JOB, "account_id": account_id, "campaign_id": campaign_id})
        if self._usage is not None:
            self._usage.record_campaign_started(account_id)
        logger.info("campaign started", campaign_id=campaign_id)
        self.started(account_id, campaign_id)
        return 1

    def _domain_still_verified(self, campaign: Campaign) -> bool:
        """A campaign sent later from its own domain: SES still has that domain verified, asked now
        (its DNS records may have gone since it was scheduled; SES would refuse every mail)."""
        if not campaign.from_email:
            return True
        from chalicelib.sending_domains.domains import domain_of

        return self._sending_domains.is_verified(campaign.account_id, domain_of(campaign.from_email))

    def _hold(self, campaign: Campaign, reason: str) -> int:
        """Pause a due campaign instead of starting it, saying why on its page; resuming tries again."""
        campaign.state, campaign.held_because = CampaignState.PAUSED, reason
        try:
            self._store.save_campaign(campaign, expected_state=CampaignState.SCHEDULED)
        except StateConflict:
            return 0
        logger.warning("campaign held at its start", campaign_id=campaign.campaign_id, reason=reason)
        return 0

    def pause(self, account, campaign_id: str) -> Campaign:
        return self._move(account, campaign_id, CampaignState.PAUSED)

    def pause_all(self, account) -> None:
        """Pause every scheduled and sending campaign of the account: its sending was paused for bounces
        or complaints (delivery/reputation.py)."""
        for campaign in self.campaigns(account):
            if campaign.state in (CampaignState.SENDING, CampaignState.SCHEDULED):
                try:
                    self.pause(account, campaign.campaign_id)
                except WrongState:  # finished or cancelled a moment ago
                    continue

    def cancel(self, account, campaign_id: str) -> Campaign:
        campaign = self._move(account, campaign_id, CampaignState.CANCELLED)
        if self._usage is not None:  # who was not reached does not count towards the month
            self._usage.settle_recipients(account.account_id, campaign_id, campaign.fanout.recipients)
        return campaign

    def resume(self, account, campaign_id: str) -> Campaign:
        """Back to sending (or to its schedule, if it had not started): the fan-out goes on where it stopped."""
        from chalicelib.delivery.reputation import require_sending_allowed

        require_sending_allowed(account)
        campaign = self.get_campaign(account, campaign_id)
        if campaign.state is not CampaignState.PAUSED:
            raise WrongState(state=gettext(STATE_NAMES[campaign.state]).lower())
        started = campaign.started_at is not None
        target = CampaignState.SENDING if started else CampaignState.SCHEDULED
        campaign = self._move(account, campaign_id, target)
        if started:
            self._jobs_queue.enqueue({"job": FANOUT_JOB, "account_id": account.account_id,
                                      "campaign_id": campaign_id, "resumed": True})
        return campaign

    def _move(self, account, campaign_id: str, target: CampaignState) -> Campaign:
        campaign = self.get_campaign(account, campaign_id)
        if target not in TRANSITIONS[campaign.state]:
            raise WrongState(state=gettext(STATE_NAMES[campaign.state]).lower())
        previous, campaign.state = campaign.state, target
        campaign.held_because = None
        if target is CampaignState.CANCELLED:
            campaign.finished_at = _now()
        try:
            self._store.save_campaign(campaign, expected_state=previous)
        except StateConflict:
            raise WrongState(N_("The campaign changed a moment ago. Look again and retry.")) from None
        logger.info("campaign state changed", campaign_id=campaign_id, state=target.value)
        return campaign

    def record_sent(self, account_id: str, campaign_id: str, count: int, size_bytes: int = 0) -> None:
        """What SES accepted of a batch: the campaign's timeline (per minute) and the month's use (P3)."""
        self._store.add_counts(campaign_id, {f"sents@{_now():%Y%m%d%H%M}": count})
        if self._usage is not None:
            self._usage.record_sent(account_id, count, size_bytes)

    def usage(self, account) -> dict[str, int]:
        """This calendar month (UTC): campaigns started, mails sent and their bytes."""
        found = self._store.usage(account.account_id, f"{_now():%Y-%m}")
        return {name: found.get(name, 0) for name in ("campaigns_started", "mails_sent", "bytes_sent")}

    def count_unsubscribe(self, account_id: str, campaign_id: str) -> None:
        """Someone left through the link in this campaign's mail: its report counts it."""
        found = self._store.campaign_state(campaign_id)
        if found and found[0] == account_id:  # the link's own account: a made-up ?c= counts nothing
            self._store.add_counts(campaign_id, {"unsubscribed": 1})

    def count_ses_event(self, event) -> None:
        """Deliveries, bounces and complaints of campaign mail, for its report; each event once
        (`delivery.service.SesEventIngest` hands over only events it had not recorded before)."""
        from chalicelib.delivery.ses_events import SesEventType

        name = {SesEventType.DELIVERY: "delivered", SesEventType.BOUNCE: "bounced",
                SesEventType.COMPLAINT: "complained"}.get(event.event_type)
        if event.campaign_id and name:
            self._store.add_counts(event.campaign_id, {name: len(event.recipients) or 1})

    def report(self, account, campaign_id: str) -> dict:
        """The campaign's numbers: recipients, the senders' outcomes, SES events, opens and clicks."""
        campaign = self.get_campaign(account, campaign_id)
        engagement = self._store.engagement(campaign_id)
        stats = self.stats(campaign_id)
        links = (campaign.content or {}).get("links", [])
        # campaign mail publishes only problems (bounces, complaints...): delivered is what SES
        # accepted minus what bounced, as mail platforms count it
        return {"recipients": campaign.fanout.recipients, **stats,
                "delivered": max(0, stats.get("sent", 0) - engagement.get("bounced", 0)),
                "bounced": engagement.get("bounced", 0), "unsubscribed": engagement.get("unsubscribed", 0),
                "complained": engagement.get("complained", 0), "opens": engagement.get("opens", 0),
                "unique_opens": engagement.get("unique_opens", 0),
                # people who clicked any link; before that was counted, the most clicked link's people
                "unique_clickers": engagement.get("unique_clickers", max(
                    [n for name, n in engagement.items() if name.startswith("unique_clicks_")] or [0])),
                "clicks": [{"url": url, "clicks": engagement.get(f"clicks_{i}", 0),
                            "unique_clicks": engagement.get(f"unique_clicks_{i}", 0)} for i, url in enumerate(links)],
                "timeline": timeline(engagement)}

    def contact_activity(self, account, contact_id: str) -> list[dict]:
        """What one contact received of the account's campaigns and did with them (P14: to judge a
        campaign, per contact): the outcome of their mail (received.py), opened, which links clicked.
        Newest first. A campaign shows as received once it is sent (or cancelled mid-send) and
        indexed; before that only its opens and clicks show (`received` "pending")."""
        sent = self._mailed(account)
        self._index_if_forgotten(sent)
        engagement = self._store.contact_engagement(contact_id, sent)
        received = self._received_index.received_by(contact_id, sent)
        activity = []
        for campaign in sorted(sent, key=lambda c: c.started_at or c.created_at, reverse=True):
            done = engagement.get(campaign.campaign_id)
            outcome = received.get(campaign.campaign_id)
            if done or outcome:
                links = (campaign.content or {}).get("links", [])
                indexed = campaign.recipient_index is not None and campaign.recipient_index.complete
                activity.append({"campaign": campaign, "sent_at": campaign.started_at,
                                 "received": outcome.value if outcome else None if indexed else "pending",
                                 "opened": done["opened"] if done else None,
                                 "clicked": [links[i] for i in sorted(done["clicked"]) if i < len(links)]
                                 if done else []})
        return activity

    def forget_contact(self, account, contact_id: str) -> None:
        """A contact is erased: their opens and clicks go too, and they leave the index of who
        received what (the campaigns' totals stay)."""
        sent = self._mailed(account)
        self._store.forget_engagement(contact_id, sent)
        self._received_index.forget(contact_id, sent)

    # --- who received what (jobs queue; received.py) ---------------------------------------------------

    def _mailed(self, account) -> list[Campaign]:
        """The account's campaigns that went out to someone: sending, sent, or cancelled mid-send."""
        return [c for c in self.campaigns(account) if c.state is CampaignState.SENDING or self._done_sending(c)]

    @staticmethod
    def _done_sending(campaign: Campaign) -> bool:
        """Sent to everyone, or cancelled after it started: nothing more will go out."""
        return campaign.state is CampaignState.SENT or (
            campaign.state is CampaignState.CANCELLED and campaign.started_at is not None)

    def _index_recipients_later(self, campaign: Campaign) -> None:
        from chalicelib.campaigns.received import INDEX_JOB

        self._jobs_queue.enqueue({"job": INDEX_JOB, "account_id": campaign.account_id,
                                  "campaign_id": campaign.campaign_id})

    def _index_if_forgotten(self, campaigns: list[Campaign]) -> None:
        """A campaign sent a while ago whose index never started (sent before there was one, or its job
        got lost between the save and the queue), or cancelled mid-send (indexed only once its senders
        have surely stopped): queue the job. Running it twice does no harm."""
        from chalicelib.campaigns.received import REINDEX_AFTER

        for campaign in campaigns:
            if (self._done_sending(campaign) and campaign.recipient_index is None
                    and (campaign.finished_at is None or campaign.finished_at < _now() - REINDEX_AFTER)):
                logger.info("campaign recipients index queued again", campaign_id=campaign.campaign_id)
                self._index_recipients_later(campaign)

    def index_recipients(self, account_id: str, campaign_id: str) -> None:
        """The job: one pass of the index of who received a sent campaign; it enqueues the next pass,
        if there is one. Running it again, or for a campaign indexed already, changes nothing."""
        campaign = self._store.get_campaign(account_id, campaign_id)
        if campaign is None or not self._done_sending(campaign):
            return
        progress = self._received_index.index_pass(campaign)
        if progress is not None and not progress.complete:
            self._index_recipients_later(campaign)

    def campaign_state(self, campaign_id: str) -> str:
        found = self._store.campaign_state(campaign_id)
        return found[1] if found else CampaignState.CANCELLED.value

    # --- fan-out (jobs queue) ------------------------------------------------------------------------

    def fanout(self, account_id: str, campaign_id: str) -> Fanout | None:
        """Enqueue every recipient of a sending campaign, page by page; resumable at any point."""
        campaign = self._store.get_campaign(account_id, campaign_id)
        if campaign is None or campaign.state is not CampaignState.SENDING:
            return None
        progress = campaign.fanout
        pages = None
        if progress.page == 0 and not self._recipients_still_fit(campaign):
            return self._hold_sending(campaign)
        while not progress.done:
            written = self._store.get_page(campaign_id, progress.page)
            if written is not None:  # enqueued (perhaps partly) before a crash: the same recipients again
                contacts = self._audience.contacts_by_id(account_id, written.contact_ids)
                next_cursor = written.next_cursor
            else:
                if pages is None:
                    pages = self._recipient_pages(campaign, progress.cursor)
                contacts, next_cursor = next(pages, ([], None))
                if not self._recipients_still_fit(campaign, progress.recipients + len(contacts)):
                    return self._hold_sending(campaign)  # the pages queued so far go; resuming sends the rest
                self._store.save_page(campaign_id, progress.page, [c.contact_id for c in contacts], next_cursor)
            self._enqueue(campaign, progress.page, contacts)
            progress.page += 1
            progress.recipients += len(contacts)
            progress.cursor, progress.done = next_cursor, next_cursor is None
            campaign.fanout = progress
            try:
                self._store.save_campaign(campaign, expected_state=CampaignState.SENDING)
            except StateConflict:  # paused or cancelled: stop here; resuming enqueues the rest
                logger.info("campaign fan-out stopped", campaign_id=campaign_id, page=progress.page)
                return progress
        logger.info("campaign fanned out", campaign_id=campaign_id, recipients=progress.recipients,
                    pages=progress.page)
        if self._usage is not None:  # fewer than held (left, suppressed meanwhile): the rest goes back
            self._usage.settle_recipients(account_id, campaign_id, progress.recipients)
        return progress

    def _recipients_still_fit(self, campaign: Campaign, needed: int | None = None) -> bool:
        """At the fan-out, again (contacts may have been added since scheduling, or the month may
        have turned): hold the recipients counted now, or all the fan-out has reached with this page.
        False: over the month's quota, nothing more held or queued."""
        if self._usage is None:
            return True
        held = self._usage.recipients_held(campaign.account_id, campaign.campaign_id)
        if needed is None:
            # holding the account's contacts spares reading the whole list once more before it is
            # read to be queued; only when that does not surely fit are the recipients counted
            if self._usage.hold_recipients_bound(campaign.account_id, campaign.campaign_id):
                return True
            needed = self.count_recipients(campaign)
        elif needed <= held:
            return True
        return self._held_at_fanout(campaign, needed)

    def _held_at_fanout(self, campaign: Campaign, needed: int) -> bool:
        from chalicelib.usage.service import QuotaExceeded

        try:
            self._usage.reserve_recipients(campaign.account_id, campaign.campaign_id, needed)
        except QuotaExceeded:
            return False
        return True

    def _hold_sending(self, campaign: Campaign) -> Fanout:
        """Over the month's recipients at the fan-out: the campaign is paused, saying why on its page;
        what it held goes back but for the recipients already queued. Resuming tries again."""
        campaign.state, campaign.held_because = CampaignState.PAUSED, RECIPIENT_LIMIT
        try:
            self._store.save_campaign(campaign, expected_state=CampaignState.SENDING)
        except StateConflict:
            return campaign.fanout
        self._usage.settle_recipients(campaign.account_id, campaign.campaign_id, campaign.fanout.recipients)
        logger.warning("campaign held at its fan-out: recipients over the plan", campaign_id=campaign.campaign_id,
                       queued=campaign.fanout.recipients)
        return campaign.fanout

    def _recipient_pages(self, campaign: Campaign, cursor: str | None):
        if campaign.segment_id:
            return self._segments.recipient_pages(campaign.account_id, campaign.segment_id, cursor)
        return self._audience_service.recipient_pages(campaign.account_id, campaign.list_id, cursor,
                                                      page_size=FANOUT_PAGE)

    def _enqueue(self, campaign: Campaign, page: int, contacts: list) -> None:
        from chalicelib.delivery.campaign_sender import Recipient, SendBatch

        messages = []
        for index in range(0, len(contacts), RECIPIENTS_PER_MESSAGE):
            recipients = tuple(Recipient(c.contact_id, c.email, c.first_name, c.last_name, c.language,
                                         dict(c.fields or {}), campaign.list_id)
                               for c in contacts[index:index + RECIPIENTS_PER_MESSAGE])
            batch_id = f"{page:06d}-{index // RECIPIENTS_PER_MESSAGE:03d}"
            messages.append((batch_id, SendBatch(campaign.campaign_id, campaign.account_id, batch_id,
                                                 recipients).to_json()))
        self._send_queue.send_all(messages)

    # --- what a sender needs -------------------------------------------------------------------------

    def renderer_for(self, batch):
        """The campaign's compiled renderer, and a check per recipient: still subscribed, not suppressed."""
        from chalicelib.campaigns.campaign_rendering import compiled_campaign
        from chalicelib.campaigns.tracking import TrackingLinks
        from chalicelib.delivery.campaign_sender import NotToBeSent
        from chalicelib.delivery.mail import OutgoingMail

        campaign = self._store.get_campaign(batch.account_id, batch.campaign_id)
        if campaign is None or not campaign.content:
            raise CampaignNotFound()
        prepared = self._prepared(campaign.content)
        tracking = TrackingLinks(self._tracking_signer(), self._base_url, campaign.campaign_id, campaign.account_id,
                                 prepared.links) if campaign.tracking else None
        compiled = compiled_campaign(campaign.campaign_id, prepared, tracking=tracking)
        eligible = self._still_eligible(campaign, batch.recipients)
        from_address = email.utils.formataddr((campaign.from_name, campaign.from_email or self._from_address))
        reply_to = (campaign.reply_to,) if campaign.reply_to else ()

        def render(recipient):
            if recipient.contact_id not in eligible:
                raise NotToBeSent()
            contact = {"contact_id": recipient.contact_id, "email": recipient.email,
                       "first_name": recipient.first_name, "last_name": recipient.last_name,
                       "language": recipient.language, "fields": dict(recipient.fields or {})}
            token = self._audience_service.unsubscribe_token(campaign.account_id, recipient.contact_id,
                                                             recipient.list_id or "*")
            # the campaign in the link only lets its report count the unsubscribe (RFC 8058 POSTs keep the query)
            unsubscribe_url = f"{self._base_url}/u/{token}?c={campaign.campaign_id}"
            parts = compiled.render(contact, {"unsubscribe_url": unsubscribe_url,
                                              "preferences_url": f"{self._base_url}/u/{token}/preferences"})
            return OutgoingMail(to=(recipient.email,), subject=parts.subject, text=parts.text, html=parts.html,
                                reply_to=reply_to, from_address=from_address,
                                headers=(("List-Unsubscribe", f"<{unsubscribe_url}>"),
                                         ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")))

        return render

    def _still_eligible(self, campaign: Campaign, recipients) -> set[str]:
        """Who of a batch may still be mailed: on the list as subscribed, and not suppressed."""
        # the addresses came from the contacts, normalised already: their key is the lowercase form
        return self._audience.mailable_among(campaign.account_id, campaign.list_id,
                                             [(r.contact_id, r.email.lower()) for r in recipients])


def timeline(engagement: dict, hours: int = 48) -> list[dict]:
    """Sent, opened and clicked per hour, from the first hour anything happened, at most `hours` (UTC)."""
    per_hour: dict[str, dict] = {}
    for name, count in engagement.items():
        kind, _, when = name.partition("@")
        if kind in ("sents", "opens", "clicks") and when[:10].isdigit():
            per_hour.setdefault(when[:10], {"sent": 0, "opens": 0, "clicks": 0})[
                {"sents": "sent", "opens": "opens", "clicks": "clicks"}[kind]] += count
    if not per_hour:
        return []
    first = datetime.strptime(min(per_hour), "%Y%m%d%H").replace(tzinfo=timezone.utc)
    rows = []
    for offset in range(hours):
        hour = first + timedelta(hours=offset)
        key = hour.strftime("%Y%m%d%H")
        rows.append({"hour": hour, **per_hour.get(key, {"sent": 0, "opens": 0, "clicks": 0})})
        if key >= max(per_hour):
            break
    return rows


def send_time(date_text: str, time_text: str, time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """A local date and time as the account holder typed them, in UTC."""
    try:
        local = datetime.fromisoformat(f"{date_text.strip()}T{time_text.strip() or '09:00'}")
        return local.replace(tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc)
    except (ValueError, KeyError):
        raise errors.ValidationFailed(field_errors=[errors.FieldError(
            "send_at", N_("Give the date as YYYY-MM-DD and the time as HH:MM."))]) from None
