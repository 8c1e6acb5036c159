"""Published news reaches the mailboxes through the one broadcast engine: a service announcement
every active account once (P16), product news only the accounts that opted in, once, and never
again after they unsubscribed (P4); a policy change is on every account's news page too (P17)."""

import collections
import re

from tests.integration.accounts_helpers import post_form
from tests.integration.broadcast_helpers import STAFF, deactivated_holder, holders, run_jobs_queue
from tests.integration.news_helpers import page, signed_in
from tests.integration.test_policy_notices_daily_schedule import EVENT as DAILY_EVENT
from tests.integration.test_product_news import PRODUCT_NEWS
from tests.integration.test_service_announcements import ANNOUNCEMENT


def services():
    from chalicelib.composition import services as built

    return built()


def mails_with(outbox, template: str) -> collections.Counter:
    return collections.Counter(address for mail in outbox.mails() if mail["tags"].get("template") == template
                               for address in mail["to"])


def test_a_published_announcement_reaches_every_active_account_once_and_no_deactivated_one(
        client, app_module, aws_resources, outbox):
    # GIVEN three active account holders, a deactivated one, and staff signed in
    active = holders(3)
    gone = deactivated_holder()
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    # WHEN staff publish an announcement and the jobs queue runs, and the daily job runs after it
    assert post_form(client, "/staff/announcements", {"csrf_token": csrf, **ANNOUNCEMENT},
                     cookie=cookie).status_code == 303
    run_jobs_queue(app_module, aws_resources)
    app_module.account_notices(DAILY_EVENT, None)
    run_jobs_queue(app_module, aws_resources)
    # THEN each active holder has exactly one announcement, the deactivated one none (and staff, who
    # never confirmed the address, none either)
    assert mails_with(outbox, "service_announcement") == {account.email: 1 for account in active}
    assert gone.email not in mails_with(outbox, "service_announcement")


def test_product_news_reaches_only_opted_in_accounts_and_stops_after_the_one_click_unsubscribe(
        client, app_module, aws_resources, outbox):
    # GIVEN one holder who opted in to product news and one who did not
    opted_in = holders(1, prefix="yes", product_news=True)[0]
    not_opted_in = holders(1, prefix="no")[0]
    cookie, csrf = signed_in(client, app_module, aws_resources, outbox, staff=True)
    # WHEN staff publish product news and the jobs queue runs
    assert post_form(client, "/staff/product-news", {"csrf_token": csrf, **PRODUCT_NEWS},
                     cookie=cookie).status_code == 303
    run_jobs_queue(app_module, aws_resources)
    # THEN only the opted-in holder has it, with the one-click unsubscribe headers
    [mail] = [m for m in outbox.mails() if m["tags"].get("template") == "product_news"]
    assert mail["to"] == [opted_in.email] and not_opted_in.email not in mail["to"]
    headers = {name.lower(): value for name, value in mail["headers"].items()}
    assert headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    # AND after one POST to the link, the next product news does not reach them
    path = re.search(r"<https?://[^/>]+(/[^>]+)>", headers["list-unsubscribe"]).group(1)
    assert client.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"},
                       body=b"List-Unsubscribe=One-Click").status_code in (200, 303)
    assert post_form(client, "/staff/product-news", {"csrf_token": csrf, **PRODUCT_NEWS},
                     cookie=cookie).status_code == 303
    run_jobs_queue(app_module, aws_resources)
    assert mails_with(outbox, "product_news")[opted_in.email] == 1


def test_an_announced_policy_change_is_on_the_news_page(client, app_module, aws_resources, outbox):
    from chalicelib.notices.policy_service import earliest_effective_date

    cookie, _ = signed_in(client, app_module, aws_resources, outbox)
    policy = services().policy
    draft = policy.draft(STAFF, "# Privacybeleid\n\nNieuw.\n", "# Privacy policy\n\nNew.\n")
    policy.announce(STAFF, draft.number, earliest_effective_date(policy.now()).isoformat())
    body = page(client, "/news", cookie).body.decode()
    assert "Our privacy policy changes on" in body and "/privacy#changes" in body
