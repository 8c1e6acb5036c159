"""Testimonials in memory, keeping DynamoTestimonials' contract
(tests/integration/test_testimonials_repository_contract.py): whole testimonials with a version
check, stored as DynamoDB would hand them back (times in UTC, consents checked as they load)."""

import dataclasses

from chalicelib.testimonials.testimonial import ChangedMeanwhile, Consent, Testimonial
from tests.fakes.stored import utc


def _stored(t: Testimonial) -> Testimonial:
    """As DynamoDB hands it back: every time in UTC, every consent checked against its digest."""
    return dataclasses.replace(
        t, created_at=utc(t.created_at), consents=tuple(Consent.from_dict(c.as_dict()) for c in t.consents),
        publication=dataclasses.replace(t.publication, at=utc(t.publication.at)) if t.publication else None,
        proposal=dataclasses.replace(t.proposal, proposed_at=utc(t.proposal.proposed_at)) if t.proposal else None,
        withdrawal=dataclasses.replace(t.withdrawal, at=utc(t.withdrawal.at), requested_at=utc(t.withdrawal.requested_at))
        if t.withdrawal else None,
        log=tuple(dataclasses.replace(e, at=utc(e.at)) for e in t.log))


class InMemoryTestimonials:
    def __init__(self):
        self._items: dict[tuple[str, str], Testimonial] = {}

    def save(self, testimonial: Testimonial) -> Testimonial:
        key = (testimonial.account_id, testimonial.testimonial_id)
        current = self._items.get(key)
        if (current.version if current else None) != testimonial.version:
            raise ChangedMeanwhile()
        saved = dataclasses.replace(_stored(testimonial), version=(testimonial.version or 0) + 1)
        self._items[key] = saved
        return saved

    def get(self, account_id: str, testimonial_id: str) -> Testimonial | None:
        return self._items.get((account_id, testimonial_id))

    def find(self, testimonial_id: str) -> Testimonial | None:
        return next((t for (_, tid), t in self._items.items() if tid == testimonial_id), None)

    def of_account(self, account_id: str) -> list[Testimonial]:
        return [t for (owner, _), t in sorted(self._items.items()) if owner == account_id]

    def every(self) -> list[Testimonial]:
        return [t for _, t in sorted(self._items.items())]

    def published(self) -> list[Testimonial]:
        return [t for t in self.every() if t.shown_publicly() is not None]

    def delete(self, account_id: str, testimonial_id: str) -> None:
        self._items.pop((account_id, testimonial_id), None)

    def erase_account(self, account_id: str) -> int:
        keys = [key for key in self._items if key[0] == account_id]
        for key in keys:
            del self._items[key]
        return len(keys)

    def stored_items(self, account_id: str) -> list[dict]:
        return [{"testimonial_id": t.testimonial_id, "consents": [c.as_dict() for c in t.consents]}
                for t in self.of_account(account_id)]
