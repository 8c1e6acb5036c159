"""Lazy getters that wire services to their AWS-backed adapters, once per container."""

import functools

from chalicelib import aws
from chalicelib.config import settings


@functools.cache
def mail_queue():
    from chalicelib.delivery.queue import MailQueue

    return MailQueue(aws.sqs(), aws.queue_url(settings().mail_queue_name))


@functools.cache
def mail_sender():
    from chalicelib.delivery.sender import SesSender

    return SesSender(aws.sesv2(), settings().mail_from, settings().ses_configuration_set, sent_mail=sent_mail())


@functools.cache
def sent_mail():
    """Whose mail each SES message id was: SES's notifications name only that id."""
    from chalicelib.delivery.sent_mail import DynamoSentMail

    return DynamoSentMail(aws.dynamodb(), settings().mail_events_table)


def ses_events():
    """The SES event path (app.py `on_ses_event`). Not cached: it only ties cached services together."""
    from chalicelib.delivery.service import SesEventIngest, SignedHeaderOrigins

    origins = SignedHeaderOrigins(lambda token: signer().subscriber(token),
                                  lambda account_id, campaign_id:
                                  campaigns_store().get_campaign(account_id, campaign_id) is not None)
    return SesEventIngest(mail_events(), sent_mail(), on_permanent_failure=audience_service().suppress_failed_delivery,
                          counters=(campaign_service().count_ses_event, reputation().record),
                          origin_from_headers=origins)


@functools.cache
def mail_events():
    from chalicelib.delivery.events_store import DynamoMailEvents

    config = settings()
    return DynamoMailEvents(config.mail_events_table, config.region, config.aws_endpoint_url)


@functools.cache
def job_runs():
    from chalicelib.operations.job_runs import DynamoJobRuns

    config = settings()
    return DynamoJobRuns(config.job_runs_table, config.region, config.aws_endpoint_url)


def _where():
    config = settings()
    return config.region, config.aws_endpoint_url


@functools.cache
def accounts():
    from chalicelib.accounts.repository import DynamoAccounts

    return DynamoAccounts(settings().accounts_table, *_where())


@functools.cache
def auth_store():
    from chalicelib.accounts.auth_store import DynamoAuthStore

    return DynamoAuthStore(settings().auth_table, *_where())


@functools.cache
def remembered_devices():
    from chalicelib.accounts.remember import DynamoRememberedDevices

    return DynamoRememberedDevices(settings().auth_table, *_where())


@functools.cache
def audit_log():
    from chalicelib.accounts.audit import DynamoAuditLog

    return DynamoAuditLog(settings().audit_log_table, *_where())


@functools.cache
def account_service():
    from chalicelib.accounts.service import AccountService
    from chalicelib.accounts.throttle import DynamoThrottle

    return AccountService(accounts(), auth_store(), audit_log(), mail_queue(), settings().public_base_url,
                          remembered_devices(), DynamoThrottle(settings().auth_table, *_where()),
                          tracking_changed=lambda account: campaign_service().follow_tracking_choice(account))


@functools.cache
def jobs_queue():
    from chalicelib.jobs import JobsQueue

    return JobsQueue(aws.sqs(), aws.queue_url(settings().jobs_queue_name))


@functools.cache
def exports():
    from chalicelib.accounts.data_rights import DynamoExports

    return DynamoExports(settings().auth_table, *_where())


@functools.cache
def list_exports():
    from chalicelib.audience.list_export import ListExports

    return ListExports(audience(), exports(), aws.s3(), settings().exports_bucket, jobs_queue(), segments)


@functools.cache
def data_rights():
    from chalicelib.accounts.data_rights import DataRights

    return DataRights(accounts(), auth_store(), remembered_devices(), audit_log(), mail_events(),
                      exports(), aws.s3(), settings().exports_bucket,
                      jobs_queue(), audience(), campaigns_store(), assets(), sending_domains)


@functools.cache
def signer():
    """The signer of unsubscribe links; its key comes from Secrets Manager, once per container."""
    from chalicelib.audience.signing import Signer

    key = aws.client("secretsmanager").get_secret_value(SecretId=settings().signing_key_secret)["SecretString"]
    return Signer(key.encode("utf-8"))


@functools.cache
def audience():
    from chalicelib.audience.repository import DynamoAudience

    return DynamoAudience(settings().audience_table, *_where())


@functools.cache
def audience_service():
    from chalicelib.accounts.throttle import DynamoThrottle
    from chalicelib.audience.service import AudienceService

    return AudienceService(audience(), accounts(), auth_store(), mail_queue(), signer,
                           DynamoThrottle(settings().auth_table, *_where()), settings().public_base_url,
                           custom_fields(), campaign_service)


@functools.cache
def custom_fields():
    from chalicelib.audience import models
    from chalicelib.audience.custom_fields import CustomFieldService, DynamoCustomFields

    audience()  # binds the audience models to their table
    return CustomFieldService(DynamoCustomFields(models))


@functools.cache
def segments():
    from chalicelib.audience import models
    from chalicelib.audience.segments import DynamoSegments, SegmentService

    audience()  # binds the audience models to their table
    return SegmentService(audience(), audience_service(), custom_fields(), DynamoSegments(models))


@functools.cache
def contact_imports():
    from chalicelib.audience import models
    from chalicelib.audience.imports import DynamoImports, ImportService

    audience()  # binds the audience models to their table
    return ImportService(audience(), audience_service(), DynamoImports(models), aws.s3(), settings().exports_bucket,
                         jobs_queue(), aws.dynamodb(), settings().audience_table, settings().public_base_url)


@functools.cache
def campaigns_store():
    from chalicelib.campaigns.repository import DynamoCampaigns

    return DynamoCampaigns(settings().campaigns_table, *_where())


@functools.cache
def tracking_signer():
    """Signs open and click links with the same secret key as unsubscribe links."""
    from chalicelib.campaigns.tracking import TrackingSigner

    key = aws.client("secretsmanager").get_secret_value(SecretId=settings().signing_key_secret)["SecretString"]
    return TrackingSigner(key.encode("utf-8"))


@functools.cache
def send_ledger():
    from chalicelib.delivery.send_ledger import DynamoSendLedger

    return DynamoSendLedger(aws.dynamodb(), settings().campaigns_table)


@functools.cache
def received_index():
    """Who received which sent campaign (buckets of contact ids, written from the ledger)."""
    from chalicelib.campaigns.received import DynamoReceivedIndex

    return DynamoReceivedIndex(aws.dynamodb(), settings().campaigns_table, send_ledger())


@functools.cache
def campaign_service():
    from chalicelib.campaigns.service import CampaignService

    audience()  # binds the audience models
    return CampaignService(campaigns_store(), audience(), audience_service(), lambda: segments(), aws.sqs(),
                           aws.queue_url(settings().campaign_send_queue_name), jobs_queue(), tracking_signer,
                           mail_sender(), settings().mail_from, settings().public_base_url,
                           sending_domains=sending_domains, send_ledger=send_ledger, received_index=received_index)


@functools.cache
def sending_domains():
    """The account's own sending domains (SES identities); MailExpert's own domain is never one."""
    import email.utils

    from chalicelib.sending_domains.repository import DynamoSendingDomains
    from chalicelib.sending_domains.service import SendingDomainService

    shared_domain = email.utils.parseaddr(settings().mail_from)[1].rpartition("@")[2]
    return SendingDomainService(DynamoSendingDomains(settings().campaigns_table, *_where()), aws.sesv2(),
                                shared_domain, sending_from=lambda account, domain:
                                campaign_service().campaigns_sending_from(account, domain), region=settings().region)


@functools.cache
def reputation():
    """Soft bounces and the bounce and complaint rates per account, from the SES events."""
    from chalicelib.delivery.reputation import DynamoReputationStore, Reputation

    return Reputation(DynamoReputationStore(aws.dynamodb(), settings().campaigns_table), accounts(),
                      campaign_service().pause_all, audience_service(), mail_queue(), settings().support_address,
                      audit_log())


@functools.cache
def tracking():
    from chalicelib.campaigns.service import Tracking

    return Tracking(campaigns_store(), tracking_signer)


@functools.cache
def campaign_sender():
    """One per container: its threads send the recipients of a batch at once."""
    from chalicelib.delivery.campaign_sender import CampaignSender
    from chalicelib.delivery.rate_limit import DynamoTokenBucket, RateLimiter

    service = campaign_service()
    limiter = RateLimiter(DynamoTokenBucket(aws.dynamodb(), settings().campaigns_table),
                          settings().ses_send_rate_per_s)
    return CampaignSender(aws.single_attempt_client("sesv2"), send_ledger(), limiter, service.renderer_for,
                          service.campaign_state, settings().mail_from, settings().ses_campaign_configuration_set,
                          unsubscribe_headers=audience_service().unsubscribe_headers,
                          on_sent=_count_sent, sent_mail=sent_mail())


def _count_sent(account_id: str, campaign_id: str, count: int, size_bytes: int) -> None:
    """What SES accepted of a batch counts for the campaign's report, the account's use and reputation."""
    campaign_service().record_sent(account_id, campaign_id, count, size_bytes)
    reputation().count_sent(account_id, count)


@functools.cache
def assets():
    from chalicelib.campaigns.assets import AssetService

    return AssetService(aws.s3(), settings().assets_bucket, settings().public_base_url)


def job_handlers() -> dict:
    """The jobs queue's job names and what runs each (app.py's on_job_message)."""
    from chalicelib.accounts.data_rights import EXPORT_JOB
    from chalicelib.audience.imports import IMPORT_JOB
    from chalicelib.audience.list_export import EXPORT_LIST_JOB
    from chalicelib.campaigns.received import INDEX_JOB
    from chalicelib.campaigns.service import FANOUT_JOB

    def import_contacts(job: dict) -> None:
        account = accounts().get(job["account_id"])
        if account is not None:
            contact_imports().run(account.account_id, job["import_id"], account.language)

    return {
        EXPORT_JOB: lambda job: data_rights().prepare_export(job["account_id"], job["export_id"]),
        EXPORT_LIST_JOB: lambda job: list_exports().prepare(job["account_id"], job["export_id"]),
        IMPORT_JOB: import_contacts,
        FANOUT_JOB: lambda job: campaign_service().fanout(job["account_id"], job["campaign_id"]),
        INDEX_JOB: lambda job: campaign_service().index_recipients(job["account_id"], job["campaign_id"]),
    }


def reset() -> None:
    """Forget every wired service: tests call it between moto sessions."""
    for getter in (mail_queue, mail_sender, sent_mail, mail_events, job_runs, accounts, auth_store, remembered_devices,
                   audit_log, account_service, jobs_queue, data_rights, signer, audience, audience_service,
                   exports, list_exports, contact_imports, campaigns_store, tracking_signer, send_ledger,
                   received_index, campaign_service, campaign_sender, assets, tracking, reputation, custom_fields,
                   segments, sending_domains):
        getter.cache_clear()
