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


@functools.cache
def account_service():
    from chalicelib.accounts.audit import DynamoAuditLog
    from chalicelib.accounts.auth_store import DynamoAuthStore
    from chalicelib.accounts.remember import DynamoRememberedDevices
    from chalicelib.accounts.repository import DynamoAccounts
    from chalicelib.accounts.service import AccountService
    from chalicelib.accounts.throttle import DynamoThrottle

    config = settings()
    where = (config.region, config.aws_endpoint_url)
    return AccountService(DynamoAccounts(config.accounts_table, *where), DynamoAuthStore(config.auth_table, *where),
                          DynamoAuditLog(config.audit_log_table, *where), mail_queue(), config.public_base_url,
                          DynamoRememberedDevices(config.auth_table, *where), DynamoThrottle(config.auth_table, *where))


def reset() -> None:
    """Forget every wired service: tests call it between moto sessions."""
    for getter in (mail_queue, mail_sender, mail_events, job_runs, account_service):
        getter.cache_clear()
