"""Policy versions in memory, keeping DynamoPolicyVersions' contract (conditional state changes),
and a clock that tests move by hand."""

from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.notices.policy import PolicyStatus, PolicyVersion, VersionNotEditable, VersionTaken


class InMemoryPolicyVersions:
    def __init__(self):
        self._versions: dict[int, PolicyVersion] = {}
        self._dismissed: set[tuple[str, int]] = set()

    def all(self) -> list[PolicyVersion]:
        return [self._versions[n] for n in sorted(self._versions)]

    def get(self, number: int) -> PolicyVersion | None:
        return self._versions.get(number)

    def create(self, version: PolicyVersion) -> None:
        if version.number in self._versions:
            raise VersionTaken(version.number)
        self._versions[version.number] = version

    def save_draft(self, version: PolicyVersion) -> PolicyVersion:
        stored = self._versions.get(version.number)
        if stored is None or stored.status is not PolicyStatus.DRAFT or stored.revision != version.revision:
            raise VersionNotEditable(version.number)
        saved = replace(version, revision=version.revision + 1)
        self._versions[version.number] = saved
        return saved

    def announce(self, number: int, revision: int, announced_at: datetime, effective_on) -> None:
        stored = self._versions.get(number)
        if stored is None or stored.status is not PolicyStatus.DRAFT or stored.revision != revision:
            raise VersionNotEditable(number)
        self._versions[number] = replace(stored, status=PolicyStatus.ANNOUNCED, announced_at=announced_at,
                                         effective_on=effective_on)

    def withdraw(self, number: int, withdrawn_at: datetime) -> None:
        stored = self._versions.get(number)
        if stored is None or stored.status is not PolicyStatus.ANNOUNCED:
            raise VersionNotEditable(number)
        self._versions[number] = replace(stored, status=PolicyStatus.WITHDRAWN, withdrawn_at=withdrawn_at)

    def dismiss(self, account_id: str, number: int, at: datetime) -> None:
        self._dismissed.add((account_id, number))

    def dismissed(self, account_id: str, number: int) -> bool:
        return (account_id, number) in self._dismissed

    def dismissed_versions(self, account_id: str) -> list[int]:
        return sorted(number for owner, number in self._dismissed if owner == account_id)

    def forget(self, account_id: str) -> None:
        self._dismissed = {(owner, number) for owner, number in self._dismissed if owner != account_id}


class Clock:
    """Aware UTC datetimes, moved by the test: `clock.now = ...` or `clock.advance(days=31)`."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


class InMemoryBroadcastLedger:
    """DynamoBroadcastLedger's contract in memory: a claim is created once; outcomes and releases only
    by the claim's owner while it is sending."""

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self.items: dict[tuple, dict] = {}
        self.runs: dict[tuple, object] = {}

    def claim(self, kind, message_id, account_id, owner, now) -> bool:
        from chalicelib.delivery.broadcast import BroadcastState

        with self._lock:
            key = (kind, message_id, account_id)
            if key in self.items:
                return False
            self.items[key] = {"state": BroadcastState.SENDING, "owner": owner}
            return True

    def _owned(self, key, owner):
        from chalicelib.delivery.broadcast import BroadcastState

        item = self.items.get(key)
        if item is None or item["owner"] != owner or item["state"] is not BroadcastState.SENDING:
            raise LookupError("condition failed")
        return item

    def record_all(self, kind, message_id, owner, outcomes) -> None:
        with self._lock:
            for account_id, state, detail in outcomes:
                self._owned((kind, message_id, account_id), owner).update(state=state, detail=detail)

    def release(self, kind, message_id, account_id, owner) -> None:
        with self._lock:
            self._owned((kind, message_id, account_id), owner)
            del self.items[(kind, message_id, account_id)]

    def claimed(self, kind, message_id, account_ids) -> set:
        return {a for a in account_ids if (kind, message_id, a) in self.items}

    def forget(self, kind, message_id, account_id) -> None:
        self.items.pop((kind, message_id, account_id), None)

    def state_of(self, kind, message_id, account_id):
        item = self.items.get((kind, message_id, account_id))
        return item["state"] if item else None

    def save_progress(self, kind, message_id, cursor, done, now, counts, cancelled=False) -> None:
        from chalicelib.delivery.broadcast import BroadcastProgress

        with self._lock:
            run = self.runs.setdefault((kind, message_id), BroadcastProgress())
            run.cursor, run.done, run.cancelled, run.updated_at = cursor, done, cancelled, now
            for name, count in counts.items():
                setattr(run, name, getattr(run, name) + count)

    def progress(self, kind, message_id):
        return self.runs.get((kind, message_id))
