"""What registration, login and the settings page accept, validated by well-kept libraries."""

from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from chalicelib import validation
from chalicelib.accounts.passwords import MAX_LENGTH, password_problem


class ProfileIn(BaseModel):
    """The account holder's details (P1): name, address, phone, optional company and website."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    # country first: phone and postcode are read by the rules of the country
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, e.g. NL")
    phone: str = Field(min_length=1, max_length=40, description="Any common notation; stored as E.164")
    street: str = Field(min_length=1, max_length=200, description="Street and house number")
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    company_name: Optional[str] = Field(default=None, max_length=200)
    coc_number: Optional[str] = Field(default=None, max_length=20, description="Dutch Chamber of Commerce (KvK) number")
    vat_number: Optional[str] = Field(default=None, max_length=20)
    website: Optional[str] = Field(default=None, max_length=300)

    @field_validator("company_name", "coc_number", "vat_number", "website", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return validation.iso_country(value)

    @field_validator("coc_number")
    @classmethod
    def _coc(cls, value):
        return None if value is None else validation.kvk_number(value)

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value):
        return None if value is None else validation.vat_number(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value):
        return None if value is None else validation.website(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str, info: ValidationInfo) -> str:
        return validation.e164_phone(value, info.data.get("country"))

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str, info: ValidationInfo) -> str:
        return validation.postcode_for(info.data.get("country", ""), value)


class RegistrationIn(ProfileIn):
    email: str = Field(max_length=320)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    language: Optional[str] = Field(default=None, description="nl or en; the language of mails to this account")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return validation.normalised_email(value)

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        problem = password_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    remember_me: bool = False
    second_factor: Optional[str] = Field(default=None, max_length=40,
                                         description="The 6-digit code or a recovery code, for accounts with 2FA")


class AccountOut(BaseModel):
    account_id: str
    email: str
    email_verified: bool
    name: str
    phone: str
    street: str
    postcode: str
    city: str
    country: str
    company_name: Optional[str] = None
    coc_number: Optional[str] = None
    vat_number: Optional[str] = None
    website: Optional[str] = None
    language: str
    plan: str
    status: str
    campaign_tracking: bool = True


class RegistrationAccepted(BaseModel):
    status: str = Field(description="Always 'check-your-inbox': the same answer whether or not the address was known")


class SessionOut(BaseModel):
    account: AccountOut
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every state-changing request")


class CampaignTrackingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: bool = Field(description="False: no campaign of the account counts opens and clicks")


class ProductNewsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opted_in: bool = Field(description="True to receive MailExpert's product news; the consent text is recorded")


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    plan: str = Field(description="free, starter or professional")


class EmailChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    new_email: str = Field(max_length=320)
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=MAX_LENGTH)


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_LENGTH)


class PasswordResetRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=1, max_length=320)


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, max_length=100, description="The token from the link in the mail")


class NewPasswordIn(TokenIn):
    new_password: str = Field(min_length=1, max_length=MAX_LENGTH)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=MAX_LENGTH)
    confirm: bool = Field(description="Must be true: erasure cannot be undone")


class DeviceOut(BaseModel):
    device_id: str
    device: str
    remembered_since: str
    last_used: str


class ExportOut(BaseModel):
    export_id: str
    status: str
    progress: int
    requested_at: str
    download_url: Optional[str] = Field(default=None, description="Valid for 5 minutes; ask again for a new one")


class Accepted(BaseModel):
    status: str
