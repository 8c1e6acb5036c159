"""What the audience pages and API accept."""

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib import validation


class ListIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=100)
    description: Optional[str] = Field(default=None, max_length=500)


class ContactIn(BaseModel):
    """A contact for a list. With `confirm` (the default) the person gets a confirmation mail and is
    subscribed only once they confirm (double opt-in); without it, a lawful basis must be given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: str = Field(max_length=320)
    first_name: Optional[str] = Field(default=None, max_length=100)
    last_name: Optional[str] = Field(default=None, max_length=100)
    language: Optional[str] = Field(default=None, max_length=2, description="nl or en; the language of their mail")
    tags: list[str] = Field(default_factory=list, max_length=50)
    fields: dict[str, str] = Field(default_factory=dict, description="Custom fields, by name")
    confirm: bool = Field(default=True, description="Send a confirmation mail first (double opt-in)")
    lawful_basis: Optional[str] = Field(default=None, max_length=500,
                                        description="Required without `confirm`: how consent was obtained")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validation.normalised_email(value)

    @field_validator("first_name", "last_name", "lawful_basis", "language", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class SignUpIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)
    email: str = Field(max_length=320)
    first_name: Optional[str] = Field(default=None, max_length=100)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validation.normalised_email(value)


class ListOut(BaseModel):
    list_id: str
    name: str
    description: Optional[str] = None
    signup_form_url: str


class ContactOut(BaseModel):
    contact_id: str
    email: str
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    language: Optional[str] = None
    tags: list[str] = []
    fields: dict[str, str] = {}
    lists: dict[str, str] = Field(default_factory=dict, description="list id -> status")


class ContactPage(BaseModel):
    contacts: list[ContactOut]
    next_cursor: Optional[str] = Field(default=None, description="Pass as ?cursor= for the next page")


class SuppressionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    emails: list[str] = Field(min_length=1, max_length=1000)
