"""Server-rendered SVG bar charts of the usage history: geometry only, computed here; the template
draws it with CSS classes (no inline styles, no script, no chart library from a CDN)."""

from dataclasses import dataclass

from chalicelib import formatting
from chalicelib.usage.plans import Meter
from chalicelib.usage.service import amount

WIDTH, HEIGHT = 360, 140
TOP, BOTTOM, LEFT = 12, 22, 4  # room for the top value and the month labels
GAP = 4


@dataclass(frozen=True)
class Bar:
    month: str  # "2026-11"
    value: int
    text: str  # the value as people read it
    x: float
    y: float
    width: float
    height: float

    @property
    def label(self) -> str:
        return formatting.format_month(self.month, "abbreviated")  # "dec": the years are in the caption


@dataclass(frozen=True)
class Chart:
    meter: Meter
    bars: tuple
    top_text: str  # the value of a full-height bar
    limit_y: float | None  # the plan's limit as a line, when it is within the chart
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return HEIGHT - BOTTOM


def bar_chart(meter: Meter, history: list, limit: int | None = None) -> Chart:
    """One bar per month of `history` ([(month, {meter: value})], oldest first); the scale leaves room
    for the plan's limit when it is near."""
    values = [(month, counts.get(meter.value, 0)) for month, counts in history]
    biggest = max([value for _, value in values] + [1])
    scale_top = max(biggest, limit) if limit and limit <= biggest * 1.5 else biggest
    plot = HEIGHT - TOP - BOTTOM
    step = (WIDTH - LEFT) / max(len(values), 1)
    bars = []
    for index, (month, value) in enumerate(values):
        height = round(plot * value / scale_top, 1)
        bars.append(Bar(month, value, amount(meter, value), round(LEFT + index * step + GAP / 2, 1),
                        round(TOP + plot - height, 1), round(step - GAP, 1), height))
    limit_y = round(TOP + plot - plot * limit / scale_top, 1) if limit and limit <= scale_top else None
    return Chart(meter, tuple(bars), amount(meter, scale_top), limit_y)
