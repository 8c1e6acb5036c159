"""Login throttling: failed attempts counted per account and per IP address in fixed windows.

Counters live in the auth table and expire by TTL; DynamoDB's atomic ADD keeps them right with
any number of concurrent Lambdas.
"""

import math
import time
from dataclasses import dataclass

from chalicelib.dynamo import bind

THROTTLE_PREFIX = "THROTTLE#"


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_s: int


ACCOUNT_LOGIN_LIMIT = Limit("login-account", attempts=5, window_s=15 * 60)
IP_LOGIN_LIMIT = Limit("login-ip", attempts=30, window_s=15 * 60)


class DynamoThrottle:
    def __init__(self, table_name: str, region: str, host: str | None, clock=time.time):
        from chalicelib.accounts.models import ThrottleModel

        bind(ThrottleModel, table_name, region, host)
        self._model = ThrottleModel
        self._clock = clock

    def _key(self, limit: Limit, whom: str) -> tuple[str, int]:
        window_start = int(self._clock() // limit.window_s * limit.window_s)
        return f"{THROTTLE_PREFIX}{limit.name}#{whom}#{window_start}", window_start + limit.window_s

    def retry_after(self, limit: Limit, whom: str) -> int | None:
        """Seconds to wait when `whom` has used up this window's attempts; None when allowed."""
        from pynamodb.exceptions import DoesNotExist

        key, window_end = self._key(limit, whom)
        try:
            attempts = self._model.get(key).attempts
        except DoesNotExist:
            return None
        return max(1, math.ceil(window_end - self._clock())) if attempts >= limit.attempts else None

    def record_failure(self, limit: Limit, whom: str) -> None:
        key, window_end = self._key(limit, whom)
        self._model(pk=key).update(actions=[self._model.attempts.add(1), self._model.expires_at.set(window_end + 60)])
