"""Two small rules of the overview and the review: when the audience changed "a lot" since a
campaign was reviewed (campaigns/review.py), and how the growth chart scales its bars
(campaigns/dashboard.py)."""

from datetime import date, timedelta

import pytest

from chalicelib.campaigns.dashboard import growth_chart
from chalicelib.campaigns.review import changed_a_lot


@pytest.mark.parametrize("reviewed,now,expected", [
    (1000, 1000, False), (1000, 1050, False), (1000, 950, False),  # within 5 %
    (1000, 1051, True), (1000, 949, True), (0, 1, True), (3, 4, True), (0, 0, False), (5, 0, True)])
def test_audience_changed_a_lot_beyond_five_percent_when_compared(reviewed, now, expected):
    assert changed_a_lot(reviewed, now) is expected


def test_growth_bars_scale_to_the_busiest_day_when_drawn():
    # GIVEN three days: 10 added; nothing; 5 added and 10 left
    first = date(2026, 12, 1)
    rows = [(first, 10, 0), (first + timedelta(days=1), 0, 0), (first + timedelta(days=2), 5, 10)]
    # WHEN the chart is drawn 300 wide, 100 high
    chart = growth_chart(rows, width=300, height=100)
    # THEN the busiest counts reach the top and bottom edges (4 units of margin), others in proportion
    assert chart.baseline == 50 and (chart.added, chart.left, chart.net) == (15, 10, 5)
    [tall, short] = chart.added_bars
    assert (tall.y, tall.height, tall.x) == (4, 46, 0) and (short.height, short.x) == (23, 200)
    [down] = chart.left_bars
    assert (down.y, down.height) == (50, 46)
    # AND an empty period draws no bars at all
    assert growth_chart([(first, 0, 0)]).added_bars == []
