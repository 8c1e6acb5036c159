"""The review before a campaign goes out: what the account holder sees and confirms on the pages.

"Send now" and "send later" on the campaign page lead to a summary (how many would receive it after
leaving out the unsubscribed and suppressed, from whom, the subject, the list or segment, whether a
test went out and to whom, when) with one button that says what it does. That button posts a signed
review token: who reviewed which campaign, in which version (its `updated_at`), to go out when, to
how many, reviewed at what moment. Only a valid, recent token sends; a form posted without one
shows the review. When the campaign was changed since, the token is older than REVIEW_VALID_FOR, or
the number of recipients moved by more than CHANGE_TOLERANCE, the review is shown again, with the
new numbers, instead of sending.

The API (`POST /api/v1/campaigns/{id}/schedule`) has no review step: a script that calls it has
decided already.
"""

import email.utils
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from chalicelib import errors
from chalicelib.campaigns.campaigns import Campaign
from chalicelib.i18n import N_
from chalicelib.signing import InvalidToken, Purpose, TokenSigner

CAMPAIGN_REVIEW = Purpose("campaign review", b"mailexpert/campaign-review/v1")
REVIEW_VALID_FOR = timedelta(hours=1)
CHANGE_TOLERANCE = 0.05  # more than 5 % more or fewer recipients than reviewed: review again

NOT_A_REVIEW = N_("This confirmation is not valid. Open the campaign and review it again.")
CAMPAIGN_CHANGED = N_("The campaign was changed after you reviewed it. Check the summary again.")
REVIEW_EXPIRED = N_("Your review is more than an hour old. Check the summary again.")
AUDIENCE_CHANGED = N_("The number of recipients changed from %(reviewed)s to %(now)s since you reviewed it. "
                      "Check the summary again.")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def review_signer(secret: bytes) -> TokenSigner:
    return TokenSigner(secret, CAMPAIGN_REVIEW)


def changed_a_lot(reviewed: int, now: int) -> bool:
    """Whether the audience moved too much since the review to send on it: by more than
    CHANGE_TOLERANCE of what was reviewed (from none to some counts as a lot)."""
    return abs(now - reviewed) > reviewed * CHANGE_TOLERANCE


@dataclass(frozen=True)
class Review:
    """What the review page shows, and the token its confirm button posts."""

    campaign: Campaign
    recipients: int
    send_at: datetime | None  # None: now
    from_address: str
    reply_to: str | None
    subject: str
    list_name: str
    segment_name: str | None
    test_sent_to: str | None
    test_sent_at: datetime | None
    token: str


class ReviewOutdated(Exception):
    """The confirmed review no longer describes what would happen: show this new one instead."""

    def __init__(self, review: Review, message: str, **params):
        super().__init__(message)
        self.review, self.message, self.params = review, message, params


class CampaignReviews:
    def __init__(self, campaign_service, audience_service, segments, signer, from_address: str, clock=_now):
        self._campaigns = campaign_service
        self._audience = audience_service
        self._segments = segments
        self._signer = signer  # a function returning the TokenSigner: its key is fetched on first use
        self._from_address = email.utils.parseaddr(from_address)[1]
        self._clock = clock

    def review(self, account, campaign_id: str, send_at: datetime | None) -> Review:
        """The summary of sending the campaign now (`send_at` None) or then; refused as `schedule`
        would refuse it (state, template, time, audience, domain)."""
        campaign = self._campaigns.schedulable(account, campaign_id, send_at)
        self._campaigns.require_renders(account, campaign)  # a template that cannot go out is refused now
        recipients = self._campaigns.count_recipients(campaign)
        self._campaigns.require_recipient_quota(account, campaign, recipients)
        audience_list = self._audience.get_list(account, campaign.list_id)
        segment = self._segments.get(account, campaign.segment_id) if campaign.segment_id else None
        test = self._campaigns.last_test_send(account, campaign_id)
        payload = {"a": account.account_id, "c": campaign_id, "u": campaign.updated_at.isoformat(),
                   "w": send_at.isoformat() if send_at else "", "n": recipients, "t": int(self._clock().timestamp())}
        token = self._signer().sign(json.dumps(payload, separators=(",", ":")).encode())
        return Review(campaign, recipients, send_at,
                      email.utils.formataddr((campaign.from_name, campaign.from_email or self._from_address)),
                      campaign.reply_to, campaign.content["subject"], audience_list.name,
                      segment.name if segment else None, test[0] if test else None, test[1] if test else None, token)

    def confirm(self, account, campaign_id: str, token: str) -> Campaign:
        """Send (or schedule) as reviewed; ReviewOutdated with a new review when the review no longer
        holds, MalformedRequest when the token is none of this account's reviews of this campaign."""
        try:
            payload = json.loads(self._signer().verify(token or ""))
            reviewed_count, reviewed_version = int(payload["n"]), payload["u"]
            send_at = datetime.fromisoformat(payload["w"]) if payload["w"] else None
            reviewed_at = datetime.fromtimestamp(int(payload["t"]), timezone.utc)
            if payload["a"] != account.account_id or payload["c"] != campaign_id:
                raise InvalidToken()
        except (InvalidToken, ValueError, KeyError, TypeError):
            raise errors.MalformedRequest(NOT_A_REVIEW) from None
        fresh = self.review(account, campaign_id, send_at)
        if fresh.campaign.updated_at.isoformat() != reviewed_version:
            raise ReviewOutdated(fresh, CAMPAIGN_CHANGED)
        if self._clock() - reviewed_at > REVIEW_VALID_FOR:
            raise ReviewOutdated(fresh, REVIEW_EXPIRED)
        if changed_a_lot(reviewed_count, fresh.recipients):
            raise ReviewOutdated(fresh, AUDIENCE_CHANGED, reviewed=reviewed_count, now=fresh.recipients)
        return self._campaigns.schedule(account, campaign_id, send_at, recipients=fresh.recipients)
