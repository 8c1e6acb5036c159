"""The usage service: what an account uses, its plan's limits, and the one place that says no (P3, P7).

Every domain asks this service, through its constructor (wired in `chalicelib.composition`):

- before work is queued, `claim` (contacts, storage, sending domains) or `reserve_recipients` (a
  campaign's recipients this month) adds to a conditional counter, or refuses with `QuotaExceeded`:
  the limit, the current use and how to upgrade, in the account holder's language; nothing was
  added. `claim_up_to` takes what still fits (an import stops at the contact limit).
- as work happens, `release` (something deleted) and the `record_*` calls (campaign started, mails
  and bytes sent, an import done) keep the figures; nothing is ever counted by scanning, except
  once: a gauge an account never had (an account from before metering) is started from one count.
- `recount` counts an account's gauges again from what is stored, with the same seed functions, and
  corrects one that drifted (a process died between its claim and its write, a release was lost);
  the weekly job `usage-recount` (`chalicelib.usage.recount`) does it for every account.
- crossing 80 % and 100 % of a limit queues one warning mail each per month (P5: transactional,
  whatever the marketing choice), claimed with a conditional write so it goes once.
- platform-wide figures go to CloudWatch through Powertools Metrics (EMF, namespace MailExpert),
  never with the account id as a dimension.

The plan is read from the account each time, so a plan change applies to the next request; a
downgrade below the current use keeps what exists and refuses new work over the limit.
"""

import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib import errors, formatting
from chalicelib.i18n import N_
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.usage.plans import GAUGES, IN_BYTES, LIMITED, MONTHLY, METER_NAMES, Limits, Meter, limits_for
from chalicelib.usage.repository import LimitReached

WARN_AT_PERCENT = (80, 100)
WARNING_TEMPLATE = "usage_warning"
HISTORY_MONTHS = 12
UPGRADE_PATH = "/settings#plan"
RECOUNT_TRIES = 3
# How long a recount waits before it believes a difference: work between its claim and its write (an
# upload, a template, a domain) or between its delete and its release is done well within it.
RECOUNT_SETTLE_S = 3.0

REFUSALS = {
    Meter.CONTACTS: N_("Your plan allows %(limit)s contacts and you have %(used)s: this would go over the limit. "
                       "Upgrade your plan under Settings & Options to add more."),
    Meter.RECIPIENTS: N_("Your plan allows %(limit)s recipients a month and %(used)s are used this month: the "
                         "%(needed)s recipients of this campaign would go over the limit. Upgrade your plan under "
                         "Settings & Options to send it."),
    Meter.STORAGE_BYTES: N_("Your plan allows %(limit)s of images and templates and %(used)s is stored: this would "
                            "go over the limit. Delete images or templates you no longer use, or upgrade your plan "
                            "under Settings & Options."),
    Meter.SENDING_DOMAINS: N_("Your plan allows %(limit)s sending domains and you have %(used)s. Remove one you no "
                              "longer use, or upgrade your plan under Settings & Options."),
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def month_of(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y-%m}"


def amount(meter: Meter, value: int) -> str:
    """A figure as people read it, in the current language, as every page shows it: counts grouped by
    thousands (50.000 / 50,000), sizes in decimal units (1,5 MB / 1.5 MB)."""
    return formatting.format_bytes(value) if meter in IN_BYTES else formatting.format_number(value)


class QuotaExceeded(errors.ValidationFailed):
    """Work refused because it would pass a limit of the account's plan; says the limit, the use now
    and how to upgrade (beside `field` on a form)."""

    status = 403
    code = "quota-exceeded"
    title = N_("This goes over the limit of your plan")

    def __init__(self, meter: Meter, used: int, limit: int, needed: int = 1, field: str = "quota"):
        params = {"limit": amount(meter, limit), "used": amount(meter, used), "needed": amount(meter, needed)}
        self.meter, self.used, self.limit = meter, used, limit
        super().__init__(REFUSALS[meter], field_errors=[errors.FieldError(field, REFUSALS[meter],
                                                                          tuple(params.items()))], **params)


@dataclass(frozen=True)
class Figure:
    """One metered figure beside its limit (None: no limit)."""

    meter: Meter
    used: int
    limit: int | None

    @property
    def name(self) -> str:
        return METER_NAMES[self.meter]

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0
        return min(100, math.floor(self.used * 100 / self.limit))

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit

    def text(self, value: int | None = None) -> str:
        return amount(self.meter, self.used if value is None else value)


@dataclass(frozen=True)
class GaugeChange:
    """A gauge the recount set to what is stored."""

    meter: Meter
    before: int
    after: int


class UsageService:
    def __init__(self, store, accounts, mail_queue, base_url: str, seeds=None, clock=_now):
        """`store` is a `DynamoUsage`; `accounts(account_id)` gives an account (its plan, address and
        language); `seeds` maps a gauge to a function counting it once for an account that never
        had it (`{Meter.CONTACTS: count_contacts, ...}`)."""
        self._store = store
        self._accounts = accounts
        self._mail_queue = mail_queue
        self._base_url = base_url.rstrip("/")
        self._seeds = dict(seeds or {})
        self._clock = clock

    # --- plans -------------------------------------------------------------------------------------

    def _resolve(self, account) -> tuple:
        """(account id, the account or None when it is not found): given an account or its id."""
        if isinstance(account, str):
            return account, self._accounts(account)
        if not hasattr(account, "plan"):  # a reference to an account (its id), not the account itself
            return account.account_id, self._accounts(account.account_id)
        return account.account_id, account

    def limits(self, account) -> Limits:
        """The limits of the account's plan (an account not found: the Free plan's)."""
        from chalicelib.accounts.account import Plan

        _, found = self._resolve(account)
        return limits_for(found.plan if found is not None else Plan.FREE)

    def _month(self) -> str:
        return month_of(self._clock())

    # --- gauges: contacts, bytes stored, sending domains --------------------------------------------------

    def claim(self, account, meter: Meter, n: int = 1, field: str = "quota") -> int:
        """Add `n` to a gauge before the work that needs it, or refuse (QuotaExceeded, nothing added).
        Give it back with `release` if the work does not happen after all."""
        if n <= 0:
            return self.release(account, meter, -n) if n else self._gauge(account, meter)
        account_id, account = self._resolve(account)
        limit = self.limits(account or account_id).of(meter)
        try:
            after = self._claim_seeded(self._store.claim, account_id, meter, n, limit)
        except LimitReached as reached:
            logger.info("quota refused", meter=meter.value, needed=n, used=reached.used, limit=limit)
            raise QuotaExceeded(meter, reached.used, limit, n, field) from None
        self._changed(account_id, account, meter, after - n, after, limit)
        return after

    def claim_up_to(self, account, meter: Meter, n: int) -> int:
        """Add as much of `n` as the limit allows; how much was added (0: the limit is reached)."""
        if n <= 0:
            return 0
        account_id, account = self._resolve(account)
        limit = self.limits(account or account_id).of(meter)
        try:
            added, after = self._claim_seeded(self._store.claim_up_to, account_id, meter, n, limit)
        except LimitReached:
            return 0
        if added:
            self._changed(account_id, account, meter, after - added, after, limit)
        return added

    def _claim_seeded(self, store_claim, account_id: str, meter: Meter, n: int, limit: int):
        """What the store's `claim` or `claim_up_to` answers; a gauge it never kept is first started
        from one count, then claimed again."""
        answer = store_claim(account_id, meter, n, limit)
        if answer is None:
            self._seed(account_id, meter)
            answer = store_claim(account_id, meter, n, limit)
        return answer

    def release(self, account, meter: Meter, n: int = 1) -> int:
        """Take `n` off a gauge: something was deleted (or the work it was claimed for did not happen)."""
        account_id = account if isinstance(account, str) else account.account_id
        if n <= 0:
            return self._gauge(account_id, meter)
        after = self._store.release(account_id, meter, n)
        if after is None:  # never kept: counting it now already leaves out what went
            return self._seed(account_id, meter)
        self._store.snapshot(account_id, self._month(), meter, after)
        return after

    def _gauge(self, account, meter: Meter) -> int:
        account_id = account if isinstance(account, str) else account.account_id
        value = self._store.gauges(account_id).get(meter.value)
        return value if value is not None else self._seed(account_id, meter)

    def _seed(self, account_id: str, meter: Meter) -> int:
        counted = self._seeds[meter](account_id) if meter in self._seeds else 0
        self._store.seed(account_id, meter, counted)
        logger.info("usage gauge started from a count", meter=meter.value, value=counted)
        value = self._store.gauges(account_id).get(meter.value, counted)
        self._store.snapshot(account_id, self._month(), meter, value)
        return value

    # --- recount: a gauge that drifted is corrected from what is stored ---------------------------------

    def recount(self, account_id: str) -> list[GaugeChange]:
        """Count each gauge the account has from what is stored, with the seed functions, and set it to
        that count where it differs: a gauge drifts when a process dies between its claim and its write,
        or a release is lost. Returns what changed; a gauge the account never had is left (it is counted
        when first needed).

        Concurrent work: the count is written with a compare and set on the value read just before
        counting, so a claim or release made during the count is never overwritten; the gauge is then
        counted again (RECOUNT_TRIES in all, after which it is left for the next recount). Work claimed
        before the count but written after it (or deleted before it and released after it) is held by
        the gauge but not in the count; a difference is therefore only believed when a second count,
        RECOUNT_SETTLE_S later, still finds one. Work slower than that can be taken off the gauge for
        good (it leaves the gauge lower than what is stored until the next recount: the customer can
        go over the limit by that work, never be refused because of it)."""
        kept = self._store.gauges(account_id)
        changes = []
        for meter in GAUGES:
            if meter.value in kept and meter in self._seeds:
                change = self._recount(account_id, meter)
                if change is not None:
                    changes.append(change)
        return changes

    def _recount(self, account_id: str, meter: Meter) -> GaugeChange | None:
        differed = False
        for _ in range(RECOUNT_TRIES):
            before = self._store.gauges(account_id).get(meter.value)
            counted = self._seeds[meter](account_id)
            if before is None or counted == before:
                return None
            if not differed:  # perhaps work between its claim and its write: count again once it is done
                differed = True
                time.sleep(RECOUNT_SETTLE_S)
                continue
            if self._store.set_gauge(account_id, meter, counted, expected=before):
                self._store.snapshot(account_id, self._month(), meter, counted)
                logger.info("usage gauge recounted", account_id=account_id, meter=meter.value, before=before,
                            after=counted)
                return GaugeChange(meter, before, counted)
        logger.info("usage gauge changed during every recount; left for the next", account_id=account_id,
                    meter=meter.value)
        return None

    # --- a campaign's recipients this month -------------------------------------------------------------

    def reserve_recipients(self, account, campaign_id: str, n: int, field: str = "send_at") -> int:
        """Make the campaign hold `n` recipients of this month's quota (more, or fewer, than it held),
        or refuse (QuotaExceeded: the hold is as it was). Two campaigns at once cannot together pass
        the limit: the month's counter only grows with a condition."""
        account_id, account = self._resolve(account)
        limit = self.limits(account or account_id).recipients_per_month
        month = self._month()
        held = self.recipients_held(account_id, campaign_id)
        try:
            after = self._store.reserve(account_id, campaign_id, month, n, limit)
        except LimitReached as reached:
            logger.info("quota refused", meter=Meter.RECIPIENTS.value, needed=n - held, used=reached.used, limit=limit)
            raise QuotaExceeded(Meter.RECIPIENTS, reached.used, limit, n, field) from None
        grew = n - held
        if grew > 0:
            self._changed(account_id, account, Meter.RECIPIENTS, after - grew, after, limit, snapshot=False)
        return after

    def require_room_for_recipients(self, account, campaign_id: str, n: int, field: str = "send_at") -> None:
        """Refuse (QuotaExceeded) when the campaign's `n` recipients would pass this month's limit,
        holding nothing: the review says so before the account holder confirms. `reserve_recipients`
        still decides, with its condition, when the campaign is scheduled."""
        account_id, account = self._resolve(account)
        limit = self.limits(account or account_id).recipients_per_month
        used = self._store.month(account_id, self._month()).get(Meter.RECIPIENTS.value, 0)
        if used - self.recipients_held(account_id, campaign_id) + n > limit:
            raise QuotaExceeded(Meter.RECIPIENTS, used, limit, n, field)

    def hold_recipients_bound(self, account, campaign_id: str) -> bool:
        """Make the campaign hold the account's contacts, as its gauge keeps them: no list has more
        recipients, so a fan-out need not count its list before reading it to queue. Only while even
        that many stays under this month's first warning (no warning mail for recipients never sent);
        False, with nothing changed, means: count them. The fan-out's end gives back what was unused."""
        account_id, found = self._resolve(account)
        bound = self._store.gauges(account_id).get(Meter.CONTACTS.value)
        if bound is None:
            return False
        held = self.recipients_held(account_id, campaign_id)
        if bound <= held:
            return True
        limit = self.limits(found or account_id).recipients_per_month
        used = self._store.month(account_id, self._month()).get(Meter.RECIPIENTS.value, 0)
        if used - held + bound >= math.ceil(limit * WARN_AT_PERCENT[0] / 100):
            return False
        try:
            self.reserve_recipients(found or account_id, campaign_id, bound)
        except QuotaExceeded:
            return False
        return True

    def recipients_held(self, account_id: str, campaign_id: str) -> int:
        """What the campaign holds of this month's quota (a hold from another month counts 0 here)."""
        held = self._store.reservation(account_id, campaign_id)
        return held[1] if held and held[0] == self._month() else 0

    def settle_recipients(self, account_id: str, campaign_id: str, recipients: int) -> None:
        """The campaign reached (or will reach) only `recipients`: the rest of its hold goes back.
        A hold of an earlier month is left: it counted there."""
        held = self._store.reservation(account_id, campaign_id)
        if held and held[0] == self._month() and recipients < held[1]:
            self._store.reserve(account_id, campaign_id, held[0], recipients, held[1])

    # --- what happened ------------------------------------------------------------------------------

    def record_campaign_started(self, account_id: str) -> None:
        self._store.add(account_id, self._month(), {Meter.CAMPAIGNS.value: 1})
        metrics.add_metric(name="CampaignsStarted", unit=MetricUnit.Count, value=1)

    def record_sent(self, account_id: str, count: int, size_bytes: int) -> None:
        """What SES accepted of a campaign batch: mails and their bytes."""
        self._store.add(account_id, self._month(), {Meter.MAILS_SENT.value: count, Meter.BYTES_SENT.value: size_bytes})
        metrics.add_metric(name="MailsSent", unit=MetricUnit.Count, value=count)
        metrics.add_metric(name="BytesSent", unit=MetricUnit.Bytes, value=size_bytes)

    def record_import(self, account_id: str, imported: int) -> None:
        """An import finished, with `imported` new contacts (each was claimed already)."""
        self._store.add(account_id, self._month(), {Meter.IMPORTS.value: 1, Meter.CONTACTS_IMPORTED.value: imported})
        metrics.add_metric(name="ContactsImported", unit=MetricUnit.Count, value=imported)

    # --- what the account holder sees ---------------------------------------------------------------

    def figures(self, account) -> list[Figure]:
        """This month's figures, each beside its limit: the four limited ones first."""
        account_id, account = self._resolve(account)
        limits = self.limits(account or account_id)
        month = self._store.month(account_id, self._month())
        kept = self._store.gauges(account_id)  # one read; a gauge never kept is counted once
        gauges = {meter: kept[meter.value] if meter.value in kept else self._seed(account_id, meter)
                  for meter in GAUGES}
        used = {meter: gauges[meter] if meter in GAUGES else month.get(meter.value, 0)
                for meter in (*LIMITED, *MONTHLY)}
        return [Figure(meter, used[meter], limits.of(meter)) for meter in dict.fromkeys((*LIMITED, *MONTHLY))]

    def history(self, account, months: int = HISTORY_MONTHS) -> list[tuple[str, dict[str, int]]]:
        """The last `months` months, oldest first, with every meter (0 where nothing happened; a
        gauge keeps its last known value through months without a change)."""
        account_id = account if isinstance(account, str) else account.account_id
        labels = _last_months(self._clock(), months)
        found = self._store.months(account_id, labels[0])
        rows, last = [], {meter.value: 0 for meter in GAUGES}
        for label in labels:
            counts = found.get(label, {})
            row = {meter.value: counts.get(meter.value, 0) for meter in MONTHLY}
            for meter in GAUGES:
                last[meter.value] = counts.get(meter.value, last[meter.value])
                row[meter.value] = last[meter.value]
            rows.append((label, row))
        return rows

    def over_limits(self, account) -> list[Figure]:
        """The figures above the plan's limits now (after a downgrade): new work there is refused."""
        return [figure for figure in self.figures(account) if figure.over]

    # --- warnings -----------------------------------------------------------------------------------

    def _changed(self, account_id: str, account, meter: Meter, before: int, after: int, limit: int,
                 snapshot: bool = True) -> None:
        """A claim went through: the month remembers the gauge, and crossing 80 % or 100 % of the
        limit mails the account holder, once per month each (the first to claim the warning sends it)."""
        if snapshot:
            self._store.snapshot(account_id, self._month(), meter, after)
        if account is None:
            return
        for percent in WARN_AT_PERCENT:
            threshold = math.ceil(limit * percent / 100)
            if before < threshold <= after and self._store.claim_warning(account_id, self._month(), meter, percent):
                self._warn(account, meter, percent, after, limit)

    def _warn(self, account, meter: Meter, percent: int, used: int, limit: int) -> None:
        from chalicelib.accounts.account import PLAN_NAMES
        from chalicelib.delivery.mail import MailRequest
        from chalicelib.delivery.service import queue_mail

        context = {"name": account.name, "percent": percent, "meter": METER_NAMES[meter],
                   "used": amount(meter, used), "limit": amount(meter, limit), "plan": PLAN_NAMES[account.plan],
                   "monthly": meter in MONTHLY, "usage_url": f"{self._base_url}/usage",
                   "upgrade_url": f"{self._base_url}{UPGRADE_PATH}"}
        queue_mail(self._mail_queue, MailRequest(template=WARNING_TEMPLATE, to=(account.email,),
                                                 language=account.language, context=context,
                                                 tags={"account": account.account_id, "kind": "usage-warning"}))
        logger.info("usage warning queued", meter=meter.value, percent=percent)


def _last_months(now: datetime, count: int) -> list[str]:
    year, month = now.year, now.month
    labels = []
    for _ in range(count):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return labels[::-1]
