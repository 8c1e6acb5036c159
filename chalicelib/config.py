"""One settings object, parsed from the environment once per container.

Chalice puts the variables of `.chalice/config.json` into the environment (in Lambda and
under `chalice local`); tests set them before the app is imported.
"""

import functools
import os
from dataclasses import dataclass, field

LOCAL_STAGE = "local"
# Where the privacy policy sends questions about security ("kunt u een email sturen naar
# info@mailexpert.nl"): the contact page and /.well-known/security.txt name it (P18).
DEFAULT_SECURITY_ADDRESS = "info@mailexpert.nl"


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    aws_endpoint_url: str | None
    mail_events_table: str
    job_runs_table: str
    accounts_table: str
    auth_table: str
    audit_log_table: str
    audience_table: str
    campaigns_table: str
    notices_table: str
    analytics_table: str
    signing_key_secret: str
    mail_queue_name: str
    campaign_send_queue_name: str
    jobs_queue_name: str
    ses_events_topic_name: str
    ses_configuration_set: str
    ses_campaign_configuration_set: str
    assets_bucket: str
    exports_bucket: str
    mail_from: str
    support_address: str
    public_base_url: str
    backup_retention_days: int
    ses_send_rate_per_s: float = 14.0  # the SES account's maximum send rate (a new production account: 14)
    local_state_dir: str = field(default=".local")
    security_address: str = DEFAULT_SECURITY_ADDRESS
    backup_bucket: str = ""  # the table exports (P10); only the export job and `make restore` need it

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @property
    def table_names(self) -> dict[str, str]:
        """Every DynamoDB table the app owns, by role: health checks and backups cover them all."""
        return {"mail_events": self.mail_events_table, "job_runs": self.job_runs_table,
                "accounts": self.accounts_table, "auth": self.auth_table, "audit_log": self.audit_log_table,
                "audience": self.audience_table, "campaigns": self.campaigns_table,
                "notices": self.notices_table, "analytics": self.analytics_table}

    @property
    def outbox_path(self) -> str:
        return os.path.join(self.local_state_dir, "outbox.jsonl")


def _required(environ, name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise RuntimeError(f"environment variable {name} is not set (see .chalice/config.json)")
    return value


def parse_settings(environ) -> Settings:
    return Settings(
        stage=environ.get("STAGE", "dev"),
        region=environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "eu-west-1",
        aws_endpoint_url=environ.get("AWS_ENDPOINT_URL") or None,
        mail_events_table=_required(environ, "MAIL_EVENTS_TABLE"),
        job_runs_table=_required(environ, "JOB_RUNS_TABLE"),
        accounts_table=_required(environ, "ACCOUNTS_TABLE"),
        auth_table=_required(environ, "AUTH_TABLE"),
        audit_log_table=_required(environ, "AUDIT_LOG_TABLE"),
        audience_table=_required(environ, "AUDIENCE_TABLE"),
        campaigns_table=_required(environ, "CAMPAIGNS_TABLE"),
        notices_table=_required(environ, "NOTICES_TABLE"),
        analytics_table=_required(environ, "ANALYTICS_TABLE"),
        signing_key_secret=_required(environ, "SIGNING_KEY_SECRET"),
        mail_queue_name=_required(environ, "MAIL_QUEUE_NAME"),
        campaign_send_queue_name=_required(environ, "CAMPAIGN_SEND_QUEUE_NAME"),
        jobs_queue_name=_required(environ, "JOBS_QUEUE_NAME"),
        ses_events_topic_name=_required(environ, "SES_EVENTS_TOPIC_NAME"),
        ses_configuration_set=_required(environ, "SES_CONFIGURATION_SET"),
        ses_campaign_configuration_set=_required(environ, "SES_CAMPAIGN_CONFIGURATION_SET"),
        assets_bucket=_required(environ, "ASSETS_BUCKET"),
        exports_bucket=_required(environ, "EXPORTS_BUCKET"),
        mail_from=_required(environ, "MAIL_FROM"),
        support_address=_required(environ, "SUPPORT_ADDRESS"),
        public_base_url=environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
        backup_retention_days=int(environ.get("BACKUP_RETENTION_DAYS", "35")),
        ses_send_rate_per_s=float(environ.get("SES_SEND_RATE_PER_S", "14")),
        local_state_dir=environ.get("LOCAL_STATE_DIR", ".local"),
        security_address=environ.get("SECURITY_ADDRESS", "").strip() or DEFAULT_SECURITY_ADDRESS,
        backup_bucket=environ.get("BACKUP_BUCKET", "").strip(),
    )


@functools.cache
def settings() -> Settings:
    return parse_settings(os.environ)
