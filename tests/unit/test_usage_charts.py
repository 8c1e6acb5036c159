"""The Usage page's SVG charts are computed on the server: one bar per month, heights in proportion,
the plan's limit as a line when it is near enough to show."""

from chalicelib.i18n import use_language
from chalicelib.usage.charts import HEIGHT, bar_chart
from chalicelib.usage.plans import Meter


def _history(values):
    return [(f"2026-{month:02d}", {"recipients": value}) for month, value in enumerate(values, start=1)]


def test_bars_are_in_proportion_and_the_near_limit_is_drawn():
    # GIVEN twelve months of recipients, the highest 800, under a limit of 1000
    with use_language("en"):
        chart = bar_chart(Meter.RECIPIENTS, _history([0, 100, 200, 400, 800, 0, 0, 0, 0, 0, 0, 50]), limit=1000)
        # THEN there is one bar per month, labelled by its month's short name, left to right
        assert [bar.label for bar in chart.bars] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                                     "Oct", "Nov", "Dec"]
    assert [bar.x for bar in chart.bars] == sorted(bar.x for bar in chart.bars)
    # AND heights follow the values, on a scale up to the limit, which is drawn at the top
    heights = {bar.value: bar.height for bar in chart.bars}
    assert heights[0] == 0 and abs(heights[800] - 2 * heights[400]) < 0.2 and abs(heights[400] - 2 * heights[200]) < 0.2
    assert chart.top_text == "1,000" and chart.limit_y is not None and chart.limit_y < HEIGHT - 22
    assert all(bar.y + bar.height <= chart.baseline + 0.1 for bar in chart.bars)


def test_a_far_limit_is_not_drawn_and_figures_read_as_people_write_them():
    with use_language("en"):  # sizes in decimal units, as `formatting.format_bytes` writes them on every page
        chart = bar_chart(Meter.BYTES_SENT, [("2026-11", {"bytes_sent": 3_000_000}), ("2026-12", {})], limit=None)
        assert chart.limit_y is None and chart.bars[0].text == "3 MB" and chart.bars[1].text == "0 byte"
    with use_language("nl"):  # Dutch groups thousands with a dot and writes a decimal comma
        dutch = bar_chart(Meter.BYTES_SENT, [("2026-12", {"bytes_sent": 1500})], limit=None)
        assert dutch.bars[0].text == "1,5 kB" and dutch.bars[0].label == "dec"
        assert bar_chart(Meter.RECIPIENTS, _history([50_000]), limit=None).top_text == "50.000"
    far = bar_chart(Meter.RECIPIENTS, _history([10, 20]), limit=500_000)
    assert far.limit_y is None and far.top_text == "20"
