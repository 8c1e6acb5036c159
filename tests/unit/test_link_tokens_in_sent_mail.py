"""The signed tokens in links of mail already sent (unsubscribe, open, click) keep verifying, and a
token of one kind never passes as another kind."""

import pytest

from chalicelib.audience.signing import ALL_LISTS, InvalidToken, Signer, Subscriber
from chalicelib.campaigns.tracking import Click, Open, TrackingSigner

SECRET = b"mailexpert-test-secret-0123456789"
# Made with this secret by the signers as they were before they shared one primitive: the wire format
# of links that sit in people's mailboxes.
SENT_UNSUBSCRIBE_ALL = "N2YzYTljMmUxYjpjMGZmZWU0Mjoq.NNgPBaSdpmQezc5P5qk_5w"
SENT_UNSUBSCRIBE_LIST = "N2YzYTljMmUxYjpjMGZmZWU0MjpsaXN0LTk.EYg-bTBltINXydLtfvC4cg"
SENT_OPEN = "bzo3ZjNhOWMyZTFiOmNhbXAtMTpjMGZmZWU0Mg.xacUtO60Somz9dgyXYRpnw"
SENT_CLICK = "Yzo3ZjNhOWMyZTFiOmNhbXAtMTpjMGZmZWU0Mjoz.VGppYmtD9tVgDU1cp-1acA"


def test_unsubscribe_tokens_already_sent_verify_and_are_made_the_same_today():
    # GIVEN unsubscribe tokens from mails sent earlier
    # WHEN they are verified, and made again for the same subscribers
    # THEN they name their subscriber, and today's tokens are the very same text
    signer = Signer(SECRET)
    assert signer.subscriber(SENT_UNSUBSCRIBE_ALL) == Subscriber("7f3a9c2e1b", "c0ffee42", ALL_LISTS)
    assert signer.subscriber(SENT_UNSUBSCRIBE_LIST) == Subscriber("7f3a9c2e1b", "c0ffee42", "list-9")
    assert signer.token(Subscriber("7f3a9c2e1b", "c0ffee42", ALL_LISTS)) == SENT_UNSUBSCRIBE_ALL
    assert signer.token(Subscriber("7f3a9c2e1b", "c0ffee42", "list-9")) == SENT_UNSUBSCRIBE_LIST


def test_tracking_tokens_already_sent_verify_and_are_made_the_same_today():
    # GIVEN an open and a click token from a mail sent earlier
    # WHEN they are decoded, and made again
    # THEN they name the open and the click, and today's tokens are the very same text
    signer = TrackingSigner(SECRET)
    assert signer.decode_open(SENT_OPEN) == Open("7f3a9c2e1b", "camp-1", "c0ffee42")
    assert signer.decode_open(SENT_OPEN + ".gif") == Open("7f3a9c2e1b", "camp-1", "c0ffee42")
    assert signer.decode_click(SENT_CLICK) == Click("7f3a9c2e1b", "camp-1", "c0ffee42", 3)
    assert signer.open_token(Open("7f3a9c2e1b", "camp-1", "c0ffee42")) == SENT_OPEN
    assert signer.click_token(Click("7f3a9c2e1b", "camp-1", "c0ffee42", 3)) == SENT_CLICK
    assert signer.signed("o:7f3a9c2e1b:camp-1:c0ffee42") == SENT_OPEN


def test_unsubscribe_token_is_refused_as_tracking_token_and_the_other_way_round():
    # GIVEN tokens of each kind signed with the one secret both signers get
    unsubscribe, tracking = Signer(SECRET), TrackingSigner(SECRET)
    # WHEN one kind is presented as the other
    # THEN it is refused
    for token in (SENT_UNSUBSCRIBE_ALL, SENT_UNSUBSCRIBE_LIST):
        with pytest.raises(InvalidToken):
            tracking.decode_open(token)
        with pytest.raises(InvalidToken):
            tracking.decode_click(token)
    for token in (SENT_OPEN, SENT_CLICK):
        with pytest.raises(InvalidToken):
            unsubscribe.subscriber(token)


def test_unsubscribe_token_altered_or_of_another_secret_is_refused():
    # GIVEN an unsubscribe token
    payload, signature = SENT_UNSUBSCRIBE_ALL.split(".")
    other_payload = SENT_UNSUBSCRIBE_LIST.split(".")[0]
    # WHEN it is altered, forged, or was signed with another secret
    forged = (f"{other_payload}.{signature}", f"{payload}.{signature[:-1]}A", "garbage", "", "a.b.c",
              Signer(b"another secret").token(Subscriber("7f3a9c2e1b", "c0ffee42", ALL_LISTS)))
    # THEN it is refused
    for token in forged:
        with pytest.raises(InvalidToken):
            Signer(SECRET).subscriber(token)


def test_token_signed_for_one_purpose_is_refused_for_another():
    from chalicelib.signing import CAMPAIGN_TRACKING, UNSUBSCRIBE, TokenSigner

    # GIVEN one payload signed with the one secret for each purpose
    payload = b"7f3a9c2e1b:c0ffee42:*"
    unsubscribe, tracking = TokenSigner(SECRET, UNSUBSCRIBE), TokenSigner(SECRET, CAMPAIGN_TRACKING)
    # WHEN each token is verified for the other purpose
    # THEN it is refused; for its own it gives the payload back
    assert unsubscribe.sign(payload) != tracking.sign(payload)
    with pytest.raises(InvalidToken):
        tracking.verify(unsubscribe.sign(payload))
    with pytest.raises(InvalidToken):
        unsubscribe.verify(tracking.sign(payload))
    assert unsubscribe.verify(unsubscribe.sign(payload)) == tracking.verify(tracking.sign(payload)) == payload
