"""What staff and readers do with privacy policy versions (P17, P18).

Staff draft a version, edit it while it is a draft, announce it with an effective date, and may
withdraw it before that date; every action lands in the audit log. The 30-day rule: the effective
date (the version takes effect at 00:00 Amsterdam time that day) must be at least 30 full days after
the moment of announcement, counted in Amsterdam wall-clock time, so a change to or from summer time
in between neither shortens nor lengthens the notice by an hour. At most one version is pending at
a time: a second change waits until the first has taken effect or was withdrawn.

Which version is in force, and which is pending, follows from the clock (an injected callable that
returns an aware UTC datetime): nothing has to run at midnight for a version to take effect.

Hooks: `announced(version)` and `withdrawn(version)`, subscribed in the composition root (the notice
mail, the news page).
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from time import monotonic as monotonic_clock

from chalicelib import errors
from chalicelib.accounts.audit import AuditEvent
from chalicelib.hooks import Hook
from chalicelib.i18n import N_
from chalicelib.notices.policy import (AMSTERDAM, FIRST_VERSION, PolicyStatus, PolicyVersion, VersionNotEditable,
                                       VersionTaken, first_version)

NOTICE_PERIOD = timedelta(days=30)
VERSIONS_CACHE_S = 30.0  # how long a container may show a banner after another container changed the versions
MAX_TEXT_CHARS = 100_000  # a DynamoDB item holds 400 KB; both texts with room to spare
NUMBER_ATTEMPTS = 5

NOT_EDITABLE = N_("Version %(number)s is no longer a draft: an announced or withdrawn version is never changed. "
                  "Start a new draft instead.")
CHANGED_ELSEWHERE = N_("Version %(number)s was changed by someone else in the meantime. Reload the page and try again.")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def earliest_effective_date(announced_at: datetime) -> date:
    """The first date whose start (00:00 Amsterdam time) lies at least 30 full days, on the Amsterdam
    wall clock, after the announcement moment."""
    earliest = announced_at.astimezone(AMSTERDAM).replace(tzinfo=None) + NOTICE_PERIOD
    return earliest.date() if earliest.time() == time(0) else earliest.date() + timedelta(days=1)


def parse_effective_date(value: str | None) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise errors.ValidationFailed(field_errors=[errors.FieldError(
            "effective_on", N_("Enter the date the new version takes effect, as YYYY-MM-DD."))]) from None


def _clean_texts(text_nl: str | None, text_en: str | None) -> tuple[str, str]:
    problems = []
    texts = {}
    for field, text in (("text_nl", text_nl), ("text_en", text_en)):
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            problems.append(errors.FieldError(field, N_("Write the policy text in this language.")))
        elif len(text) > MAX_TEXT_CHARS:
            problems.append(errors.FieldError(field, N_("The text is too long: at most %(limit)s characters."),
                                              (("limit", MAX_TEXT_CHARS),)))
        texts[field] = text + "\n"
    if problems:
        raise errors.ValidationFailed(field_errors=problems)
    return texts["text_nl"], texts["text_en"]


class PolicyService:
    def __init__(self, versions, audit_log, clock=utc_now, cache_s: float = VERSIONS_CACHE_S,
                 monotonic=monotonic_clock):
        self._versions = versions  # `DynamoPolicyVersions` or an in-memory one
        self._audit = audit_log
        self._clock = clock
        self._cache_s = cache_s
        self._monotonic = monotonic
        self._cached: tuple[float, list[PolicyVersion]] | None = None
        self.announced = Hook()  # (version): a new version is announced, with its date
        self.withdrawn = Hook()  # (version): an announced version was taken back before its date

    def now(self) -> datetime:
        return self._clock()

    # --- reading ----------------------------------------------------------------------------------

    def versions(self, fresh: bool = False) -> list[PolicyVersion]:
        """Every version, version 1 first (drafts included: for staff). The banner on every page reads
        them: a container keeps them for `cache_s` seconds (its own changes at once); `fresh` reads now."""
        cached = self._cached
        if not fresh and cached is not None and self._monotonic() - cached[0] < self._cache_s:
            return list(cached[1])
        stored = self._versions.all()
        if not any(version.number == FIRST_VERSION for version in stored):
            stored = [first_version()] + stored
        self._cached = (self._monotonic(), stored)
        return list(stored)

    def _changed(self) -> None:
        self._cached = None

    def get(self, number: int) -> PolicyVersion:
        if number == FIRST_VERSION:
            return self._versions.get(number) or first_version()
        found = self._versions.get(number)
        if found is None:
            raise errors.NotFound(N_("There is no policy version %(number)s."), number=number)
        return found

    def in_force(self, versions=None) -> PolicyVersion:
        now = self.now()
        return [v for v in versions or self.versions() if v.takes_effect_by(now)][-1]

    def pending(self, versions=None) -> PolicyVersion | None:
        now = self.now()
        waiting = [v for v in versions or self.versions() if v.pending_at(now)]
        return waiting[0] if waiting else None

    def history(self, versions=None) -> list[PolicyVersion]:
        """What the public may see: announced and withdrawn versions, newest first."""
        return [v for v in reversed(versions or self.versions()) if v.status is not PolicyStatus.DRAFT]

    def recently_withdrawn(self) -> list[PolicyVersion]:
        """Withdrawn versions whose date has not come: their withdrawal is still news."""
        now = self.now()
        return [v for v in self.versions(fresh=True) if v.status is PolicyStatus.WITHDRAWN and v.effective_at > now]

    def pending_versions(self) -> list[PolicyVersion]:
        """Every announced version whose date is still to come (the notice job's work)."""
        now = self.now()
        return [v for v in self.versions(fresh=True) if v.pending_at(now)]

    # --- staff -------------------------------------------------------------------------------------

    def draft(self, staff, text_nl: str | None, text_en: str | None, ip: str | None = None) -> PolicyVersion:
        text_nl, text_en = _clean_texts(text_nl, text_en)
        for _ in range(NUMBER_ATTEMPTS):
            number = max(v.number for v in self.versions(fresh=True)) + 1
            version = PolicyVersion(number=number, text_nl=text_nl, text_en=text_en, status=PolicyStatus.DRAFT,
                                    created_at=self.now())
            try:
                self._versions.create(version)
            except VersionTaken:
                continue  # another draft took the number: take the next
            self._changed()
            self._audit.record(staff.account_id, AuditEvent.POLICY_DRAFTED, ip, version=number)
            return version
        raise errors.Conflict(N_("Several drafts were started at once. Try again."))

    def edit(self, staff, number: int, text_nl: str | None, text_en: str | None, revision: int | None = None,
             ip: str | None = None) -> PolicyVersion:
        version = self.get(number)
        if version.status is not PolicyStatus.DRAFT:
            raise errors.Conflict(NOT_EDITABLE, number=number)
        text_nl, text_en = _clean_texts(text_nl, text_en)
        try:
            saved = self._versions.save_draft(replace(version, text_nl=text_nl, text_en=text_en,
                                                      revision=revision if revision is not None else version.revision))
        except VersionNotEditable:
            raise errors.Conflict(CHANGED_ELSEWHERE, number=number) from None
        self._changed()
        self._audit.record(staff.account_id, AuditEvent.POLICY_EDITED, ip, version=number)
        return saved

    def announce(self, staff, number: int, effective_on: str | None, ip: str | None = None) -> PolicyVersion:
        """Publish a draft with its effective date: at least 30 full days from now, Amsterdam time."""
        version = self.get(number)
        if version.status is not PolicyStatus.DRAFT:
            raise errors.Conflict(NOT_EDITABLE, number=number)
        wanted = parse_effective_date(effective_on)
        now = self.now()
        earliest = earliest_effective_date(now)
        if wanted < earliest:
            raise errors.ValidationFailed(field_errors=[errors.FieldError(
                "effective_on", N_("A new version may take effect 30 full days after it is announced at the "
                                   "earliest: choose %(earliest)s or later."), (("earliest", earliest.isoformat()),))])
        waiting = self.pending(self.versions(fresh=True))
        if waiting is not None:
            raise errors.Conflict(N_("Version %(other)s is already announced for %(date)s. Withdraw it, or wait "
                                     "until it has taken effect, before announcing another."),
                                  other=waiting.number, date=waiting.effective_on.isoformat())
        try:
            self._versions.announce(number, version.revision, now, wanted)
        except VersionNotEditable:
            raise errors.Conflict(CHANGED_ELSEWHERE, number=number) from None
        self._changed()
        announced = replace(version, status=PolicyStatus.ANNOUNCED, announced_at=now, effective_on=wanted)
        self._audit.record(staff.account_id, AuditEvent.POLICY_ANNOUNCED, ip, version=number,
                           effective_on=wanted.isoformat())
        self.announced(announced)
        return announced

    def withdraw(self, staff, number: int, ip: str | None = None) -> PolicyVersion:
        version = self.get(number)
        if not version.pending_at(self.now()):
            raise errors.Conflict(N_("Only an announced version that has not yet taken effect can be withdrawn."))
        try:
            self._versions.withdraw(number, self.now())
        except VersionNotEditable:
            raise errors.Conflict(CHANGED_ELSEWHERE, number=number) from None
        self._changed()
        withdrawn = replace(version, status=PolicyStatus.WITHDRAWN, withdrawn_at=self.now())
        self._audit.record(staff.account_id, AuditEvent.POLICY_WITHDRAWN, ip, version=number)
        self.withdrawn(withdrawn)
        return withdrawn

    # --- account holders ---------------------------------------------------------------------------

    def banner_version(self, account) -> PolicyVersion | None:
        """The pending version whose banner this account holder still sees (not dismissed)."""
        waiting = self.pending()
        if waiting is None or self._versions.dismissed(account.account_id, waiting.number):
            return None
        return waiting

    def dismiss_banner(self, account, number: int) -> None:
        self._versions.dismiss(account.account_id, number, self.now())

    def dismissed_banners(self, account) -> list[int]:
        return self._versions.dismissed_versions(account.account_id)

    def forget(self, account) -> None:
        """Erasure: what this domain keeps of the account holder (their banner dismissals)."""
        self._versions.forget(account.account_id)
