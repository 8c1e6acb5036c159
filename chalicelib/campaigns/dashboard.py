"""The overview an account holder lands on (/app): the last campaign's results, the audience's growth
and, for a new account, the next steps, each checked off once done.

Everything here is read cheaply: the campaigns and templates of the account (one query each), the
last campaign's counters (one item), the audience's daily counters (`audience.repository`'s GROWTH
items, at most one per day shown), one contact, the sending domains. No contact list is scanned.
"""

from dataclasses import dataclass

from chalicelib.i18n import N_

GROWTH_PERIODS = (30, 90)  # days the chart can show
CHART_WIDTH, CHART_HEIGHT = 600, 160  # the SVG's own units; it scales to the page

NEXT_STEPS = (  # (key, title, what to do, where) in the order a new account takes them
    ("verify-email", N_("Confirm your e-mail address"), N_("Open the link in the mail we sent you."), "/app"),
    ("sending-domain", N_("Add a sending domain"),
     N_("Send from your own domain, so that your mail is trusted and looks like yours."), "/domains"),
    ("import-contacts", N_("Add or import contacts"), N_("Make a list and add the people who want your mail."),
     "/lists"),
    ("template", N_("Create a template"), N_("Design the mail once, use it for every campaign."), "/templates/new"),
    ("first-campaign", N_("Send your first campaign"), N_("Choose a template and a list, review, send."),
     "/campaigns"),
)


@dataclass(frozen=True)
class NextStep:
    key: str
    title: str
    text: str
    href: str
    done: bool


@dataclass(frozen=True)
class LastCampaign:
    campaign: object
    report: dict

    def share(self, count: int) -> float | None:
        """`count` as a fraction of the delivered mails (None before anything was delivered)."""
        delivered = self.report.get("delivered", 0)
        return count / delivered if delivered else None

    @property
    def open_rate(self) -> float | None:
        return self.share(self.report.get("unique_opens", 0))

    @property
    def click_rate(self) -> float | None:
        return self.share(self.report.get("unique_clickers", 0))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: object
    count: int


@dataclass(frozen=True)
class GrowthChart:
    days: int
    rows: list  # (day, added, left), oldest first
    added_bars: list
    left_bars: list
    baseline: float  # y of the zero line: added above it, left below

    @property
    def added(self) -> int:
        return sum(added for _, added, _ in self.rows)

    @property
    def left(self) -> int:
        return sum(left for _, _, left in self.rows)

    @property
    def net(self) -> int:
        return self.added - self.left


def growth_chart(rows: list, width: float = CHART_WIDTH, height: float = CHART_HEIGHT) -> GrowthChart:
    """Bars per day: contacts added up from the middle line, those who left down from it, scaled to
    the busiest day (pure: the page draws these as SVG rectangles)."""
    peak = max([max(added, left) for _, added, left in rows] or [0]) or 1
    baseline, half = height / 2, height / 2 - 4
    step = width / max(len(rows), 1)
    bar_width = max(step - 1, 1)
    added_bars, left_bars = [], []
    for index, (day, added, left) in enumerate(rows):
        x = round(index * step, 2)
        up, down = round(half * added / peak, 2), round(half * left / peak, 2)
        if added:
            added_bars.append(Bar(x, round(baseline - up, 2), round(bar_width, 2), up, day, added))
        if left:
            left_bars.append(Bar(x, baseline, round(bar_width, 2), down, day, left))
    return GrowthChart(len(rows), rows, added_bars, left_bars, baseline)


@dataclass(frozen=True)
class Overview:
    last_campaign: LastCampaign | None
    growth: GrowthChart
    next_steps: list

    @property
    def new_account(self) -> bool:
        """Some next step is still to do: the overview shows the steps."""
        return not all(step.done for step in self.next_steps)


class Dashboard:
    def __init__(self, campaign_service, audience_service, sending_domains):
        self._campaigns = campaign_service
        self._audience = audience_service
        self._domains = sending_domains

    def overview(self, account, days: int = GROWTH_PERIODS[0]) -> Overview:
        days = days if days in GROWTH_PERIODS else GROWTH_PERIODS[0]
        campaigns = self._campaigns.campaigns(account)
        started = [c for c in campaigns if c.started_at is not None]
        last = max(started, key=lambda c: c.started_at) if started else None
        last_campaign = LastCampaign(last, self._campaigns.report(account, last.campaign_id)) if last else None
        done = {"verify-email": bool(account.email_verified),
                "sending-domain": bool(self._domains.domains(account)) if self._domains is not None else False,
                "import-contacts": self._audience.has_contacts(account),
                "template": bool(self._campaigns.templates(account)),
                "first-campaign": bool(started)}
        steps = [NextStep(key, title, text, href, done[key]) for key, title, text, href in NEXT_STEPS]
        return Overview(last_campaign, growth_chart(self._audience.growth(account, days)), steps)
