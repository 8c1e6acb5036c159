"""What the audience pages and API accept."""

from typing import Annotated, Literal, Optional

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


class ContactEdit(BaseModel):
    """What the account holder may change of a contact: not the address (a contact's id follows from
    it, see audience.contact_id_for: a new address is a new contact)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    first_name: Optional[str] = Field(default=None, max_length=100)
    last_name: Optional[str] = Field(default=None, max_length=100)
    language: Optional[Literal["nl", "en"]] = Field(default=None, description="nl or en; the language of their mail")
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] = Field(default_factory=list, max_length=50)
    fields: dict[str, str] = Field(default_factory=dict, description="Custom fields by key; empty: removed")

    @field_validator("first_name", "last_name", "language", mode="before")
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


class ImportStartIn(BaseModel):
    """Start an import: which column holds what, and the declared lawful basis for mailing these people."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    mapping: dict[str, str] = Field(description='Column index -> target: "email", "first_name", "last_name", '
                                                '"last_name_prefix", "name", "language", "tags", "field:<name>"')
    declared: bool = Field(description="I declare that every person in the file agreed, or that another lawful "
                                       "basis applies")
    lawful_basis: str = Field(max_length=2000, description="How these people gave their consent")


class UploadForm(BaseModel):
    url: str
    fields: dict[str, str] = Field(description="Post these form fields with the file (field name `file`) to `url`")


class ImportOut(BaseModel):
    import_id: str
    list_id: str
    status: str = Field(description="waiting-for-file, mapping, queued, running, done or failed")
    headers: Optional[list[str]] = None
    mapping: Optional[dict[str, str]] = Field(default=None, description="Suggested, then chosen, column mapping")
    counts: dict[str, int] = {}
    rows_done: int = 0
    problem: Optional[str] = None
    upload: Optional[UploadForm] = None


class CustomFieldIn(BaseModel):
    """A typed field every contact of the account can have; its key follows from the label."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    label: str = Field(max_length=100,
                       description='Shown to you, e.g. "Geboortedatum"; the key becomes "geboortedatum"')
    field_type: str = Field(description="text, number, date or boolean")


class CustomFieldOut(BaseModel):
    key: str = Field(description='Use as "fields.<key>" on contacts and "field:<key>" in segment conditions')
    label: str
    field_type: str


class ConditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: str = Field(max_length=80, description='"email", "first_name", "last_name", "language", "tag", '
                                                  '"subscribed_since" or "field:<key>"')
    op: str = Field(max_length=20, description="text: equals, not_equals, contains, starts_with, is_set, is_not_set; "
                                               "number: equals, greater_than, less_than, is_set, is_not_set; "
                                               "date: before, after, on, is_set, is_not_set; boolean: is_true, "
                                               "is_false; tag: has, has_not; subscribed_since: before, after")
    value: Optional[bool | int | float | str] = Field(default=None, description="Dates as YYYY-MM-DD or DD-MM-YYYY")


class SegmentIn(BaseModel):
    """A saved filter over a list: its subscribed members that match all (or any) conditions."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    match: str = Field(default="all", description="all or any")
    conditions: list[ConditionIn] = Field(default_factory=list, max_length=100, description="At most 20")


class ConditionOut(BaseModel):
    field: str
    op: str
    value: Optional[bool | int | float | str] = None


class SegmentOut(BaseModel):
    segment_id: str
    list_id: str
    name: str
    match: str
    conditions: list[ConditionOut]
