"""`python -m devstack run [--stage local]`: the whole service on an embedded AWS.
`python -m devstack job NAME [--stage local]`: fire a scheduled job now, against a running stack.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

from devstack import infra, persistence
from devstack.lambdas import PROJECT_DIR, load_app, stage_environment

SNAPSHOT_EVERY_S = 30


def log(message: str) -> None:
    print(message, flush=True)


def _ports(stage: str) -> tuple[str, int, int]:
    environment = stage_environment(stage)
    endpoint = environment["AWS_ENDPOINT_URL"]
    return endpoint, urlparse(endpoint).port, urlparse(environment["PUBLIC_BASE_URL"]).port


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run(stage: str) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # log lines appear at once, also when piped to a file
    endpoint, moto_port, app_port = _ports(stage)
    taken = [port for port in (moto_port, app_port) if _port_taken(port)]
    if taken:
        log(f"[stack] port {', '.join(map(str, taken))} on 127.0.0.1 is in use: is another `make run` going?")
        return 1
    app_module = load_app(stage)  # sets the stage's environment in this process too
    import logging

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines drown the app's
    state_dir = os.environ["LOCAL_STATE_DIR"]
    region = os.environ["AWS_DEFAULT_REGION"]
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    log(f"[stack] embedded AWS (moto) on {endpoint}")
    session = boto3.session.Session(region_name=region)
    template = infra.load_template()
    started = time.monotonic()
    infra.create_resources(session, endpoint, template)
    log(f"[stack] resources created from infra/template.json in {time.monotonic() - started:.1f} s")
    state = persistence.load(state_dir)
    if state:
        items, objects = persistence.restore(session, endpoint, state)
        log(f"[stack] restored {items} items and {objects} objects from {state_dir}/{persistence.STATE_FILE}")
    # memberships kept from before the by-joined index get its keys; on a fresh stack this only marks it ready
    log(f"[stack] contacts sortable by date joined: {app_module.services().audience.backfill_joined_index()}")
    # likewise contacts kept from before the by-added index (/contacts newest first)
    log(f"[stack] contacts sortable by date added: {app_module.services().audience.backfill_added_index()}")

    from devstack.pump import EventPump

    pump = EventPump(app_module, session, endpoint, region, log=log)
    pump.start()
    server = subprocess.Popen(
        [sys.executable, "-m", "devstack.serve", "--stage", stage,
         "--host", "127.0.0.1", "--port", str(app_port), "--no-autoreload"],
        cwd=PROJECT_DIR)
    log(f"[stack] MailExpert on http://127.0.0.1:{app_port}/  (outbox: /dev/outbox, jobs: /dev/jobs); Ctrl-C stops")

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C too, said outright: a process started in the background by a shell inherits SIGINT ignored,
    # and Python then never turns it into KeyboardInterrupt
    signal.signal(signal.SIGINT, lambda *_: stopping.set())

    def save_state():
        persistence.save(persistence.snapshot(session, endpoint, template, region), state_dir)

    try:
        last_saved = time.monotonic()
        while not stopping.wait(1):
            if server.poll() is not None:
                log("[stack] chalice local stopped; shutting down")
                break
            if time.monotonic() - last_saved >= SNAPSHOT_EVERY_S:
                save_state()
                last_saved = time.monotonic()
    except KeyboardInterrupt:
        pass
    finally:
        log("[stack] stopping")
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        pump.stop()
        save_state()
        log(f"[stack] data saved to {state_dir}/{persistence.STATE_FILE}")
        moto.stop()
    return 0


def job(name: str, stage: str) -> int:
    """Invoke the scheduled handler for NAME (e.g. daily-backup) as EventBridge would."""
    app_module = load_app(stage)
    import boto3

    from devstack.pump import EventPump, UnknownSchedule

    endpoint = os.environ.get("AWS_ENDPOINT_URL")  # the stage's (load_app sets it)
    pump = EventPump(app_module, boto3.session.Session(region_name=os.environ["AWS_DEFAULT_REGION"]), endpoint,
                     os.environ["AWS_DEFAULT_REGION"], log=log)
    try:
        pump.fire_schedule(name.replace("-", "_"))
    except UnknownSchedule as unknown:
        from chalicelib.operations.jobs import run_job

        jobs = app_module.services().scheduled_jobs()
        if name not in jobs:  # a one-off job without a schedule (audience-joined-index...) runs by its name
            log(str(unknown))
            return 2
        log(f"[job] {name}: {run_job(name, app_module.services().job_runs, jobs).summary}")
    else:
        ran = app_module.services().job_runs.latest(name, limit=1)  # a schedule named as its job records its run
        if ran:
            log(f"[job] {name}: {ran[0].summary}")
    log(f"[job] {name} ran; see http://127.0.0.1:{_ports(stage)[2]}/dev/jobs")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="devstack")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run")
    run_parser.add_argument("--stage", default="local")
    job_parser = commands.add_parser("job")
    job_parser.add_argument("name")
    job_parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.stage)
    return job(args.name, args.stage)


if __name__ == "__main__":
    sys.exit(main())
