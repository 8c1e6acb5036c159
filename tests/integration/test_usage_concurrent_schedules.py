"""Two campaigns scheduled at the same moment cannot together pass the month's recipients (P7): the
quota is a conditional counter, not a read followed by a write."""

import threading

from chalicelib import aws
from chalicelib.composition import Services
from chalicelib.config import settings
from chalicelib.usage.service import QuotaExceeded
from tests.integration.audience_helpers import account_with_list
from tests.integration.campaign_helpers import SerializedClient
from tests.integration.test_campaign_flow import _add, _campaign_with_template
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.usage_helpers import account_of, queued, small_free_plan, usage_api


class BothReadFirst:
    """DynamoDB as the two requests see it: each call atomic (as DynamoDB applies a conditional
    write), and neither request writes its reservation before both have read the month's count."""

    def __init__(self, client, barrier: threading.Barrier):
        self._client = SerializedClient(client)
        self._barrier = barrier
        self.exceptions = client.exceptions

    def transact_write_items(self, **request):
        try:
            self._barrier.wait(timeout=30)
        except threading.BrokenBarrierError:  # a retry after the race: nothing to wait for
            pass
        return self._client.transact_write_items(**request)

    def __getattr__(self, name):
        return getattr(self._client, name)


class Clients:
    """`chalicelib.aws` with the DynamoDB client above."""

    def __init__(self, barrier):
        self._dynamodb = BothReadFirst(aws.dynamodb(), barrier)

    def dynamodb(self):
        return self._dynamodb

    def __getattr__(self, name):
        return getattr(aws, name)


def test_two_concurrent_schedules_cannot_both_pass_the_recipients_limit(client, app_module, aws_resources, outbox,
                                                                        monkeypatch):
    # GIVEN a plan of 5 recipients a month and two campaigns to the same list of 3
    small_free_plan(monkeypatch, recipients=5)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    for number in range(3):
        _add(client, cookie, csrf, list_id, f"klant{number}@example.com", f"Klant{number}")
    campaigns = [_campaign_with_template(client, cookie, csrf, list_id) for _ in range(2)]
    run_background_jobs(app_module, aws_resources)
    barrier = threading.Barrier(2)
    services = Services(settings(), clients=Clients(barrier))
    account = account_of()
    outcomes = {}

    def schedule(campaign_id):
        try:
            services.campaign_service.schedule(account, campaign_id, None)
            outcomes[campaign_id] = "scheduled"
        except QuotaExceeded as refused:
            outcomes[campaign_id] = f"refused at {refused.used} of {refused.limit}"

    # WHEN both are sent now at the same moment, each having read the month's count before the other wrote
    threads = [threading.Thread(target=schedule, args=(campaign_id,)) for campaign_id in campaigns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # THEN exactly one goes, the other is refused, and the month counts 3 of 5
    assert sorted(outcomes.values()) == ["refused at 3 of 5", "scheduled"], outcomes
    assert usage_api(client, cookie)["recipients"] == 3
    assert queued(aws_resources, "mailexpert-jobs") == 1  # one fan-out
    states = {c: services.campaign_service.get_campaign(account, c).state.value for c in campaigns}
    assert sorted(states.values()) == ["draft", "sending"]
