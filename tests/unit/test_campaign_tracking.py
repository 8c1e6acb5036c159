"""Open and click tracking: signed tokens, links rewritten at compile time, no open redirect."""

import re

import pytest

from chalicelib.campaigns.campaign_rendering import compile_campaign
from chalicelib.campaigns.template_saving import prepare_template
from chalicelib.campaigns.tracking import Click, InvalidToken, Open, TrackingLinks, TrackingSigner, redirect_target

KEY = b"k" * 32
BASE = "https://t.mailexpert.nl"
EXTRAS = {"unsubscribe_url": "https://mailexpert.nl/u/tok", "preferences_url": "https://mailexpert.nl/p/tok"}
CONTACT = {"contact_id": "contact-1", "email": "anna@example.nl", "first_name": "Anna", "last_name": "",
           "language": "nl", "fields": {"url": "https://anna.example.nl/"}}
HTML = ('<p><a href="https://shop.nl/a?x=1&amp;y=2">A</a> <a href="https://shop.nl/b">B</a></p>'
        '<p><a href="mailto:info@shop.nl">mail</a> <a href="{{ contact.fields.url }}">jij</a>'
        ' <a href="{{ preferences_url }}">voorkeuren</a></p>')


def tracked_campaign(signer=None):
    prepared = prepare_template(HTML, None, "Nieuws")
    tracking = TrackingLinks(signer or TrackingSigner(KEY), BASE, "campaign-1", "account-1", prepared.links)
    return prepared, compile_campaign(prepared, tracking=tracking)


def hrefs(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]*)"', html)]


def test_campaign_links_go_through_click_urls_that_decode_to_them_when_tracking_is_on():
    # GIVEN a campaign compiled with tracking
    prepared, campaign = tracked_campaign()
    signer = TrackingSigner(KEY)
    # WHEN a mail is rendered
    mail = campaign.render(CONTACT, EXTRAS)
    # THEN each campaign link is a click URL whose token leads back to that link, for this contact
    click_urls = [href for href in hrefs(mail.html) if href.startswith(f"{BASE}/t/c/")]
    assert len(click_urls) == 2
    targets = []
    for url in click_urls:
        click = signer.decode_click(url.removeprefix(f"{BASE}/t/c/"))
        assert (click.account_id, click.campaign_id, click.contact_id) == ("account-1", "campaign-1", "contact-1")
        targets.append(redirect_target(click, prepared.links))
    assert targets == ["https://shop.nl/a?x=1&y=2", "https://shop.nl/b"]


def test_other_links_stay_as_written_when_tracking_is_on():
    # GIVEN a campaign compiled with tracking
    _, campaign = tracked_campaign()
    # WHEN a mail is rendered
    links = hrefs(campaign.render(CONTACT, EXTRAS).html)
    # THEN mailto, personalised, preferences and unsubscribe links are untouched
    assert "mailto:info@shop.nl" in links
    assert "https://anna.example.nl/" in links
    assert EXTRAS["preferences_url"] in links
    assert EXTRAS["unsubscribe_url"] in links


def test_open_pixel_decodes_to_the_recipient_when_tracking_is_on():
    # GIVEN a campaign compiled with tracking
    _, campaign = tracked_campaign()
    # WHEN a mail is rendered
    html = campaign.render(CONTACT, EXTRAS).html
    # THEN one pixel stands just before </body>, and its token names the recipient's open
    pixels = re.findall(rf'<img src="{re.escape(BASE)}/t/o/([^"]+)" width="1" height="1"[^>]*></body>', html)
    assert len(pixels) == 1
    assert TrackingSigner(KEY).decode_open(pixels[0]) == Open("account-1", "campaign-1", "contact-1")


def test_links_stay_as_written_and_no_pixel_when_tracking_is_off():
    # GIVEN a campaign compiled without tracking
    prepared = prepare_template(HTML, None, "Nieuws")
    # WHEN a mail is rendered
    html = compile_campaign(prepared, tracking=None).render(CONTACT, EXTRAS).html
    # THEN the links are the written ones and there is no pixel
    assert hrefs(html)[:2] == ["https://shop.nl/a?x=1&y=2", "https://shop.nl/b"]
    assert "/t/" not in html
    assert 'width="1" height="1"' not in html


def test_tampered_token_is_refused_when_decoded():
    # GIVEN a valid click token
    signer = TrackingSigner(KEY)
    token = signer.click_token(Click("account-1", "campaign-1", "contact-1", 0))
    payload, signature = token.split(".")
    forged_payload = signer.click_token(Click("account-1", "campaign-1", "contact-2", 0)).split(".")[0]
    # WHEN it is altered: another payload under the old signature, a changed signature, garbage
    for tampered in (f"{forged_payload}.{signature}", f"{payload}.{signature[:-1]}A", "garbage", "", "a.b.c"):
        # THEN it is refused
        with pytest.raises(InvalidToken):
            signer.decode_click(tampered)


def test_token_of_another_key_is_refused_when_decoded():
    # GIVEN a click token signed with another key
    token = TrackingSigner(b"x" * 32).click_token(Click("account-1", "campaign-1", "contact-1", 0))
    # WHEN it is decoded with ours
    # THEN it is refused
    with pytest.raises(InvalidToken):
        TrackingSigner(KEY).decode_click(token)


def test_open_token_is_refused_when_used_as_click_token():
    # GIVEN an open token
    signer = TrackingSigner(KEY)
    token = signer.open_token(Open("account-1", "campaign-1", "contact-1"))
    # WHEN it is presented as a click
    # THEN it is refused, and the other way round too
    with pytest.raises(InvalidToken):
        signer.decode_click(token)
    with pytest.raises(InvalidToken):
        signer.decode_open(signer.click_token(Click("account-1", "campaign-1", "contact-1", 0)))


def test_link_index_outside_the_campaign_is_refused_when_redirecting():
    # GIVEN a validly signed click for a link index the campaign does not have
    signer = TrackingSigner(KEY)
    click = signer.decode_click(signer.click_token(Click("account-1", "campaign-1", "contact-1", 7)))
    # WHEN its redirect target is looked up
    # THEN it is refused: a click only ever leads to one of the campaign's own links
    with pytest.raises(InvalidToken):
        redirect_target(click, ("https://shop.nl/a", "https://shop.nl/b"))


def test_non_web_link_is_refused_when_redirecting():
    # GIVEN a stored link list that somehow holds a javascript: URL
    click = Click("account-1", "campaign-1", "contact-1", 0)
    # WHEN a click on it is redirected
    # THEN it is refused
    with pytest.raises(InvalidToken):
        redirect_target(click, ("javascript:alert(1)",))


def test_tracking_links_must_match_the_template_when_compiled():
    # GIVEN tracking set up with another campaign's links
    prepared = prepare_template(HTML, None, "Nieuws")
    tracking = TrackingLinks(TrackingSigner(KEY), BASE, "campaign-1", "account-1", ("https://elsewhere.example/",))
    # WHEN the campaign is compiled
    # THEN it is refused
    with pytest.raises(ValueError):
        compile_campaign(prepared, tracking=tracking)
