"""Random account records for the partner statistics' property-based tests, and the groups a
reader would know of, worked out here independently of the code under test."""

import re

from hypothesis import strategies as st

from chalicelib.partner_statistics.aggregation import AccountRecord, MonthUse

PLANS = ("free", "starter", "professional")
# Labels a careless export could leak: an address, a city, a name, a lower-case code, nothing.
STRAY_LABELS = ("anna@example.nl", "Amsterdam", "Anna de Vries", "nl", "", "Free")
REGIONS = ("NL", "NL", "NL", "BE", "BE", "DE", "FR", "LU")
MONTHS = ("2026-09", "2026-10", "2026-11", "2026-12")
STRAY_MONTHS = ("2026-13", "november", "2026-1")


def known_plan(value) -> str | None:
    return value if value in PLANS else None


def known_region(value) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value) else None


def known_month(value) -> str | None:
    return value if isinstance(value, str) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value) else None


month_uses = st.builds(MonthUse, month=st.sampled_from(MONTHS + STRAY_MONTHS),
                       mailings=st.integers(0, 4), recipients=st.integers(0, 5000))


@st.composite
def account_records(draw):
    sent = draw(st.integers(0, 2000) | st.just(0))
    tracked_sent = draw(st.integers(0, sent))
    return AccountRecord(
        plan=draw(st.sampled_from(PLANS + PLANS + STRAY_LABELS)),
        region=draw(st.sampled_from(REGIONS + STRAY_LABELS)),
        months=tuple(draw(st.lists(month_uses, max_size=4))),
        sent=sent, bounced=draw(st.integers(0, sent // 5 + 1)),
        tracked_sent=tracked_sent, tracked_bounced=draw(st.integers(0, tracked_sent // 5 + 1)),
        unique_opens=draw(st.integers(0, tracked_sent)))


populations = st.lists(account_records(), max_size=70)
thresholds = st.sampled_from([10, 10, 10, 2, 3, 5, 7, 12])
