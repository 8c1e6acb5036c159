"""What the testimonial forms accept: a customer's testimonial, and an edit staff propose."""

import unicodedata
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.i18n import N_
from chalicelib.testimonials.testimonial import DETAIL_MAX, TEXT_MAX

REQUESTER_MAX = 200
STAFF_TIME_ZONE = "Europe/Amsterdam"
CLOCK_SKEW = timedelta(minutes=5)


def _plain(value: str) -> str:
    """NFC, no format characters (such as a right-to-left override), trailing spaces gone per line."""
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


def _one_line(value: str) -> str:
    return " ".join(_plain(value).split())


class _Shown(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # validate_default: a field left out of the form is checked as an empty one
    text: str = Field(default="", max_length=TEXT_MAX, validate_default=True)
    name: str = Field(default="", max_length=DETAIL_MAX, validate_default=True)
    company: str = Field(default="", max_length=DETAIL_MAX)
    city: str = Field(default="", max_length=DETAIL_MAX)

    @field_validator("text", mode="before")
    @classmethod
    def _text_plain(cls, value):
        return _plain(value) if isinstance(value, str) else value

    @field_validator("name", "company", "city", mode="before")
    @classmethod
    def _details_plain(cls, value):
        return _one_line(value) if isinstance(value, str) else value

    @field_validator("text")
    @classmethod
    def _text_given(cls, value: str) -> str:
        if not value:
            raise ValueError(N_("Write the text of your testimonial."))
        return value

    @field_validator("name")
    @classmethod
    def _name_given(cls, value: str) -> str:
        if not value:
            raise ValueError(N_("Enter the name to show with the testimonial."))
        return value


class TestimonialIn(_Shown):
    """A customer's testimonial, with their consent to publish exactly this."""

    photo_id: str = ""
    show_photo: bool = False
    consent: bool = Field(default=False, validate_default=True)

    @field_validator("show_photo", "consent", mode="before")
    @classmethod
    def _ticked(cls, value) -> bool:
        return value in (True, "on", "1", "true", "yes")

    @field_validator("consent")
    @classmethod
    def _consent_given(cls, value: bool) -> bool:
        if not value:
            raise ValueError(N_("We publish a testimonial only with your permission: tick the box to give it."))
        return value


class ProposalIn(_Shown):
    """An edit staff propose; `keep_photo` unticked leaves the consented photo out."""

    keep_photo: bool = False

    @field_validator("keep_photo", mode="before")
    @classmethod
    def _ticked(cls, value) -> bool:
        return value in (True, "on", "1", "true", "yes")


class WithdrawalRequestIn(BaseModel):
    """A withdrawal staff record on the customer's request: who asked, and when."""

    model_config = ConfigDict(extra="ignore")

    requested_by: str = Field(default="", max_length=REQUESTER_MAX, validate_default=True)
    requested_at: str = Field(default="", validate_default=True)

    @field_validator("requested_by", mode="before")
    @classmethod
    def _requester(cls, value):
        return _one_line(value) if isinstance(value, str) else value

    @field_validator("requested_by")
    @classmethod
    def _requester_given(cls, value: str) -> str:
        if not value:
            raise ValueError(N_("Enter who asked for the withdrawal (name, and how they asked)."))
        return value

    @field_validator("requested_at")
    @classmethod
    def _moment(cls, value: str) -> str:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(N_("Enter when they asked, as date and time (like 2026-12-07 10:30).")) from None
        if moment.tzinfo is None:  # as typed into the page: Amsterdam time
            moment = moment.replace(tzinfo=ZoneInfo(STAFF_TIME_ZONE))
        moment = moment.astimezone(timezone.utc)
        if moment > datetime.now(timezone.utc) + CLOCK_SKEW:
            raise ValueError(N_("A request cannot have been made in the future."))
        return moment.isoformat()
