"""The usage recount (job `usage-recount`, weekly): every account's gauges counted again from what is
stored, and each one that drifted set right (`UsageService.recount`).

Gauges are kept as work happens and never counted by scanning, so one that drifted (a process died
between its claim and its write, a release was lost) would stay wrong for good; this job bounds that
to a week. It reads the accounts a page at a time (ids only) and works until its time budget is
nearly spent (10 of Lambda's 15 minutes), then puts a continuation with its cursor on the jobs queue:
a large number of accounts takes a few invocations, each with its own summary in the log.
"""

import time
from dataclasses import dataclass, field

from chalicelib.observability import logger

RECOUNT_JOB = "usage-recount"
PAGE_SIZE = 100
BUDGET_S = 600  # of the function's 900 s: room to finish an account and hand over


@dataclass
class RecountSummary:
    accounts: int = 0  # accounts checked
    corrected: int = 0  # gauges set right
    by_meter: dict = field(default_factory=dict)  # gauges set right per meter
    continued: bool = False  # the rest is queued on the jobs queue

    def as_dict(self) -> dict:
        return {"accounts": self.accounts, "corrected": self.corrected, "by_meter": dict(self.by_meter),
                "continued": self.continued}


class UsageRecount:
    def __init__(self, account_ids, usage, jobs_queue, *, monotonic=time.monotonic, budget_s: float = BUDGET_S,
                 page_size: int = PAGE_SIZE):
        """`account_ids(cursor, limit)` gives a page of account ids and the next cursor (the accounts
        repository's `account_ids_page`); `usage` is the `UsageService`; continuations go to `jobs_queue`."""
        self._account_ids = account_ids
        self._usage = usage
        self._jobs = jobs_queue
        self._monotonic = monotonic
        self._budget_s = budget_s
        self._page_size = page_size

    def run(self, cursor: str | None = None) -> dict:
        """Recount every account from `cursor` (None: the first) on, until the last page or the time
        budget; then the rest is queued. The summary: accounts checked, gauges corrected (per meter),
        and whether it continues."""
        summary = RecountSummary()
        deadline = self._monotonic() + self._budget_s
        while True:
            account_ids, cursor = self._account_ids(cursor, self._page_size)
            for account_id in account_ids:
                for change in self._usage.recount(account_id):
                    summary.corrected += 1
                    summary.by_meter[change.meter.value] = summary.by_meter.get(change.meter.value, 0) + 1
                summary.accounts += 1
            if cursor is None:
                break
            if self._monotonic() >= deadline:
                self._jobs.enqueue({"job": RECOUNT_JOB, "cursor": cursor})
                summary.continued = True
                break
        logger.info("usage recount done", **summary.as_dict())
        return summary.as_dict()

    def handle_job(self, job: dict) -> dict:
        """The jobs queue's handler for RECOUNT_JOB: a continuation."""
        return self.run(job.get("cursor"))
