import pytest

from chalicelib.config import parse_settings

COMPLETE = {
    "MAIL_EVENTS_TABLE": "events", "JOB_RUNS_TABLE": "runs", "ACCOUNTS_TABLE": "accounts", "AUTH_TABLE": "auth",
    "AUDIT_LOG_TABLE": "audit", "AUDIENCE_TABLE": "audience", "SIGNING_KEY_SECRET": "key", "MAIL_QUEUE_NAME": "mail", "JOBS_QUEUE_NAME": "jobs",
    "CAMPAIGNS_TABLE": "campaigns", "NOTICES_TABLE": "notices", "ANALYTICS_TABLE": "analytics", "CAMPAIGN_SEND_QUEUE_NAME": "campaign-send",
    "SES_EVENTS_TOPIC_NAME": "topic", "SES_CONFIGURATION_SET": "set", "SES_CAMPAIGN_CONFIGURATION_SET": "campaign-set", "ASSETS_BUCKET": "assets",
    "EXPORTS_BUCKET": "exports", "MAIL_FROM": "MailExpert <noreply@mailexpert.nl>",
    "SUPPORT_ADDRESS": "info@mailexpert.nl",
}


def test_settings_name_every_table_for_health_and_backups():
    settings = parse_settings({**COMPLETE, "STAGE": "dev"})
    assert settings.table_names == {"mail_events": "events", "job_runs": "runs", "accounts": "accounts",
                                    "auth": "auth", "audit_log": "audit", "audience": "audience",
                                    "campaigns": "campaigns", "notices": "notices",
                                    "analytics": "analytics"}
    assert not settings.is_local


def test_missing_resource_name_is_a_clear_error():
    environment = dict(COMPLETE)
    del environment["MAIL_QUEUE_NAME"]
    with pytest.raises(RuntimeError, match="MAIL_QUEUE_NAME"):
        parse_settings(environment)


def test_local_stage_is_recognised():
    assert parse_settings({**COMPLETE, "STAGE": "local"}).is_local
