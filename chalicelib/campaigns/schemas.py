"""What the campaign pages and API accept and answer."""

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib import validation


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    subject: str = Field(min_length=1, max_length=200, description="May personalise: {{ contact.first_name }}")
    html: str = Field(min_length=1, max_length=500_000)
    text: Optional[str] = Field(default=None, max_length=200_000, description="Derived from the HTML when empty")


class TemplateOut(BaseModel):
    template_id: str
    name: str
    subject: str
    html: str
    text: str
    text_derived: bool
    links: list[str]


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    subject: Optional[str] = Field(default=None, max_length=200, description="Else the template's subject")
    from_name: Optional[str] = Field(default=None, max_length=100)
    from_email: Optional[str] = Field(default=None, max_length=320, description=(
        "An address on one of the account's sending domains; empty: MailExpert's shared address"))
    reply_to: Optional[str] = Field(default=None, max_length=320)
    template_id: Optional[str] = Field(default=None, max_length=64)
    list_id: Optional[str] = Field(default=None, max_length=64)
    segment_id: Optional[str] = Field(default=None, max_length=64)
    tracking: bool = Field(default=True, description="Count opens and clicks through our own links")

    @field_validator("reply_to")
    @classmethod
    def _reply_to(cls, value):
        return validation.normalised_email(value) if value else None

    @field_validator("from_email")
    @classmethod
    def _from_email(cls, value):
        return validation.normalised_email(value) if value else None

    @field_validator("subject", "from_name", "from_email", "template_id", "list_id", "segment_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    send_at: Optional[datetime] = Field(default=None, description="ISO 8601 with offset; empty: send now")


class CampaignOut(BaseModel):
    campaign_id: str
    name: str
    subject: str
    from_name: str
    from_email: Optional[str] = Field(default=None, description="Empty: MailExpert's shared address")
    reply_to: Optional[str] = None
    template_id: Optional[str] = None
    list_id: Optional[str] = None
    segment_id: Optional[str] = None
    state: str
    send_at: Optional[datetime] = None
    tracking: bool
    recipients: int = 0
    report: dict[str, int] = {}
