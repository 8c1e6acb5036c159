"""The shared send-rate limiter: four workers taking tokens at once stay under the rate together.

The workers are threads under a simulated clock: one runs at a time, and time moves only when all
of them wait (in `sleep`), so a run is deterministic, takes no real time, and every grant has an
exact timestamp to check the rate against.
"""

import heapq
import itertools
import random
import threading

import pytest

from chalicelib.delivery.rate_limit import InMemoryTokenBucket, RateLimiter

START = 1_700_000_000.0
RATE = 200.0  # mails per second
DURATION_S = 10.0
WORKERS = 4
WINDOWS_S = (0.0, 0.1, 0.5, 1.0, 2.0, 5.0)


class SimulatedClock:
    def __init__(self, start: float = START):
        self._now = start
        self._queue = []
        self._order = itertools.count()
        self._yielded = threading.Semaphore(0)

    def time(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        wake = threading.Event()
        heapq.heappush(self._queue, (self._now + max(0.0, seconds), next(self._order), wake))
        self._yielded.release()
        wake.wait()

    def run(self, works) -> None:
        failures = []
        threads = []
        for work in works:
            wake = threading.Event()
            heapq.heappush(self._queue, (self._now, next(self._order), wake))

            def body(work=work, wake=wake):
                wake.wait()
                try:
                    work()
                except BaseException as error:  # reported by the test, not lost in a thread
                    failures.append(error)
                finally:
                    self._yielded.release()

            threads.append(threading.Thread(target=body, daemon=True))
            threads[-1].start()
        while self._queue:
            at, _, wake = heapq.heappop(self._queue)
            self._now = max(self._now, at)
            wake.set()
            self._yielded.acquire()
        for thread in threads:
            thread.join()
        assert failures == []


class CountingBucket:
    def __init__(self, bucket):
        self._bucket = bucket
        self.calls = 0

    def reserve(self, *args):
        self.calls += 1
        return self._bucket.reserve(*args)


def run_workers(bucket, seed: int, workers: int = WORKERS, rate: float = RATE, duration_s: float = DURATION_S):
    """`workers` senders that want far more than `rate`; returns (clock, [(granted at, tokens)])."""
    clock = SimulatedClock()
    grants = []
    end = clock.time() + duration_s

    def worker(rng):
        limiter = RateLimiter(bucket, rate, clock=clock.time, sleep=clock.sleep, rng=rng)
        while clock.time() < end:
            tokens = rng.randint(1, 25)
            limiter.acquire(tokens)
            grants.append((clock.time(), tokens))
            clock.sleep(rng.uniform(0.001, 0.05))  # the sends themselves

    def work_of(n):
        return lambda: worker(random.Random(seed * 100 + n))

    clock.run([work_of(n) for n in range(workers)])
    return grants


def assert_under_the_rate(grants, rate: float = RATE, capacity: float = RATE):
    grants = sorted(grants)
    for start, _ in grants:
        for window in WINDOWS_S:
            taken = sum(tokens for at, tokens in grants if start <= at <= start + window)
            assert taken <= rate * window + capacity + 0.01, (start - START, window, taken)


@pytest.mark.parametrize("seed", range(5))
def test_four_workers_stay_under_the_rate_when_sharing_one_bucket(seed):
    # GIVEN one bucket at 200 mails/s (capacity one second) and four workers that each want more
    bucket = InMemoryTokenBucket()
    # WHEN they send for ten simulated seconds
    grants = run_workers(bucket, seed)
    # THEN no window of time saw more than rate x window + one second's burst
    assert_under_the_rate(grants)
    total = sum(tokens for _, tokens in grants)
    span = max(at for at, _ in grants) - min(at for at, _ in grants)
    assert total <= RATE * span + RATE + 0.01  # float time at epoch scale: ~1e-7 s
    # AND together they used nearly all of the rate: waiting is not wasted
    assert total >= 0.9 * RATE * DURATION_S


def test_limiter_costs_few_bucket_writes_when_taking_tokens_in_chunks():
    # GIVEN a bucket that counts its (conditional) writes
    bucket = CountingBucket(InMemoryTokenBucket())
    # WHEN four workers send at the full rate
    grants = run_workers(bucket, seed=7)
    # THEN there is about one bucket write per take, not one per mail: reservations never hammer
    assert bucket.calls <= 1.1 * len(grants)


def test_acquire_splits_requests_larger_than_the_capacity():
    # GIVEN a slow account: 5 mails/s, so at most 5 tokens a take
    clock = SimulatedClock()
    grants = []

    def worker():
        limiter = RateLimiter(InMemoryTokenBucket(), 5, clock=clock.time, sleep=clock.sleep)
        limiter.acquire(23)
        grants.append(clock.time())

    # WHEN a worker asks for 23 tokens at once
    clock.run([worker])
    # THEN it gets them in pieces, in about (23 - 5) / 5 seconds, not in one illegal burst
    assert 3.5 <= grants[0] - START <= 3.7


def test_limiter_refuses_a_rate_of_zero():
    with pytest.raises(ValueError):
        RateLimiter(InMemoryTokenBucket(), 0)
