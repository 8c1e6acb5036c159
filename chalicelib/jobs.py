"""Background jobs: work too long for a request (data exports), queued on the jobs queue and run by
the `on_job_message` handler, one message per invocation. Which function runs which job is wired
with the services (`chalicelib.composition.Services.job_handlers`)."""

import json

from chalicelib.observability import logger
from chalicelib.queues import partial_batch_response


class JobsQueue:
    def __init__(self, queue):
        self._queue = queue  # `chalicelib.queues.SqsQueue`

    def enqueue(self, job: dict) -> str:
        return self._queue.send(json.dumps(job))


def run_jobs(records, handlers: dict) -> dict:
    """Run each queued job by its handler (job name -> function of the job); failed ones go back to
    the queue (partial batch response)."""

    def run(message_id: str, body: str) -> bool:
        try:
            job = json.loads(body)
            handlers[job["job"]](job)
        except Exception as error:
            logger.exception("job failed", queue_message_id=message_id, error=type(error).__name__)
            return False
        logger.info("job done", job=job["job"], queue_message_id=message_id)
        return True

    return partial_batch_response(records, run)
