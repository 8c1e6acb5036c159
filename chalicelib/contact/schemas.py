"""The contact message, as the API and the contact page accept it."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.validation import normalised_email

NAME_MAX = 200
SUBJECT_MAX = 200
MESSAGE_MIN, MESSAGE_MAX = 10, 5000


class ContactMessageIn(BaseModel):
    """A question for MailExpert. The reply goes to `email`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=NAME_MAX, description="Who is asking")
    email: str = Field(max_length=320, description="Where the answer should go")
    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    message: str = Field(min_length=MESSAGE_MIN, max_length=MESSAGE_MAX)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalised_email(value)


class ContactMessageAccepted(BaseModel):
    status: str = Field(description="Always 'queued': the message is on its way to support")
    reference: str = Field(description="Quote this when you write to us about the message")
