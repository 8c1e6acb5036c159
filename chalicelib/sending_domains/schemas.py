"""What the sending domain pages and API accept and answer."""

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class DomainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    domain: str = Field(min_length=1, max_length=1000, description="A domain of your own, e.g. news.example.nl")


class MailFromIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    subdomain: Optional[str] = Field(default=None, max_length=63, description=(
        "The first label of the MAIL FROM subdomain, e.g. bounce (for bounce.example.nl); empty: SES's own"))


class DnsRecordOut(BaseModel):
    type: str
    name: str
    value: str
    purpose: str


class DomainOut(BaseModel):
    domain: str = Field(description="ASCII (IDNA) form, as in DNS")
    display_name: str = Field(description="As people write it")
    status: str = Field(description="pending, verified, failed or expired")
    records: list[DnsRecordOut] = Field(description="DNS records to publish: three DKIM CNAMEs, a DMARC TXT")
    created_at: datetime
    checked_at: datetime
    verified_at: Optional[datetime] = None
    mail_from_domain: Optional[str] = Field(default=None, description="A custom MAIL FROM subdomain, if set")
    mail_from_status: Optional[str] = Field(default=None, description="pending, verified or failed")
