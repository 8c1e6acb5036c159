"""The staff dashboard of page analytics (`/staff/analytics`): charts drawn on the server as SVG
(no script, no chart library, no CDN), coloured by classes in `static/analytics.css` (the strict
CSP allows no inline styles)."""

from dataclasses import dataclass

from chalicelib.accounts.page_routes import Visit, render_app_page
from chalicelib.analytics.service import Dashboard, Dimension
from chalicelib.i18n import N_

COLUMN_WIDTH = 18
COLUMN_GAP = 4
COLUMN_HEIGHT = 120  # the tallest column
BAR_HEIGHT = 18
BAR_GAP = 6
BAR_WIDTH = 320  # the longest bar
LABEL_WIDTH = 260
TITLES = {
    Dimension.PATH: N_("Top pages"),
    Dimension.REFERRER: N_("Referrers"),
    Dimension.BROWSER: N_("Browsers"),
    Dimension.OS: N_("Operating systems"),
    Dimension.SCREEN: N_("Screen resolutions"),
}


@dataclass(frozen=True)
class Shape:
    """One bar or column of a chart: where it is, and what it stands for."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    shapes: list[Shape]
    peak: int


def column_chart(values: list[tuple[str, int]]) -> Chart:
    """Vertical columns, one per (label, value), left to right; room below them for labels."""
    peak = max([value for _, value in values] or [0])
    shapes = []
    for n, (label, value) in enumerate(values):
        height = round(COLUMN_HEIGHT * value / peak, 1) if peak else 0
        shapes.append(Shape(x=n * (COLUMN_WIDTH + COLUMN_GAP) + 30, y=COLUMN_HEIGHT + 10 - height,
                            width=COLUMN_WIDTH, height=height, label=label, value=value))
    return Chart(width=len(values) * (COLUMN_WIDTH + COLUMN_GAP) + 40, height=COLUMN_HEIGHT + 40, shapes=shapes,
                 peak=peak)


def bar_chart(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, one per (label, value), top to bottom, the label on the left."""
    peak = max([value for _, value in rows] or [0])
    shapes = [Shape(x=LABEL_WIDTH, y=n * (BAR_HEIGHT + BAR_GAP) + 4,
                    width=max(1.0, round(BAR_WIDTH * value / peak, 1)) if peak else 0, height=BAR_HEIGHT,
                    label=label, value=value) for n, (label, value) in enumerate(rows)]
    return Chart(width=LABEL_WIDTH + BAR_WIDTH + 70, height=len(rows) * (BAR_HEIGHT + BAR_GAP) + 8, shapes=shapes,
                 peak=peak)


def dashboard_page(account, visit: Visit):
    dashboard: Dashboard = visit.services.analytics.dashboard()
    views = column_chart([(day.day.strftime("%d-%m"), day.views) for day in dashboard.days])
    sign_ups = column_chart([(day.day.strftime("%d-%m"), day.sign_ups) for day in dashboard.days])
    tops = [(TITLES[dimension], bar_chart(dashboard.top[dimension])) for dimension in Dimension]
    return render_app_page("pages/staff/analytics.html", account, visit, current="/staff", dashboard=dashboard,
                           views_chart=views, sign_ups_chart=sign_ups, tops=tops,
                           first_day=dashboard.days[0].day, last_day=dashboard.days[-1].day)
