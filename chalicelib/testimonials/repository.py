"""Testimonials in DynamoDB (see models.py for the item layout): the only code that knows the items.

A stored consent is checked against its digest as it is read (`Consent.__post_init__`): an item
whose consented content was changed behind the service's back does not load. Lists skip such an
item (and log it), so one broken item never takes the public page down, and is never shown.
"""

from dataclasses import replace
from datetime import datetime, timezone

from chalicelib.dynamo import bind, conditional_check_failed
from chalicelib.observability import logger
from chalicelib.testimonials.testimonial import (ChangedMeanwhile, Consent, ConsentMismatch, LogEntry, Proposal,
                                                 Publication, Shown, Testimonial, TestimonialEvent, Withdrawal)


def _sort_key(account_id: str, testimonial_id: str = "") -> str:
    return f"{account_id}#{testimonial_id}"


class DynamoTestimonials:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.testimonials import models

        bind(models.TestimonialModel, table_name, region, host)
        self._model = models.TestimonialModel
        self._partition = models.PARTITION

    def save(self, testimonial: Testimonial) -> Testimonial:
        """Stores `testimonial` if the stored one is still the version it was read at (a new one: if
        none is stored); returns it with its new version. `ChangedMeanwhile` when someone wrote first."""
        from pynamodb.exceptions import PutError

        item = self._model(
            pk=self._partition, sk=_sort_key(testimonial.account_id, testimonial.testimonial_id),
            testimonial_id=testimonial.testimonial_id, account_id=testimonial.account_id,
            created_at=testimonial.created_at, published=testimonial.shown_publicly() is not None,
            consents=[c.as_dict() for c in testimonial.consents],
            publication=_publication_out(testimonial.publication), proposal=_proposal_out(testimonial.proposal),
            withdrawal=_withdrawal_out(testimonial.withdrawal),
            log=[{"at": e.at.isoformat(), "event": e.event.value, "by": e.by} for e in testimonial.log],
            **({"version": testimonial.version} if testimonial.version is not None else {}))
        try:
            item.save()
        except PutError as failed:
            if conditional_check_failed(failed):
                raise ChangedMeanwhile() from None
            raise
        return replace(testimonial, version=item.version)

    def get(self, account_id: str, testimonial_id: str) -> Testimonial | None:
        from pynamodb.exceptions import DoesNotExist

        try:
            item = self._model.get(self._partition, _sort_key(account_id, testimonial_id), consistent_read=True)
        except DoesNotExist:
            return None
        return _testimonial(item)

    def find(self, testimonial_id: str) -> Testimonial | None:
        """Any account's testimonial by its id alone (staff pages, the public photo link)."""
        found = self._loaded(self._model.query(self._partition, filter_condition=
                                               self._model.testimonial_id == testimonial_id, consistent_read=True))
        return found[0] if found else None

    def of_account(self, account_id: str) -> list[Testimonial]:
        return self._loaded(self._model.query(self._partition, self._model.sk.startswith(_sort_key(account_id)),
                                              consistent_read=True))

    def every(self) -> list[Testimonial]:
        return self._loaded(self._model.query(self._partition, consistent_read=True))

    def published(self) -> list[Testimonial]:
        """Those stored as published; the caller still asks each what it shows (`shown_publicly`)."""
        return self._loaded(self._model.query(self._partition, filter_condition=self._model.published == True,  # noqa: E712
                                              consistent_read=True))

    def delete(self, account_id: str, testimonial_id: str) -> None:
        self._model(pk=self._partition, sk=_sort_key(account_id, testimonial_id)).delete(add_version_condition=False)

    def erase_account(self, account_id: str) -> int:
        """Deletes every testimonial item of the account (also one that no longer loads)."""
        keys = [item.sk for item in self._model.query(self._partition, self._model.sk.startswith(_sort_key(account_id)),
                                                       consistent_read=True, attributes_to_get=["pk", "sk"])]
        for sort_key in keys:
            self._model(pk=self._partition, sk=sort_key).delete(add_version_condition=False)
        return len(keys)

    def stored_items(self, account_id: str) -> list[dict]:
        """The account's items as stored, also those that no longer load: for the export and erasure."""
        return [{"testimonial_id": i.testimonial_id, "created_at": i.created_at.isoformat(), "consents": i.consents,
                 "publication": i.publication, "proposal": i.proposal, "withdrawal": i.withdrawal, "log": i.log}
                for i in self._model.query(self._partition, self._model.sk.startswith(_sort_key(account_id)),
                                           consistent_read=True)]

    @staticmethod
    def _loaded(items) -> list[Testimonial]:
        found = []
        for item in items:
            try:
                found.append(_testimonial(item))
            except (ConsentMismatch, KeyError, TypeError, ValueError):
                logger.warning("testimonial does not load", testimonial_id=item.testimonial_id)
        return found


def _publication_out(publication: Publication | None) -> dict | None:
    if publication is None:
        return None
    return {"consent_id": publication.consent_id, "at": publication.at.isoformat(), "by": publication.by}


def _proposal_out(proposal: Proposal | None) -> dict | None:
    if proposal is None:
        return None
    return {"shown": proposal.shown.as_dict(), "proposed_by": proposal.proposed_by,
            "proposed_at": proposal.proposed_at.isoformat()}


def _withdrawal_out(withdrawal: Withdrawal | None) -> dict | None:
    if withdrawal is None:
        return None
    return {"at": withdrawal.at.isoformat(), "by": withdrawal.by, "requested_by": withdrawal.requested_by,
            "requested_at": withdrawal.requested_at.isoformat() if withdrawal.requested_at else None}


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(timezone.utc) if value else None


def _testimonial(item) -> Testimonial:
    publication = item.publication
    proposal = item.proposal
    withdrawal = item.withdrawal
    return Testimonial(
        item.testimonial_id, item.account_id, item.created_at,
        tuple(Consent.from_dict(c) for c in item.consents),
        Publication(publication["consent_id"], _time(publication["at"]), publication["by"]) if publication else None,
        Proposal(Shown.from_dict(proposal["shown"]), proposal["proposed_by"], _time(proposal["proposed_at"]))
        if proposal else None,
        Withdrawal(_time(withdrawal["at"]), withdrawal["by"], withdrawal.get("requested_by"),
                   _time(withdrawal.get("requested_at"))) if withdrawal else None,
        tuple(LogEntry(_time(e["at"]), TestimonialEvent(e["event"]), e["by"]) for e in item.log or ()),
        item.version)
