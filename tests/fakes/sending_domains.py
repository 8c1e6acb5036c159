"""Sending domains and their claims in memory, keeping DynamoSendingDomains' contract
(tests/integration/test_sending_domains_repository_contract.py)."""

import dataclasses

from chalicelib.sending_domains.domains import Claim, SendingDomain
from tests.fakes.stored import utc


def _domain(domain: SendingDomain) -> SendingDomain:
    return dataclasses.replace(domain, dkim_tokens=tuple(domain.dkim_tokens), created_at=utc(domain.created_at),
                               checked_at=utc(domain.checked_at), verified_at=utc(domain.verified_at))


def _claim(claim: Claim) -> Claim:
    return dataclasses.replace(claim, claimed_at=utc(claim.claimed_at), verified=bool(claim.verified),
                               expires_at=utc(claim.expires_at))


class InMemorySendingDomains:
    def __init__(self):
        self._domains: dict[tuple, SendingDomain] = {}  # (account, domain)
        self._claims: dict[str, Claim] = {}  # domain -> the one claim on it

    def domains(self, account_id: str) -> list[SendingDomain]:
        return sorted((_domain(d) for (owner, _), d in self._domains.items() if owner == account_id),
                      key=lambda d: d.domain)

    def get(self, account_id: str, domain: str) -> SendingDomain | None:
        found = self._domains.get((account_id, domain))
        return _domain(found) if found else None

    def save(self, domain: SendingDomain) -> None:
        self._domains[domain.account_id, domain.domain] = _domain(domain)

    def delete(self, account_id: str, domain: str) -> None:
        self._domains.pop((account_id, domain), None)

    def claim_of(self, domain: str) -> Claim | None:
        return self._claims.get(domain)

    def put_claim(self, claim: Claim, replacing: Claim | None) -> bool:
        current = self._claims.get(claim.domain)
        if replacing is None:
            still = current is None
        else:  # the same holder and moment of claiming, as DynamoSendingDomains' condition compares them
            still = current is not None and (current.account_id, current.claimed_at) == (
                replacing.account_id, utc(replacing.claimed_at))
        if still:
            self._claims[claim.domain] = _claim(claim)
        return still

    def release_claim(self, domain: str, account_id: str) -> bool:
        current = self._claims.get(domain)
        if current is None or current.account_id != account_id:
            return False
        del self._claims[domain]
        return True
