"""What the sending domain pages and API accept and answer."""

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class DomainIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    domain: str = Field(min_length=1, max_length=1000, description="A domain of your own, e.g. news.example.nl")


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
