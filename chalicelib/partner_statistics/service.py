"""Partner statistics exports (P12): staff download aggregates for partners and suppliers.

An export reads every account page by page through the accounts repository (plan, country and
standing only), and for the exports that need it each account's monthly use or campaign totals
through the campaigns repository; turns that into plain records without ids; aggregates them with
the pure functions of `aggregation` (k-anonymity and no derivation by subtraction); writes the CSV
or JSON; and records the export in the audit log, under the staff member who made it.

Counted: active customer accounts; staff accounts and deactivated accounts are left out.

It runs inside the staff member's request. That holds while an export reads few enough accounts
to finish well within API Gateway's 29 seconds: the accounts-only exports read a scan page per
hundred items (`MAX_ACCOUNTS` 20,000: about 400 reads); the usage and rate exports read one or two
requests per account besides, `READ_THREADS` at a time (`MAX_ACCOUNTS` 1,000: some 2,000 reads).
Past a limit the export is refused with a clear message instead of timing out; beyond it, the
export belongs on the jobs queue with its file in the exports bucket, as the account data export
does.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib import errors
from chalicelib.accounts.audit import AuditEvent
from chalicelib.i18n import N_
from chalicelib.observability import logger
from chalicelib.partner_statistics.aggregation import EXPORTS, AccountRecord, MonthUse
from chalicelib.partner_statistics.formats import FORMATS, render

PAGE_SIZE = 100
READ_THREADS = 8  # an account's reads are a round trip or two: read several accounts at once
USAGE, SENDING = "usage", "sending"
# What each export reads besides the accounts themselves.
READS = {"accounts-by-plan": (), "accounts-by-region": (), "mailings-by-month": (USAGE,),
         "rates-by-plan": (SENDING,)}
MAX_ACCOUNTS = {"accounts-by-plan": 20_000, "accounts-by-region": 20_000, "mailings-by-month": 1_000,
                "rates-by-plan": 1_000}


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ExportTooLarge(errors.ServiceUnavailable):
    code = "export-too-large"
    default_message = N_("This export covers more than %(limit)s accounts, too many to compute while you wait. "
                         "Ask the developers to run it as a background job.")


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    body: str


class PartnerStatistics:
    def __init__(self, accounts, campaigns, audit_log, clock=_now, page_size: int = PAGE_SIZE,
                 max_accounts: dict | None = None):
        self._accounts = accounts
        self._campaigns = campaigns
        self._audit_log = audit_log
        self._clock = clock
        self._page_size = page_size
        self._max_accounts = max_accounts or MAX_ACCOUNTS

    def records(self, export: str) -> list[AccountRecord]:
        """Every counted account as a plain record, with what `export` needs of its use."""
        reads, limit = READS[export], self._max_accounts[export]
        records: list[AccountRecord] = []
        cursor = None
        with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
            while True:
                page, cursor = self._accounts.statistics_page(cursor, self._page_size)
                counted = [facts for facts in page if facts.active and not facts.staff]
                if len(records) + len(counted) > limit:
                    raise ExportTooLarge(limit=limit)
                if reads and not records and counted:
                    # the first account's reads in this thread: the repository makes its client
                    # here, once, rather than in several threads at the same moment
                    records.append(self._record(counted.pop(0), reads))
                records += pool.map(lambda facts: self._record(facts, reads), counted) if reads else [
                    self._record(facts, reads) for facts in counted]
                if cursor is None:
                    return records

    def _record(self, facts, reads) -> AccountRecord:
        months: tuple[MonthUse, ...] = ()
        if USAGE in reads:
            months = tuple(MonthUse(month, use.get("campaigns_started", 0), use.get("mails_sent", 0))
                           for month, use in sorted(self._campaigns.usage_months(facts.account_id).items()))
        totals = self._campaigns.sending_totals(facts.account_id) if SENDING in reads else {}
        return AccountRecord(plan=facts.plan.value, region=facts.country, months=months, **totals)

    def export(self, staff_member, export: str, fmt: str, ip: str | None = None) -> Download:
        """One export as a file; recorded in the audit log (which export, which format, when) before
        it is handed out. An export or format that does not exist is not found."""
        if export not in EXPORTS or fmt not in FORMATS:
            raise errors.NotFound()
        table = EXPORTS[export](self.records(export))
        now = self._clock()
        body = render(table, fmt, now)
        self._audit_log.record(staff_member.account_id, AuditEvent.PARTNER_STATISTICS_EXPORTED, ip,
                               export=export, format=fmt, rows=len(table.rows))
        logger.info("partner statistics exported", export=export, format=fmt, rows=len(table.rows))
        return Download(f"mailexpert-{export}-{now:%Y-%m-%d}.{fmt}", FORMATS[fmt], body)
