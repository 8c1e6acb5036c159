"""The contact import end to end against the local stack's AWS: 50,000 generated rows, uploaded to
S3, imported by the real import job into DynamoDB on a moto server in its own process, for an
account on the Professional plan (whose 50,000 contacts are the most any plan may keep).

In the same run, on the same server and table, the bare rate of BatchWriteItem (25 contact-sized
items a request from one thread, nothing of ours around it) is measured: the ceiling the import is
compared with. Every AWS call the app makes during the import is counted at botocore's client, so
`import_write_requests_per_1000` counts the progress updates too, not only the contact writes.

Run by `make bench` (bench/run.py) in a subprocess of its own, so the environment it sets for the
app stays here. Prints one JSON line of results last.
"""

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from types import SimpleNamespace

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PROJECT_DIR not in sys.path:
    sys.path.insert(0, PROJECT_DIR)

from sizes import size  # noqa: E402  (bench/ is on sys.path when run as a script)

# The Professional plan's contact limit: every row is imported. Smoke: more chunks of 100 rows
# than are written at once (6).
ROWS = size(50_000, smoke=700)
BARE_ITEMS = size(20_000, smoke=100)
REGION = "eu-west-1"
WRITES = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
MOTO_SERVER = ("import sys, time\nfrom moto.server import ThreadedMotoServer\n"
               "ThreadedMotoServer(ip_address='127.0.0.1', port=int(sys.argv[1]), verbose=False).start()\n"
               "while True: time.sleep(3600)\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the moto server did not start")


def _environment(endpoint: str) -> None:
    with open(os.path.join(PROJECT_DIR, ".chalice", "config.json"), encoding="utf-8") as file:
        config = json.load(file)
    os.environ.update(config.get("environment_variables", {}))
    os.environ.update(config["stages"]["local"].get("environment_variables", {}))
    os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "STAGE": "local",
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true",
                       "POWERTOOLS_METRICS_DISABLED": "true",
                       "ASSETS_BUCKET": f"mailexpert-assets-123456789012-{REGION}",
                       "EXPORTS_BUCKET": f"mailexpert-exports-123456789012-{REGION}"})


def _count_calls() -> Counter:
    """Count every AWS call made through botocore (boto3 and PynamoDB alike)."""
    from botocore.client import BaseClient

    calls = Counter()
    original = BaseClient._make_api_call

    def counted(self, operation_name, api_params):
        calls[operation_name] += 1
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = counted
    return calls


def _bare_items_per_s(client, table: str) -> float:
    """BatchWriteItem alone: contact-sized items, 25 a request, one thread."""
    account = f"ACCOUNT#bare-{uuid.uuid4().hex}"
    stamp = "2026-11-25T12:00:00.000000+0000"
    consent = json.dumps({"source": "import", "at": stamp, "lawful_basis": "bench"})
    started = time.perf_counter()
    for start in range(0, BARE_ITEMS, 25):
        requests = []
        for number in range(start, start + 25):
            cid = uuid.uuid4().hex
            requests.append({"PutRequest": {"Item": {
                "pk": {"S": account}, "sk": {"S": f"CONTACT#{cid}"}, "contact_id": {"S": cid},
                "email": {"S": f"bare{number}@example.com"}, "email_key": {"S": f"bare{number}@example.com"},
                "first_name": {"S": "Anna"}, "last_name": {"S": "de Vries"}, "created_at": {"S": stamp},
                "updated_at": {"S": stamp}, "list_id": {"S": "bare"}, "status": {"S": "subscribed"},
                "consent": {"S": consent}, "member_updated_at": {"S": stamp}, "gsi1pk": {"S": "LIST#bare"},
                "gsi1sk": {"S": f"subscribed#{cid}"}}}})
        while requests:
            requests = client.batch_write_item(RequestItems={table: requests}).get(
                "UnprocessedItems", {}).get(table, [])
    return BARE_ITEMS / (time.perf_counter() - started)


def _write_file(path: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("Email Address,First Name,Last Name,TAGS,Plaats\n")
        for number in range(ROWS):
            file.write(f"contact{number}@example.com,Anna,de Vries,\"klant\",Utrecht\n")


@contextlib.contextmanager
def stack_on_moto_server(**environment):
    """A moto server in its own process, as `make run` uses, holding every resource of
    infra/template.json; the app's environment (and `environment`) points at it."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", MOTO_SERVER, str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        endpoint = f"http://127.0.0.1:{port}"
        _environment(endpoint)
        os.environ.update(environment)
        import boto3

        from devstack import infra

        infra.create_resources(boto3.session.Session(region_name=REGION), endpoint)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def _professional_account(accounts):
    """An account whose plan lets it keep every imported row (the contact limit is checked per chunk)."""
    from chalicelib.accounts.account import Account, Plan

    now = datetime.now(timezone.utc)
    account = Account(uuid.uuid4().hex, "bench@example.nl", "Bakkerij De Molen", "+31201234567", "Molenstraat 1",
                      "1011 AB", "Amsterdam", "NL", "en", "argon2-hash-not-used", now, now, plan=Plan.PROFESSIONAL,
                      email_verified_at=now)
    accounts.create(account)
    return account


def main() -> dict:
    with stack_on_moto_server():
        from chalicelib import aws
        from chalicelib.composition import services
        from chalicelib.config import settings

        calls = _count_calls()
        bare = _bare_items_per_s(aws.dynamodb(), settings().audience_table)

        account = _professional_account(services().accounts)
        audience_list = services().audience_service.create_list(account, SimpleNamespace(name="Bench",
                                                                                          description=None))
        imports = services().contact_imports
        imported, form = imports.begin(account, audience_list.list_id, "bench.csv")
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "contacts.csv")
            _write_file(path)
            aws.s3().upload_file(path, settings().exports_bucket, form["fields"]["key"])
        imports.file_received(account, imported.import_id)
        imports.start(account, imported.import_id, imports.get(account, imported.import_id).mapping, True,
                      "bench", "127.0.0.1", "bench")
        calls.clear()
        started = time.perf_counter()
        done = imports.run(account.account_id, imported.import_id, "en")
        elapsed = time.perf_counter() - started
        assert done.counts["imported"] == ROWS, done.counts
        writes = sum(count for name, count in calls.items() if name in WRITES)
        rate = ROWS / elapsed
        print(f"  {ROWS} rows imported in {elapsed:.1f} s; AWS calls during the import: {dict(calls)}")
        print(f"  bare BatchWriteItem: {bare:.0f} items/s over {BARE_ITEMS} items")
        return {"import_contacts_per_s": rate, "ddb_bare_items_per_s": bare, "import_efficiency": rate / bare,
                "import_write_requests_per_1000": writes * 1000 / ROWS}


if __name__ == "__main__":
    print(json.dumps(main()))
