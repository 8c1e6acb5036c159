"""The reputation limits: rates over the window, with a minimum volume before one bad mail counts."""

import pytest

from chalicelib.delivery.reputation import Rates


@pytest.mark.parametrize("sent, bounced, complained, exceeded", [
    (300, 15, 0, None),  # exactly 5%: not over
    (300, 16, 0, "bounces"),
    (10, 1, 0, None),  # a new account: one bounce in ten mails is below the minimum volume
    (50, 11, 0, "bounces"),  # ... but a bought list is not
    (500, 0, 1, None),  # one complaint in fewer than 1,000 mails
    (500, 0, 2, "complaints"),
    (5000, 0, 5, None),  # exactly 0.1%
    (5000, 0, 6, "complaints"),
])
def test_limit_is_exceeded_only_over_the_rate_and_minimum_volume(sent, bounced, complained, exceeded):
    # GIVEN an account's campaign mail over the window
    rates = Rates(sent, bounced, complained)
    # WHEN its rates are judged
    # THEN only a rate over its limit, over at least the minimum volume, is exceeded
    assert rates.exceeded() == exceeded
