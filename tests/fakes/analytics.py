"""In-memory twin of `chalicelib.analytics.repository.DynamoAnalytics`: raw events and daily counters."""

from collections import Counter


class InMemoryAnalytics:
    def __init__(self):
        self.views = []  # every PageView written, in order
        self.writes = 0  # write calls: one per flushed batch
        self._counters: dict[str, Counter] = {}

    def write(self, views, counts: dict[tuple[str, str], int]) -> None:
        self.writes += 1
        self.views.extend(views)
        for (day, key), count in counts.items():
            self._counters.setdefault(day, Counter())[key] += count

    def counters(self, day: str) -> dict[str, int]:
        return dict(self._counters.get(day, {}))
