"""Sending domains and their claims in DynamoDB (see models.py for the item layout)."""

from chalicelib.dynamo import bind, conditional_check_failed
from chalicelib.sending_domains.domains import Claim, DomainStatus, SendingDomain


def _account_key(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


def _claim_key(domain: str) -> str:
    return f"DOMAIN#{domain}"


class DynamoSendingDomains:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.sending_domains import models

        self._m = models
        for model in (models.SendingDomainModel, models.DomainClaimModel):
            bind(model, table_name, region, host)

    # --- an account's domains ----------------------------------------------------------------------

    def domains(self, account_id: str) -> list[SendingDomain]:
        m = self._m.SendingDomainModel
        found = [self._domain(account_id, i) for i in m.query(_account_key(account_id), m.sk.startswith("DOMAIN#"),
                                                               consistent_read=True)]
        return sorted(found, key=lambda d: d.domain)

    def get(self, account_id: str, domain: str) -> SendingDomain | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.SendingDomainModel.get(_account_key(account_id), f"DOMAIN#{domain}", consistent_read=True)
        except (DoesNotExist, ValueError):
            return None
        return self._domain(account_id, item)

    def save(self, domain: SendingDomain) -> None:
        self._m.SendingDomainModel(pk=_account_key(domain.account_id), sk=f"DOMAIN#{domain.domain}",
                                   domain=domain.domain, status=domain.status.value,
                                   dkim_tokens=list(domain.dkim_tokens) or None, created_at=domain.created_at,
                                   checked_at=domain.checked_at, verified_at=domain.verified_at,
                                   mail_from_domain=domain.mail_from_domain,
                                   mail_from_status=domain.mail_from_status.value if domain.mail_from_status
                                   else None).save()

    def delete(self, account_id: str, domain: str) -> None:
        self._m.SendingDomainModel(pk=_account_key(account_id), sk=f"DOMAIN#{domain}").delete()

    @staticmethod
    def _domain(account_id: str, item) -> SendingDomain:
        return SendingDomain(item.domain, account_id, DomainStatus(item.status), tuple(item.dkim_tokens or ()),
                             item.created_at, item.checked_at, item.verified_at, item.mail_from_domain,
                             DomainStatus(item.mail_from_status) if item.mail_from_status else None)

    # --- claims: one account per domain ------------------------------------------------------------------

    def claim_of(self, domain: str) -> Claim | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._m.DomainClaimModel.get(_claim_key(domain), "CLAIM", consistent_read=True)
        except DoesNotExist:
            return None
        return Claim(domain, item.account_id, item.claimed_at, bool(item.verified), item.claim_expires_at)

    def put_claim(self, claim: Claim, replacing: Claim | None) -> bool:
        """Write a claim if the stored one is still `replacing` (None: there was none); False when
        someone else wrote first. One conditional write: two accounts never both get a domain."""
        from pynamodb.exceptions import PutError

        m = self._m.DomainClaimModel
        if replacing is None:
            condition = m.pk.does_not_exist()
        else:
            condition = (m.account_id == replacing.account_id) & (m.claimed_at == replacing.claimed_at)
        try:
            m(pk=_claim_key(claim.domain), sk="CLAIM", account_id=claim.account_id, claimed_at=claim.claimed_at,
              verified=claim.verified, claim_expires_at=claim.expires_at).save(condition=condition)
        except PutError as lost:
            if conditional_check_failed(lost):
                return False
            raise
        return True

    def release_claim(self, domain: str, account_id: str) -> bool:
        """Drop the account's claim; False when the domain is not (any more) the account's."""
        from pynamodb.exceptions import DeleteError

        m = self._m.DomainClaimModel
        try:
            m(pk=_claim_key(domain), sk="CLAIM").delete(condition=m.account_id == account_id)
        except DeleteError as other:
            if conditional_check_failed(other):
                return False
            raise
        return True
