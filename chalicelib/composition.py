"""The composition root: builds every service once per container, with its collaborators passed in.

Only entry points use it: `app.py` (event handlers), each domain's `routes.py` (its blueprint),
the local stage's `devstack`, the benchmarks and the tests. Domain code never imports it: a
service gets what it needs through its constructor, and tells other domains what happened
through its hooks (`chalicelib.hooks`), which are subscribed here.

Each service is built on first use (a cold start that serves a login page builds no campaign
engine), from AWS clients made by `clients`: `chalicelib.aws` in Lambda and locally, an
emulation in the benchmark. Names of tables, queues and buckets come from `config`.
"""

import email.utils
import functools
from datetime import datetime, timezone

from chalicelib import aws
from chalicelib.config import Settings, settings

cached = functools.cached_property


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Services:
    """Every service of the app, wired. Built lazily: each property builds its service once."""

    def __init__(self, config: Settings, clients=aws, clock=utc_now):
        self.config = config
        self._clients = clients
        self.clock = clock  # aware UTC datetimes: when policy versions take effect (tests move it)

    def _where(self) -> tuple:
        """Where the PynamoDB repositories find DynamoDB."""
        return self.config.region, self.config.aws_endpoint_url

    def _queue(self, name: str):
        from chalicelib.queues import SqsQueue

        return SqsQueue(self._clients.sqs(), self._clients.queue_url(name))

    def _secret_key(self) -> bytes:
        """The key of every signed link, from Secrets Manager."""
        secrets = self._clients.client("secretsmanager")
        return secrets.get_secret_value(SecretId=self.config.signing_key_secret)["SecretString"].encode("utf-8")

    # --- delivery ----------------------------------------------------------------------------------

    @cached
    def mail_queue(self):
        from chalicelib.delivery.queue import MailQueue

        return MailQueue(self._queue(self.config.mail_queue_name))

    @cached
    def sent_mail(self):
        """Whose mail each SES message id was: SES's notifications name only that id."""
        from chalicelib.delivery.sent_mail import DynamoSentMail

        return DynamoSentMail(self._clients.dynamodb(), self.config.mail_events_table)

    @cached
    def mail_engine(self):
        """The one way mail reaches SES: one single-attempt client and one token bucket for all mail."""
        from chalicelib.delivery.engine import MailEngine
        from chalicelib.delivery.rate_limit import DynamoTokenBucket, RateLimiter

        limiter = RateLimiter(DynamoTokenBucket(self._clients.dynamodb(), self.config.campaigns_table),
                              self.config.ses_send_rate_per_s)
        return MailEngine(self._clients.single_attempt_client("sesv2"), limiter, self.config.mail_from,
                          sent_mail=self.sent_mail)

    @cached
    def mail_sender(self):
        """Transactional mail and test sends, counted under their own configuration set."""
        return self.mail_engine.channel(self.config.ses_configuration_set)

    @cached
    def mail_events(self):
        from chalicelib.delivery.events_store import DynamoMailEvents

        return DynamoMailEvents(self.config.mail_events_table, *self._where())

    @cached
    def ses_events(self):
        """The SES event path (app.py `on_ses_event`): who a bounce or complaint belongs to, and who hears of it."""
        from chalicelib.delivery.service import SesEventIngest, SignedHeaderOrigins

        campaigns = self.campaigns_store
        origins = SignedHeaderOrigins(self.signer.subscriber, lambda account_id, campaign_id:
                                      campaigns.get_campaign(account_id, campaign_id) is not None)
        ingest = SesEventIngest(self.mail_events, self.sent_mail, origin_from_headers=origins)
        # A bounce for good or a complaint suppresses the address, on every delivery of the event;
        # a new event counts once for the campaign's report and for the account's reputation.
        ingest.permanent_failure.subscribe(self.audience_service.suppress_failed_delivery)
        ingest.new_event.subscribe(self.campaign_service.count_ses_event)
        ingest.new_event.subscribe(self.reputation.record)
        return ingest

    # --- pages ------------------------------------------------------------------------------------

    def page_banners(self, account) -> list:
        """The banners (`chalicelib.web.banners.Banner`) above every app page for this account."""
        from chalicelib.news.banners import banners_for as news_banners
        from chalicelib.notices.banners import banners_for as policy_banners

        return [*policy_banners(account, self.policy), *news_banners(self.news, account)]

    def unread_news(self, account) -> int:
        """The number beside "News" in the navigation: one read of the notices table."""
        return self.news.unread_count(account)

    # --- news ---------------------------------------------------------------------------------------

    @cached
    def news(self):
        """The news page, service announcements (P16) and product news (P4)."""
        from chalicelib.news.repository import DynamoNews
        from chalicelib.news.service import NewsService

        from chalicelib.news.mail import render_announcement
        from chalicelib.news.product_news import ProductNewsMail

        from chalicelib.news.broadcasts import ANNOUNCEMENT_KIND, PRODUCT_NEWS_KIND

        base_url = self.config.public_base_url
        news = NewsService(
            DynamoNews(self._clients.dynamodb(), self.config.notices_table), self.audit_log,
            accounts=lambda account_id: self.accounts.get(account_id),
            product_news_mail=ProductNewsMail(lambda: self.product_news_signer, base_url),
            withdraw_product_news=lambda account, ip: self.account_service.set_product_news(
                account, False, account.language, ip, source="unsubscribe link"),
            announcement_mail=lambda announcement, account: render_announcement(announcement, account, base_url))
        # Published: mailed to every active account (P16), or to those who opted in (P4), once each.
        news.announcement_published.subscribe(
            lambda announcement: self.broadcasts.start(ANNOUNCEMENT_KIND, announcement.announcement_id))
        news.product_news_published.subscribe(
            lambda product_news: self.broadcasts.start(PRODUCT_NEWS_KIND, product_news.news_id))
        return news

    @cached
    def product_news_signer(self):
        """Signs the unsubscribe links of product news: a key of its own, derived from the one secret."""
        from chalicelib.news.product_news import unsubscribe_signer

        return unsubscribe_signer(self._secret_key())

    def public_banners(self) -> list:
        """Announcements on the login and sign-up pages (a coming privacy policy change)."""
        from chalicelib.notices.banners import public_banners

        return public_banners(self.policy)

    # --- storage -----------------------------------------------------------------------------------

    @cached
    def exports_bucket(self):
        """Exports, import files and their reports: the bucket forgets them in two days."""
        from chalicelib.storage import Bucket

        return Bucket(self._clients.s3(), self.config.exports_bucket)

    @cached
    def upload_scan(self):
        """Malware scanning of uploads (P8), by stage: on AWS GuardDuty's verdict (the tag it puts on
        each object under the upload prefixes); locally ClamAV when its daemon answers, else the
        stand-in that knows the EICAR test file (`chalicelib.scanning`)."""
        from chalicelib.scanning import GuardDutyTags, UploadScan, local_scanner

        return UploadScan(local_scanner() if self.config.is_local else GuardDutyTags())

    # --- operations --------------------------------------------------------------------------------

    @cached
    def job_runs(self):
        from chalicelib.operations.job_runs import DynamoJobRuns

        return DynamoJobRuns(self.config.job_runs_table, *self._where())

    @cached
    def jobs_queue(self):
        from chalicelib.jobs import JobsQueue

        return JobsQueue(self._queue(self.config.jobs_queue_name))

    def job_handlers(self) -> dict:
        """The jobs queue's job names and what runs each (app.py's on_job_message)."""
        from chalicelib.accounts.data_rights import EXPORT_JOB
        from chalicelib.audience.imports import IMPORT_JOB
        from chalicelib.audience.list_export import EXPORT_LIST_JOB
        from chalicelib.campaigns.received import INDEX_JOB
        from chalicelib.campaigns.service import FANOUT_JOB
        from chalicelib.delivery.broadcast import BROADCAST_JOB
        from chalicelib.audience.repository import ADDED_INDEX_JOB, JOINED_INDEX_JOB
        from chalicelib.usage.recount import RECOUNT_JOB

        return {
            BROADCAST_JOB: self.broadcasts.handle_job,
            EXPORT_JOB: lambda job: self.data_rights.prepare_export(job["account_id"], job["export_id"]),
            EXPORT_LIST_JOB: lambda job: self.list_exports.prepare(job["account_id"], job["export_id"]),
            IMPORT_JOB: self._import_contacts,
            FANOUT_JOB: lambda job: self.campaign_service.fanout(job["account_id"], job["campaign_id"]),
            INDEX_JOB: lambda job: self.campaign_service.index_recipients(job["account_id"], job["campaign_id"]),
            JOINED_INDEX_JOB: lambda job: self.audience.backfill_joined_index(),
            ADDED_INDEX_JOB: lambda job: self.audience.backfill_added_index(),
            RECOUNT_JOB: lambda job: self.usage_recount.handle_job(job),
        }

    def scheduled_jobs(self) -> dict:
        """The scheduled jobs by name (app.py's schedules, `make job`, /dev/jobs): each returns a summary."""
        from chalicelib.operations.jobs import JOBS

        from chalicelib.audience.repository import ADDED_INDEX_JOB, JOINED_INDEX_JOB
        from chalicelib.usage.recount import RECOUNT_JOB

        return {**JOBS, "policy-notices": self.resume_policy_notices, "news-mail": self.resume_news_mail,
                JOINED_INDEX_JOB: self.audience.backfill_joined_index,
                ADDED_INDEX_JOB: self.audience.backfill_added_index,
                RECOUNT_JOB: lambda: self.usage_recount.run()}  # built when run: the usage service looks up queues

    def resume_news_mail(self) -> dict:
        """Daily: the mail of every service announcement and product news of the last week whose
        delivery stopped before every account had it, queued again from its cursor."""
        from chalicelib.news.broadcasts import ANNOUNCEMENT_KIND, PRODUCT_NEWS_KIND
        from chalicelib.news.items import NewsKind

        return {kind: self.broadcasts.resume_unfinished(kind, self.news.recently_published(news_kind))
                for kind, news_kind in ((ANNOUNCEMENT_KIND, NewsKind.SERVICE), (PRODUCT_NEWS_KIND, NewsKind.PRODUCT))}

    def resume_policy_notices(self) -> dict:
        """Daily: the notice mail of every announced, not yet effective policy version (and of every
        withdrawal before its date), until every account holder has it (a broadcast that stopped is
        queued again from its cursor)."""
        from chalicelib.notices.policy_notice import POLICY_KIND, WITHDRAWAL_KIND

        pending = [version.message_id for version in self.policy.pending_versions()]
        summary = {"pending": pending, "queued": self.broadcasts.resume_unfinished(POLICY_KIND, pending)}
        withdrawn = [version.message_id for version in self.policy.recently_withdrawn()]
        if withdrawn:
            summary["withdrawn"] = withdrawn
            summary["queued_withdrawals"] = self.broadcasts.resume_unfinished(WITHDRAWAL_KIND, withdrawn)
        return summary

    def _import_contacts(self, job: dict) -> None:
        account = self.accounts.get(job["account_id"])
        if account is not None:
            self.contact_imports.run(account.account_id, job["import_id"], account.language)

    # --- accounts ----------------------------------------------------------------------------------

    @cached
    def accounts(self):
        from chalicelib.accounts.repository import DynamoAccounts

        return DynamoAccounts(self.config.accounts_table, *self._where())

    @cached
    def auth_store(self):
        from chalicelib.accounts.auth_store import DynamoAuthStore

        return DynamoAuthStore(self.config.auth_table, *self._where())

    @cached
    def remembered_devices(self):
        from chalicelib.accounts.remember import DynamoRememberedDevices

        return DynamoRememberedDevices(self.config.auth_table, *self._where())

    @cached
    def audit_log(self):
        from chalicelib.accounts.audit import DynamoAuditLog

        return DynamoAuditLog(self.config.audit_log_table, *self._where())

    @cached
    def throttle(self):
        from chalicelib.accounts.throttle import DynamoThrottle

        return DynamoThrottle(self.config.auth_table, *self._where())

    @cached
    def account_service(self):
        from chalicelib.accounts.service import AccountService

        service = AccountService(self.accounts, self.auth_store, self.audit_log, self.mail_queue,
                                 self.config.public_base_url, self.remembered_devices, self.throttle)
        # The account's campaigns follow its tracking choice; built only when someone makes one.
        service.tracking_changed.subscribe(lambda account: self.campaign_service.follow_tracking_choice(account))
        return service

    @cached
    def exports(self):
        from chalicelib.accounts.data_rights import DynamoExports

        return DynamoExports(self.config.auth_table, *self._where())

    @cached
    def data_rights(self):
        from chalicelib.accounts.data_rights import DataRights

        return DataRights(self.accounts, self.auth_store, self.remembered_devices, self.audit_log, self.mail_events,
                          self.exports, self.exports_bucket, self.jobs_queue,
                          self.audience, self.campaigns_store, self.assets, self.sending_domains,
                          more_sections=[self._testimonials_data_section(), self._news_data_section(),
                                         self._notices_data_section(), self._analytics_data_section()])

    def _testimonials_data_section(self):
        """Testimonials and the permissions given to publish them, with their photos."""
        from chalicelib.accounts.data_rights import Section

        testimonials = self.testimonials
        return Section("testimonials",
                       lambda account: {"testimonials.json": testimonials.export(account.account_id)},
                       lambda account: testimonials.erase_account(account.account_id))

    def _news_data_section(self):
        """The news page's read mark: nothing worth exporting (an entry id), erased with the account."""
        from chalicelib.accounts.data_rights import Section

        news = self.news
        return Section("news", lambda account: {}, lambda account: news.forget_reader(account.account_id))

    def _notices_data_section(self):
        """What the notices domain keeps of an account holder, in their export and their erasure."""
        from chalicelib.accounts.data_rights import Section
        from chalicelib.notices.account_data import NoticesData

        data = NoticesData(self.policy, lambda: self.broadcasts)
        return Section("notices", data.export, data.erase)

    def _analytics_data_section(self):
        """Page views linked to the account (only with marketing consent): exported and erased with it."""
        from chalicelib.accounts.data_rights import Section
        from chalicelib.analytics.service import AccountPageViews

        linked = AccountPageViews(self.analytics, self.analytics_store)
        return Section("page_views", linked.export, linked.erase)

    # --- audience ----------------------------------------------------------------------------------

    @cached
    def signer(self):
        """The signer of unsubscribe links; its key comes from Secrets Manager, once per container."""
        from chalicelib.audience.signing import Signer

        return Signer(self._secret_key())

    @cached
    def audience(self):
        from chalicelib.audience.repository import DynamoAudience

        return DynamoAudience(self.config.audience_table, *self._where())

    @cached
    def audience_models(self):
        """The audience's PynamoDB models, bound to their table by `audience`."""
        from chalicelib.audience import models

        self.audience  # noqa: B018 (binds the models)
        return models

    @cached
    def audience_service(self):
        from chalicelib.audience.service import AudienceService

        service = AudienceService(self.audience, self.accounts, self.auth_store, self.mail_queue,
                                  lambda: self.signer, self.throttle, self.config.public_base_url,
                                  self.custom_fields, usage=self.usage)
        # What campaigns keep of a contact is part of the contact's data, and goes with them.
        service.contact_activity.subscribe(lambda account, contact_id:
                                           self.campaign_service.contact_activity(account, contact_id))
        service.contact_erased.subscribe(lambda account, contact_id:
                                         self.campaign_service.forget_contact(account, contact_id))
        return service

    @cached
    def custom_fields(self):
        from chalicelib.audience.custom_fields import CustomFieldService, DynamoCustomFields

        return CustomFieldService(DynamoCustomFields(self.audience_models))

    @cached
    def segments(self):
        from chalicelib.audience.segments import DynamoSegments, SegmentService

        return SegmentService(self.audience, self.audience_service, self.custom_fields,
                              DynamoSegments(self.audience_models))

    @cached
    def contact_imports(self):
        from chalicelib.audience.imports import DynamoImports, ImportService

        return ImportService(self.audience, self.audience_service, DynamoImports(self.audience_models),
                             self.exports_bucket, self.jobs_queue, self.config.public_base_url, self.upload_scan)

    @cached
    def list_exports(self):
        from chalicelib.audience.list_export import ListExports

        return ListExports(self.audience, self.exports, self.exports_bucket, self.jobs_queue, self.segments)

    # --- campaigns ---------------------------------------------------------------------------------

    @cached
    def campaigns_store(self):
        from chalicelib.campaigns.repository import DynamoCampaigns

        return DynamoCampaigns(self.config.campaigns_table, *self._where())

    @cached
    def tracking_signer(self):
        """Signs open and click links with the same secret key as unsubscribe links."""
        from chalicelib.campaigns.tracking import TrackingSigner

        return TrackingSigner(self._secret_key())

    @cached
    def send_ledger(self):
        from chalicelib.delivery.send_ledger import DynamoSendLedger

        return DynamoSendLedger(self._clients.dynamodb(), self.config.campaigns_table)

    @cached
    def received_index(self):
        """Who received which sent campaign (buckets of contact ids, written from the ledger)."""
        from chalicelib.campaigns.received import DynamoReceivedIndex

        return DynamoReceivedIndex(self._clients.dynamodb(), self.config.campaigns_table, self.send_ledger)

    @cached
    def campaign_service(self):
        from chalicelib.campaigns.service import CampaignService

        self.audience_models  # noqa: B018 (the campaign reads the audience through its models)
        service = CampaignService(self.campaigns_store, self.audience, self.audience_service, self.segments,
                                  self._queue(self.config.campaign_send_queue_name), self.jobs_queue,
                                  lambda: self.tracking_signer, self.mail_sender, self.config.mail_from,
                                  self.config.public_base_url, sending_domains=self.sending_domains,
                                  send_ledger=self.send_ledger, received_index=self.received_index,
                                  usage=self.usage)
        # a first campaign is a conversion, for accounts that allowed marketing cookies only (P9)
        service.started.subscribe(lambda account_id, _campaign_id: self.analytics.record_campaign_started(account_id))
        return service

    @cached
    def campaign_reviews(self):
        """The review a campaign's page asks for before it goes out (the API sends without one)."""
        from chalicelib.campaigns.review import CampaignReviews, review_signer

        return CampaignReviews(self.campaign_service, self.audience_service, self.segments,
                               lambda: self.review_signer, self.config.mail_from)

    @cached
    def dashboard(self):
        """The overview page: the last campaign's results, the audience's growth, the next steps."""
        from chalicelib.campaigns.dashboard import Dashboard

        return Dashboard(self.campaign_service, self.audience_service, self.sending_domains)

    @cached
    def review_signer(self):
        """Signs the campaign review tokens: a key of its own, derived from the one secret."""
        from chalicelib.campaigns.review import review_signer

        return review_signer(self._secret_key())

    @cached
    def tracking(self):
        from chalicelib.campaigns.tracking import Tracking

        return Tracking(self.campaigns_store, lambda: self.tracking_signer)

    @cached
    def assets(self):
        from chalicelib.campaigns.assets import AssetService

        from chalicelib.storage import Bucket

        return AssetService(Bucket(self._clients.s3(), self.config.assets_bucket), self.config.public_base_url,
                            self.upload_scan, usage=self.usage)

    @cached
    def reputation(self):
        """Soft bounces and the bounce and complaint rates per account, from the SES events."""
        from chalicelib.delivery.reputation import DynamoReputationStore, Reputation

        return Reputation(DynamoReputationStore(self._clients.dynamodb(), self.config.campaigns_table), self.accounts,
                          self.campaign_service.pause_all, self.audience_service, self.mail_queue, self.config.support_address,
                          self.audit_log)

    @cached
    def campaign_sender(self):
        """One per container: its threads send the recipients of a batch at once."""
        from chalicelib.delivery.campaign_sender import CampaignSender

        service = self.campaign_service
        sender = CampaignSender(self.mail_engine.channel(self.config.ses_campaign_configuration_set),
                                self.send_ledger, service.renderer_for, service.campaign_state,
                                unsubscribe_headers=self.audience_service.unsubscribe_headers,
                                sent_mail=self.sent_mail)
        # What SES accepted of a batch counts for the campaign's report and use, and the account's reputation.
        sender.sent.subscribe(service.record_sent)
        sender.sent.subscribe(lambda account_id, campaign_id, count, size_bytes:
                              self.reputation.count_sent(account_id, count))
        return sender

    # --- partner statistics ------------------------------------------------------------------------

    @cached
    def partner_statistics(self):
        """Aggregates for partners (P12): reads accounts and campaign counters, audits each export."""
        from chalicelib.partner_statistics.service import PartnerStatistics

        return PartnerStatistics(self.accounts, self.campaigns_store, self.audit_log)

    # --- notices -----------------------------------------------------------------------------------

    @cached
    def policy(self):
        """Privacy policy versions (P17, P18): announcing one starts its notice mail."""
        from chalicelib.notices.policy import DynamoPolicyVersions
        from chalicelib.notices.policy_notice import POLICY_KIND, WITHDRAWAL_KIND
        from chalicelib.notices.policy_news import policy_news_item
        from chalicelib.notices.policy_service import PolicyService

        service = PolicyService(DynamoPolicyVersions(self._clients.dynamodb(), self.config.notices_table),
                                self.audit_log, clock=lambda: self.clock())
        service.announced.subscribe(lambda version: self.broadcasts.start(POLICY_KIND, version.message_id))
        service.withdrawn.subscribe(lambda version: self.broadcasts.start(WITHDRAWAL_KIND, version.message_id))
        # The change is on every account's news page too, and stays there (P17).
        service.announced.subscribe(lambda version: self.news.publish(policy_news_item(version)))
        service.withdrawn.subscribe(lambda version: self.news.publish(policy_news_item(version)))
        return service

    @cached
    def broadcasts(self):
        """MailExpert's own messages to its account holders, exactly once each, through the one mail engine."""
        from chalicelib.delivery.broadcast import BroadcastEngine, DynamoBroadcastLedger
        from chalicelib.notices.policy_notice import POLICY_KIND, WITHDRAWAL_KIND, PolicyNotices, PolicyWithdrawals

        from chalicelib.news.broadcasts import (ANNOUNCEMENT_KIND, PRODUCT_NEWS_KIND, AnnouncementBroadcasts,
                                                ProductNewsBroadcasts)

        kinds = {POLICY_KIND: PolicyNotices(self.policy, self.config.public_base_url),
                 ANNOUNCEMENT_KIND: AnnouncementBroadcasts(self.news),
                 PRODUCT_NEWS_KIND: ProductNewsBroadcasts(self.news),
                 WITHDRAWAL_KIND: PolicyWithdrawals(self.policy, self.config.public_base_url,
                                                    lambda number, account_id:
                                                    self.broadcasts.reached(POLICY_KIND, number, account_id))}
        return BroadcastEngine(self.accounts, DynamoBroadcastLedger(self._clients.dynamodb(), self.config.notices_table),
                               self.mail_engine.channel(self.config.ses_configuration_set), self.jobs_queue, kinds,
                               clock=lambda: self.clock())

    # --- sending domains ---------------------------------------------------------------------------

    @cached
    def sending_domains(self):
        """The account's own sending domains (SES identities); MailExpert's own domain is never one."""
        from chalicelib.sending_domains.repository import DynamoSendingDomains
        from chalicelib.sending_domains.service import SendingDomainService
        from chalicelib.sending_domains.ses_identities import SesIdentities

        shared_domain = email.utils.parseaddr(self.config.mail_from)[1].rpartition("@")[2]
        service = SendingDomainService(DynamoSendingDomains(self.config.campaigns_table, *self._where()),
                                       SesIdentities(self._clients.sesv2()), shared_domain,
                                       region=self.config.region, usage=self.usage)
        # A domain a campaign on its way sends from stays.
        service.sending_from.subscribe(lambda account, domain:
                                       self.campaign_service.campaigns_sending_from(account, domain))
        return service

    # --- usage and plans ---------------------------------------------------------------------------

    @cached
    def usage(self):
        """Usage metering and the plans' quotas (P3, P7): the one service every domain asks before
        work is queued. A gauge an account never had starts from one count of what it holds."""
        from chalicelib.usage.plans import Meter
        from chalicelib.usage.repository import DynamoUsage
        from chalicelib.usage.service import UsageService

        seeds = {Meter.CONTACTS: lambda account_id: self.audience.count_contacts(account_id),
                 Meter.STORAGE_BYTES: lambda account_id: (self.assets.usage_bytes(account_id)
                                                          + self.campaign_service.template_bytes(account_id)),
                 Meter.SENDING_DOMAINS: lambda account_id: self.sending_domains.count(account_id)}
        return UsageService(DynamoUsage(self._clients.dynamodb(), self.config.campaigns_table),
                            lambda account_id: self.accounts.get(account_id), self.mail_queue,
                            self.config.public_base_url, seeds=seeds, clock=lambda: self.clock())

    @cached
    def usage_recount(self):
        """The weekly recount of every account's gauges from what is stored (job `usage-recount`)."""
        from chalicelib.usage.recount import UsageRecount

        return UsageRecount(self.accounts.account_ids_page, self.usage, self.jobs_queue)

    # --- testimonials ------------------------------------------------------------------------------

    @cached
    def testimonials(self):
        """Customers' testimonials with their consent (P15), in the notices table; photos in the assets bucket."""
        from chalicelib.storage import Bucket
        from chalicelib.testimonials.photos import TestimonialPhotos
        from chalicelib.testimonials.repository import DynamoTestimonials
        from chalicelib.testimonials.service import TestimonialService

        return TestimonialService(DynamoTestimonials(self.config.notices_table, *self._where()),
                                  TestimonialPhotos(Bucket(self._clients.s3(), self.config.assets_bucket),
                                                    self.upload_scan),
                                  self.audit_log, self.accounts, self.mail_queue, self.config.public_base_url)

    # --- cookie consent ----------------------------------------------------------------------------

    @cached
    def consent(self):
        """Cookie choices (P9), each recorded with its time, banner version and shortened IP, in the notices table."""
        from chalicelib.consent.repository import DynamoConsentRecords
        from chalicelib.consent.service import ConsentService

        return ConsentService(DynamoConsentRecords(self._clients.dynamodb(), self.config.notices_table), self.clock)

    # --- analytics ---------------------------------------------------------------------------------

    @cached
    def analytics(self):
        """First-party page analytics (P2, P14): the beacon's page views, batched per container
        (locally each view is written at once, so the dashboard shows it straight away)."""
        from chalicelib.analytics.service import BUFFER_EVENTS, AnalyticsService

        return AnalyticsService(self.analytics_store, buffer_events=1 if self.config.is_local else BUFFER_EVENTS)

    @cached
    def analytics_store(self):
        from chalicelib.analytics.repository import DynamoAnalytics

        return DynamoAnalytics(self._clients.dynamodb(), self.config.analytics_table)


@functools.cache
def services() -> Services:
    """The container's services, from its settings and `chalicelib.aws`'s clients."""
    return Services(settings())


def reset() -> None:
    """Forget every built service: tests call it between moto sessions."""
    services.cache_clear()
