"""The scheduled jobs by name, and running one with a record of how it went."""

from datetime import datetime, timezone

from chalicelib import aws, errors
from chalicelib.config import settings
from chalicelib.i18n import N_
from chalicelib.observability import MetricUnit, logger, metrics
from chalicelib.operations.job_runs import JobRun, JobStatus


def _daily_backup() -> dict:
    from chalicelib.operations.backup import back_up_tables

    config = settings()
    return back_up_tables(aws.dynamodb(), config.table_names.values(), config.backup_retention_days)


EXPORT_WAIT_S = 600  # within the function's 900 s; an export still running is finished by the next run


def _table_export() -> dict:
    config = settings()
    return table_exports().run(config.table_names.values(), config.backup_retention_days, wait_s=EXPORT_WAIT_S)


def table_exporter():
    """The stage's way to export a table: DynamoDB's own export on AWS, a scan locally (moto's
    export writes no manifests)."""
    from chalicelib.operations.exports import PointInTimeExport, ScanExport

    return ScanExport(aws.dynamodb(), aws.s3()) if settings().is_local else PointInTimeExport(aws.dynamodb(), aws.s3())


def table_exports():
    """The backups in the stage's backup bucket."""
    from chalicelib.operations.exports import TableExports

    return TableExports(aws.s3(), settings().backup_bucket, table_exporter())


JOBS = {"daily-backup": _daily_backup, "table-export": _table_export}


def run_job(name: str, runs, jobs: dict | None = None) -> JobRun:
    """Run a job now, recording its start and end; a failure is recorded, then raised. `jobs`: the
    jobs by name (the composition root's `scheduled_jobs`, which adds the domains' own), else JOBS."""
    job = (JOBS if jobs is None else jobs).get(name)
    if job is None:
        raise errors.NotFound(N_("There is no job called %(name)s."), name=name)
    run = JobRun(job=name, started_at=_now())
    runs.save(run)
    logger.info("job started", job=name)
    try:
        run.summary = job()
        run.status = JobStatus.SUCCEEDED
    except Exception:
        run.status = JobStatus.FAILED
        logger.exception("job failed", job=name)
        raise
    finally:
        run.finished_at = _now()
        runs.save(run)
        metrics.add_metric(name=f"Job{run.status.value.title()}", unit=MetricUnit.Count, value=1)
    logger.info("job finished", job=name, status=run.status.value)
    return run


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
