"""Amazon SES v2's domain identities in memory, as SendingDomainService uses them (no network)."""

import secrets

from botocore.exceptions import ClientError


class _Exceptions:
    """The modelled errors a boto3 client offers as `client.exceptions`, here those the service catches."""

    ClientError = ClientError

    class AlreadyExistsException(ClientError):
        pass

    class NotFoundException(ClientError):
        pass


class InMemorySesIdentities:
    """Domain identities with Easy DKIM. `verify(domain)` plays the owner publishing its DNS records;
    `refuse_with = "TooManyRequestsException"` makes every call fail as a throttled SES does."""

    exceptions = _Exceptions

    def __init__(self):
        self.identities: dict[str, dict] = {}
        self.refuse_with: str | None = None

    def _answer(self, operation: str) -> None:
        if self.refuse_with:
            raise ClientError({"Error": {"Code": self.refuse_with, "Message": "refused"}}, operation)

    def _identity(self, operation: str, domain: str) -> dict:
        self._answer(operation)
        if domain not in self.identities:
            raise _Exceptions.NotFoundException({"Error": {"Code": "NotFoundException", "Message": domain}}, operation)
        return self.identities[domain]

    def create_email_identity(self, EmailIdentity: str) -> dict:
        self._answer("CreateEmailIdentity")
        if EmailIdentity in self.identities:
            raise _Exceptions.AlreadyExistsException(
                {"Error": {"Code": "AlreadyExistsException", "Message": EmailIdentity}}, "CreateEmailIdentity")
        self.identities[EmailIdentity] = {
            "IdentityType": "DOMAIN", "VerifiedForSendingStatus": False,
            "DkimAttributes": {"SigningEnabled": True, "Status": "PENDING",
                               "Tokens": [secrets.token_hex(16) for _ in range(3)]}}
        return {key: value for key, value in self.identities[EmailIdentity].items() if key != "IdentityType"}

    def get_email_identity(self, EmailIdentity: str) -> dict:
        return dict(self._identity("GetEmailIdentity", EmailIdentity))

    def delete_email_identity(self, EmailIdentity: str) -> dict:
        self._identity("DeleteEmailIdentity", EmailIdentity)
        del self.identities[EmailIdentity]
        return {}

    def put_email_identity_mail_from_attributes(self, EmailIdentity: str, MailFromDomain: str | None = None,
                                                BehaviorOnMxFailure: str = "USE_DEFAULT_VALUE") -> dict:
        identity = self._identity("PutEmailIdentityMailFromAttributes", EmailIdentity)
        identity["MailFromAttributes"] = {"MailFromDomain": MailFromDomain or "", "MailFromDomainStatus": "PENDING",
                                          "BehaviorOnMxFailure": BehaviorOnMxFailure}
        return {}

    def verify(self, domain: str) -> None:
        """Its DNS records are published: SES finds them (and those of its MAIL FROM subdomain)."""
        identity = self.identities[domain]
        identity["VerifiedForSendingStatus"] = True
        identity["DkimAttributes"]["Status"] = "SUCCESS"
        if identity.get("MailFromAttributes", {}).get("MailFromDomain"):
            identity["MailFromAttributes"]["MailFromDomainStatus"] = "SUCCESS"
