"""Background jobs: work too long for a request (data exports), queued on the jobs queue and run by
the `on_job_message` handler, one message per invocation."""

import json

from chalicelib.observability import logger


class JobsQueue:
    def __init__(self, client, queue_url: str):
        self._client = client
        self._queue_url = queue_url

    def enqueue(self, job: dict) -> str:
        return self._client.send_message(QueueUrl=self._queue_url, MessageBody=json.dumps(job))["MessageId"]


def _export_account_data(job: dict) -> None:
    from chalicelib import services

    services.data_rights().prepare_export(job["account_id"], job["export_id"])


def _export_list(job: dict) -> None:
    from chalicelib import services

    services.list_exports().prepare(job["account_id"], job["export_id"])


def _import_contacts(job: dict) -> None:
    from chalicelib import services

    account = services.accounts().get(job["account_id"])
    if account is not None:
        services.contact_imports().run(account.account_id, job["import_id"], account.language)


def _fan_out_campaign(job: dict) -> None:
    from chalicelib import services

    services.campaign_service().fanout(job["account_id"], job["campaign_id"])


def _index_campaign_recipients(job: dict) -> None:
    from chalicelib import services

    services.campaign_service().index_recipients(job["account_id"], job["campaign_id"])


HANDLERS = {"export-account-data": _export_account_data, "export-list": _export_list,
            "import-contacts": _import_contacts, "campaign-fanout": _fan_out_campaign,
            "index-campaign-recipients": _index_campaign_recipients}


def run_jobs(records) -> dict:
    """Run each queued job; failed ones go back to the queue (partial batch response)."""
    failed = []
    for message_id, body in records:
        try:
            job = json.loads(body)
            HANDLERS[job["job"]](job)
        except Exception as error:
            logger.exception("job failed", queue_message_id=message_id, error=type(error).__name__)
            failed.append(message_id)
            continue
        logger.info("job done", job=job["job"], queue_message_id=message_id)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
