"""In-memory twin of `chalicelib.analytics.repository.DynamoAnalytics`: raw events and daily counts."""

from collections import Counter


class InMemoryAnalytics:
    def __init__(self):
        self.views = []  # every PageView written, in order
        self.writes = 0  # write calls: one per flushed batch
        self.settled: list[str] = []  # the days settled, in order
        self._counters: dict[str, Counter] = {}

    def write(self, views, counts: dict[str, dict[str, int]], expires_at: int) -> None:
        self.writes += 1
        self.views.extend(views)
        for day, found in counts.items():
            self._counters.setdefault(day, Counter()).update(found)

    def counters(self, day: str, settle: bool = False) -> dict[str, int]:
        if settle:
            self.settled.append(day)
        return dict(self._counters.get(day, {}))

    def linked_views(self, account_id: str) -> list[dict]:
        return [{"time": view.at.isoformat(), "path": view.path} for view in self.views if view.account_id == account_id]

    def forget_account(self, account_id: str) -> int:
        before = len(self.views)
        self.views = [view for view in self.views if view.account_id != account_id]
        return before - len(self.views)
