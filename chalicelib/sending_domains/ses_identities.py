"""The account's domains as Amazon SES identities: the only code of sending domains that talks to SES.

A refusal SES may take back (throttling, a quota, SES unavailable) becomes `SesUnavailable`, a 503
the person can retry; only its error code is logged.
"""

from chalicelib import errors
from chalicelib.i18n import N_
from chalicelib.observability import logger


class SesUnavailable(errors.ServiceUnavailable):
    default_message = N_("Amazon SES did not answer as it should just now. Please try again in a minute.")


class SesIdentities:
    """Domain identities in SES v2, with Easy DKIM."""

    def __init__(self, client):
        self._ses = client

    def create(self, domain: str) -> dict:
        """A new identity. One left behind (a lapsed claim, a removal that failed halfway) is deleted
        first: its keys may be published by someone else, so they prove nothing."""
        with _refusals("sending domain not created at SES", domain):
            try:
                return self._ses.create_email_identity(EmailIdentity=domain)
            except self._ses.exceptions.AlreadyExistsException:
                self._ses.delete_email_identity(EmailIdentity=domain)
                return self._ses.create_email_identity(EmailIdentity=domain)

    def get(self, domain: str) -> dict | None:
        with _refusals("sending domain not read from SES", domain):
            try:
                return self._ses.get_email_identity(EmailIdentity=domain)
            except self._ses.exceptions.NotFoundException:
                return None

    def set_mail_from(self, domain: str, mail_from: str | None) -> None:
        """A custom MAIL FROM domain, or SES's own (None)."""
        request = {"MailFromDomain": mail_from, "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"} if mail_from else {}
        with _refusals("mail from not set at SES", domain):
            self._ses.put_email_identity_mail_from_attributes(EmailIdentity=domain, **request)

    def delete(self, domain: str) -> None:
        """The identity is gone, whether it was there or not."""
        with _refusals("sending domain not deleted at SES", domain):
            try:
                self._ses.delete_email_identity(EmailIdentity=domain)
            except self._ses.exceptions.NotFoundException:
                pass


class _refusals:
    """Turns a ClientError of SES into SesUnavailable, logging its code only."""

    def __init__(self, message: str, domain: str):
        self._message, self._domain = message, domain

    def __enter__(self):
        return self

    def __exit__(self, kind, error, _traceback):
        from botocore.exceptions import ClientError

        if kind is not None and issubclass(kind, ClientError):
            logger.warning(self._message, domain=self._domain, error=error.response.get("Error", {}).get("Code"))
            raise SesUnavailable() from None
        return False
