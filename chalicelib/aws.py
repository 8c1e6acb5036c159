"""boto3 clients, created lazily and once per container.

Nothing here runs at import: moto (tests) and the local stack set the endpoint and credentials
in the environment before the first client is made. One botocore session is shared so that a
hook registered on it (the local outbox) sees every client made afterwards.
"""

import functools
import threading

from chalicelib.config import settings

_lock = threading.Lock()
_session_hooks = []


def on_new_session(hook) -> None:
    """Run `hook(session)` on the shared session before any client is made from it."""
    _session_hooks.append(hook)


@functools.cache
def session():
    import boto3  # deferred: ~0.1 s that cold starts only pay when AWS is used

    new_session = boto3.session.Session(region_name=settings().region)
    for hook in _session_hooks:
        hook(new_session)
    return new_session


# S3's presigned links and upload forms are signed with Signature Version 4: botocore would sign them
# with version 2 in eu-west-1, which S3 refuses for objects encrypted with a KMS key (the buckets' default).
_SIGNATURE_VERSIONS = {"s3": "s3v4"}


@functools.cache
def client(service_name: str):
    from botocore.config import Config

    with _lock:  # botocore's client creation is not thread-safe on a shared session
        return session().client(
            service_name,
            endpoint_url=settings().aws_endpoint_url,
            config=Config(retries={"mode": "standard", "max_attempts": 5},
                          signature_version=_SIGNATURE_VERSIONS.get(service_name)),
        )


@functools.cache
def single_attempt_client(service_name: str, max_pool_connections: int = 64):
    """A client that never retries by itself, with room for many threads: for calls whose retry
    could repeat an effect (a SendEmail after a time-out may already have been accepted)."""
    from botocore.config import Config

    with _lock:
        return session().client(
            service_name,
            endpoint_url=settings().aws_endpoint_url,
            config=Config(retries={"mode": "standard", "total_max_attempts": 1},
                          max_pool_connections=max_pool_connections),
        )


def dynamodb():
    return client("dynamodb")


def sqs():
    return client("sqs")


def sesv2():
    return client("sesv2")


def sns():
    return client("sns")


def s3():
    return client("s3")


@functools.cache
def queue_url(queue_name: str) -> str:
    return sqs().get_queue_url(QueueName=queue_name)["QueueUrl"]


def reset() -> None:
    """Forget every client: tests call it between moto sessions."""
    session.cache_clear()
    client.cache_clear()
    single_attempt_client.cache_clear()
    queue_url.cache_clear()
