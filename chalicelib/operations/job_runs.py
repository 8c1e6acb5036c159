"""The record of scheduled job runs: when, how it went, what it did (no personal data)."""

import time
from dataclasses import dataclass, field
from enum import Enum


class JobStatus(str, Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


JOB_RUN_RETENTION_S = 90 * 24 * 3600


@dataclass
class JobRun:
    job: str
    started_at: str
    status: JobStatus = JobStatus.RUNNING
    finished_at: str | None = None
    summary: dict = field(default_factory=dict)


class DynamoJobRuns:
    def __init__(self, table_name: str, region: str, host: str | None):
        from chalicelib.dynamo import bind
        from chalicelib.operations.models import JobRunModel

        bind(JobRunModel, table_name, region, host)
        self._model = JobRunModel

    def save(self, run: JobRun) -> None:
        self._model(job=run.job, started_at=run.started_at, status=run.status.value,
                    finished_at=run.finished_at, summary=run.summary,
                    expires_at=int(time.time()) + JOB_RUN_RETENTION_S).save()

    def latest(self, job: str, limit: int = 10) -> list[JobRun]:
        return [JobRun(job=item.job, started_at=item.started_at, status=JobStatus(item.status),
                       finished_at=item.finished_at, summary=dict(item.summary or {}))
                for item in self._model.query(job, scan_index_forward=False, limit=limit)]
