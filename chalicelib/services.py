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

    return SesSender(aws.sesv2(), settings().mail_from, settings().ses_configuration_set)


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
                          remembered_devices(), DynamoThrottle(settings().auth_table, *_where()))


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

    return ListExports(audience(), exports(), aws.s3(), settings().exports_bucket, jobs_queue())


@functools.cache
def data_rights():
    from chalicelib.accounts.data_rights import DataRights

    return DataRights(accounts(), auth_store(), remembered_devices(), audit_log(), mail_events(),
                      exports(), aws.s3(), settings().exports_bucket,
                      jobs_queue(), audience())


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
                           DynamoThrottle(settings().auth_table, *_where()), settings().public_base_url)


@functools.cache
def contact_imports():
    from chalicelib.audience import models
    from chalicelib.audience.imports import DynamoImports, ImportService

    audience()  # binds the audience models to their table
    return ImportService(audience(), audience_service(), DynamoImports(models), aws.s3(), settings().exports_bucket,
                         jobs_queue(), aws.dynamodb(), settings().audience_table, settings().public_base_url)


def reset() -> None:
    """Forget every wired service: tests call it between moto sessions."""
    for getter in (mail_queue, mail_sender, mail_events, job_runs, accounts, auth_store, remembered_devices,
                   audit_log, account_service, jobs_queue, data_rights, signer, audience, audience_service,
                   exports, list_exports, contact_imports):
        getter.cache_clear()
