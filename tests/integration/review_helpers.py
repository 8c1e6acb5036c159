"""Sending a campaign from its page: the form leads to the review, whose button sends (campaigns/review.py)."""

import re

from tests.integration.accounts_helpers import post_form

REVIEW_TOKEN = re.compile(r'name="review_token" value="([^"]+)"')


def review(client, cookie, csrf, campaign_id, **when):
    """The review page of sending the campaign now (or `when="later", date=..., time=...`)."""
    return post_form(client, f"/campaigns/{campaign_id}/schedule", {"csrf_token": csrf, "when": "now", **when},
                     cookie=cookie)


def review_token_of(page) -> str:
    return REVIEW_TOKEN.search(page.body.decode()).group(1)


def send_through_review(client, cookie, csrf, campaign_id, **when):
    """Review, then confirm: what the account holder does to send a campaign; the confirm's answer."""
    reviewed = review(client, cookie, csrf, campaign_id, **when)
    assert reviewed.status_code == 200, reviewed.body
    return post_form(client, f"/campaigns/{campaign_id}/schedule",
                     {"csrf_token": csrf, "review_token": review_token_of(reviewed)}, cookie=cookie)
