"""The partner statistics, as pure functions over plain records (P12): no I/O, no account ids.

What the tables promise, by construction here and proved on random data by the property-based
tests (tests/unit/test_partner_statistics_*.py):

- Only aggregate columns. Every table's columns come from `ALLOWED_COLUMNS`, and every group label
  from a closed vocabulary (a plan, an ISO 3166 country code, a month, or "other"): a record whose
  label is anything else counts under "other", so no free text can reach a partner.
- k-anonymity, k = `K`. Every row stands for at least K accounts: a group with fewer joins "other".
- Nothing small can be derived by subtraction. Were "other" to stay smaller than K, a known total
  minus the shown rows would give it away (and so would suppressing it: the complement is the
  same sum). So the smallest shown groups join "other" until it holds K accounts, and when even
  all accounts together are fewer than K the table has no rows at all. Whatever rows a reader
  subtracts from whatever total, what is left is no account or at least K of them.
- Rates only for groups of at least K accounts that sent mail (the accounts whose mail the rate
  describes); an open rate only where at least K of them counted opens.
- One population is counted: the accounts, per plan and per region. The monthly and the rate tables
  publish no count of accounts, so no table can be subtracted from another (accounts of a plan
  minus its senders would count the few that never sent).
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from chalicelib.accounts.account import Plan

K = 10  # the smallest number of accounts a published figure may describe
OTHER = "other"
RATE_DECIMALS = 4

# Every column any partner export may have: aggregates and the labels of their groups. Adding one
# is a privacy decision (tests/unit/test_partner_statistics_columns.py holds its own copy).
ALLOWED_COLUMNS = frozenset({"plan", "region", "month", "accounts", "mailings", "recipients",
                             "delivery_rate", "bounce_rate", "open_rate"})
PLAN_LABELS = frozenset(plan.value for plan in Plan)
_LABEL_PATTERNS = {"region": re.compile(r"[A-Z]{2}"), "month": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")}


class ColumnNotAllowed(ValueError):
    """A table was given a column outside ALLOWED_COLUMNS: a programming error, never shown."""


@dataclass(frozen=True)
class MonthUse:
    """One calendar month (YYYY-MM, UTC) of an account's use: campaigns started, mails sent."""

    month: str
    mailings: int = 0
    recipients: int = 0


@dataclass(frozen=True)
class AccountRecord:
    """What the statistics know of one account: no id, no name, nothing to single it out by."""

    plan: str
    region: str  # the account's country (ISO 3166-1 alpha-2)
    months: tuple[MonthUse, ...] = ()
    sent: int = 0  # campaign mails SES accepted
    bounced: int = 0
    tracked_sent: int = 0  # of those, the mails of campaigns that counted opens
    tracked_bounced: int = 0
    unique_opens: int = 0  # recipients who opened a campaign that counted opens


@dataclass(frozen=True)
class Table:
    """One export: named columns and rows holding exactly those columns, in that order."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[dict, ...]

    def __post_init__(self):
        require_allowed(self.columns)
        for row in self.rows:
            if tuple(row) != self.columns:
                raise ColumnNotAllowed(f"row columns {tuple(row)} are not the table's {self.columns}")


def require_allowed(columns) -> None:
    outside = [column for column in columns if column not in ALLOWED_COLUMNS]
    if outside:
        raise ColumnNotAllowed(f"not an allowed aggregate column: {outside}")


def label(dimension: str, value) -> str:
    """The group of a record in a dimension: its value when that is in the vocabulary, else "other"."""
    if not isinstance(value, str):
        return OTHER
    if dimension == "plan":
        return value if value in PLAN_LABELS else OTHER
    return value if _LABEL_PATTERNS[dimension].fullmatch(value) else OTHER


@dataclass
class _Cell:
    """A group while it is built: its accounts (positions in the input), what they add up to."""

    members: set = field(default_factory=set)
    tracked: set = field(default_factory=set)  # members whose campaigns counted opens
    sums: Counter = field(default_factory=Counter)

    def absorb(self, other: "_Cell") -> None:
        self.members |= other.members
        self.tracked |= other.tracked
        self.sums.update(other.sums)


def protect(cells: dict[str, _Cell], k: int = K) -> list[tuple[str, _Cell]]:
    """The groups that may be shown, "other" (if any) last: small groups merged into "other", and
    the smallest shown ones too while "other" holds fewer than k accounts; nothing at all when
    every account together is fewer than k."""
    shown = {name: cell for name, cell in cells.items() if name != OTHER and len(cell.members) >= k}
    rest = _Cell()
    for name, cell in cells.items():
        if name not in shown:
            rest.absorb(cell)
    while rest.members and len(rest.members) < k and shown:
        smallest = min(shown, key=lambda name: (len(shown[name].members), name))
        rest.absorb(shown.pop(smallest))
    if rest.members and len(rest.members) < k:
        return []
    rows = sorted(shown.items())
    return rows + [(OTHER, rest)] if rest.members else rows


def _rate(part: int, whole: int) -> float | None:
    return round(min(1.0, part / whole), RATE_DECIMALS) if whole > 0 else None


def accounts_by(dimension: str, records, k: int = K) -> Table:
    """Accounts per plan or per region."""
    cells: dict[str, _Cell] = {}
    for position, record in enumerate(records):
        cells.setdefault(label(dimension, getattr(record, dimension)), _Cell()).members.add(position)
    rows = tuple({dimension: name, "accounts": len(cell.members)} for name, cell in protect(cells, k))
    return Table(f"accounts-by-{dimension}", (dimension, "accounts"), rows)


def accounts_by_plan(records, k: int = K) -> Table:
    return accounts_by("plan", records, k)


def accounts_by_region(records, k: int = K) -> Table:
    return accounts_by("region", records, k)


def mailings_by_month(records, k: int = K) -> Table:
    """Per month: the campaigns started and the mails sent. A month's group is the accounts that
    mailed in it; "other" holds the months too quiet to show."""
    cells: dict[str, _Cell] = {}
    for position, record in enumerate(records):
        for use in record.months:
            mailings, recipients = max(0, int(use.mailings)), max(0, int(use.recipients))
            if not (mailings or recipients):
                continue
            cell = cells.setdefault(label("month", use.month), _Cell())
            cell.members.add(position)
            cell.sums.update({"mailings": mailings, "recipients": recipients})
    rows = tuple({"month": name, "mailings": cell.sums["mailings"], "recipients": cell.sums["recipients"]}
                 for name, cell in protect(cells, k))
    return Table("mailings-by-month", ("month", "mailings", "recipients"), rows)


def rates_by_plan(records, k: int = K) -> Table:
    """Delivery, bounce and open rates per plan, over the accounts that sent campaign mail. (Per
    industry too, once accounts record one: they do not.)"""
    cells: dict[str, _Cell] = {}
    for position, record in enumerate(records):
        sent = max(0, int(record.sent))
        if not sent:
            continue
        cell = cells.setdefault(label("plan", record.plan), _Cell())
        cell.members.add(position)
        bounced = min(sent, max(0, int(record.bounced)))
        tracked_sent = min(sent, max(0, int(record.tracked_sent)))
        tracked_delivered = tracked_sent - min(tracked_sent, max(0, int(record.tracked_bounced)))
        if tracked_delivered:
            cell.tracked.add(position)
        cell.sums.update({"sent": sent, "bounced": bounced, "tracked_delivered": tracked_delivered,
                          "opened": min(tracked_delivered, max(0, int(record.unique_opens)))})
    rows = []
    for name, cell in protect(cells, k):
        sums = cell.sums
        rows.append({"plan": name,
                     "delivery_rate": _rate(sums["sent"] - sums["bounced"], sums["sent"]),
                     "bounce_rate": _rate(sums["bounced"], sums["sent"]),
                     "open_rate": _rate(sums["opened"], sums["tracked_delivered"]) if len(cell.tracked) >= k
                     else None})
    return Table("rates-by-plan", ("plan", "delivery_rate", "bounce_rate", "open_rate"), tuple(rows))


# Every export, by the name in its address and file name.
EXPORTS = {"accounts-by-plan": accounts_by_plan, "accounts-by-region": accounts_by_region,
           "mailings-by-month": mailings_by_month, "rates-by-plan": rates_by_plan}
