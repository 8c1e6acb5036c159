"""Templates, campaigns, fan-out pages and engagement counters in memory, keeping DynamoCampaigns'
contract (tests/integration/test_campaigns_repository_contract.py).

Not kept: what other stores write into the campaigns table beside these (the send ledger, the
index of who received what and its progress on the campaign item): a campaign's
`recipient_index` is stored as the campaign carries it.
"""

import dataclasses
from datetime import datetime, timezone

from chalicelib.campaigns.campaigns import Campaign, CampaignState, Fanout, Template
from chalicelib.campaigns.repository import StateConflict
from tests.fakes.stored import json_value, utc


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclasses.dataclass(frozen=True)
class FanoutPage:
    """A fan-out page as DynamoCampaigns.get_page gives it (its model has these two attributes)."""

    contact_ids: list
    next_cursor: str | None


def _campaign(campaign: Campaign) -> Campaign:
    """The campaign as DynamoDB gives it back."""
    return dataclasses.replace(
        campaign, created_at=utc(campaign.created_at), updated_at=utc(campaign.updated_at),
        send_at=utc(campaign.send_at), started_at=utc(campaign.started_at), finished_at=utc(campaign.finished_at),
        tracking=bool(campaign.tracking), content=json_value(campaign.content),
        fanout=Fanout.from_dict(json_value(campaign.fanout.to_dict())))


class InMemoryCampaigns:
    def __init__(self):
        self._templates: dict[tuple, Template] = {}  # (account, template)
        self._campaigns: dict[tuple, Campaign] = {}  # (account, campaign)
        self._states: dict[str, tuple[str, str]] = {}  # campaign -> (account, state)
        self._pages: dict[tuple, FanoutPage] = {}  # (campaign, page)
        self._engaged: dict[tuple, str] = {}  # (campaign, "OPEN#<contact>" or "CLICK#<contact>#<link>") -> when
        self._counters: dict[tuple, dict[str, int]] = {}  # ("CAMPAIGN", campaign) or ("USAGE", account, month)

    # --- templates -----------------------------------------------------------------------------

    def save_template(self, template: Template) -> None:
        self._templates[template.account_id, template.template_id] = dataclasses.replace(
            template, links=tuple(template.links), created_at=utc(template.created_at), updated_at=_now())

    def get_template(self, account_id: str, template_id: str) -> Template | None:
        found = self._templates.get((account_id, template_id))
        return dataclasses.replace(found) if found else None

    def templates(self, account_id: str) -> list[Template]:
        found = [dataclasses.replace(t) for (owner, _), t in self._templates.items() if owner == account_id]
        return sorted(found, key=lambda t: t.updated_at, reverse=True)

    def delete_template(self, account_id: str, template_id: str) -> None:
        self._templates.pop((account_id, template_id), None)

    # --- campaigns -----------------------------------------------------------------------------

    def save_campaign(self, campaign: Campaign, expected_state: CampaignState | None = None) -> None:
        campaign.updated_at = _now()
        stored = self._campaigns.get((campaign.account_id, campaign.campaign_id))
        if expected_state is not None and (stored is None or stored.state is not expected_state):
            raise StateConflict()
        self._campaigns[campaign.account_id, campaign.campaign_id] = _campaign(campaign)
        self._states[campaign.campaign_id] = (campaign.account_id, campaign.state.value)

    def get_campaign(self, account_id: str, campaign_id: str) -> Campaign | None:
        found = self._campaigns.get((account_id, campaign_id))
        return _campaign(found) if found else None

    def campaign_state(self, campaign_id: str) -> tuple[str, str] | None:
        return self._states.get(campaign_id)

    def campaigns(self, account_id: str) -> list[Campaign]:
        found = [_campaign(c) for (owner, _), c in self._campaigns.items() if owner == account_id]
        return sorted(found, key=lambda c: c.created_at, reverse=True)

    def due(self, now: datetime) -> list[tuple[str, str]]:
        """Scheduled campaigns whose time has come, the earliest first (the due index)."""
        found = [c for c in self._campaigns.values()
                 if c.state is CampaignState.SCHEDULED and c.send_at is not None and c.send_at <= utc(now)]
        return [(c.account_id, c.campaign_id) for c in sorted(found, key=lambda c: c.send_at)]

    def sending(self) -> list[tuple[str, str]]:
        """Campaigns being sent, the earliest started first (the same index)."""
        found = [c for c in self._campaigns.values() if c.state is CampaignState.SENDING]
        return [(c.account_id, c.campaign_id) for c in sorted(found, key=lambda c: c.started_at or c.updated_at)]

    # --- fan-out pages ---------------------------------------------------------------------------

    def save_page(self, campaign_id: str, page: int, contact_ids: list[str], next_cursor: str | None) -> None:
        self._pages[campaign_id, page] = FanoutPage(list(contact_ids), next_cursor)

    def get_page(self, campaign_id: str, page: int):
        found = self._pages.get((campaign_id, page))
        return FanoutPage(list(found.contact_ids), found.next_cursor) if found else None

    def erase_account(self, account_id: str) -> int:
        campaign_ids = {cid for (owner, cid) in self._campaigns if owner == account_id}
        erased = 0
        for store, mine in ((self._templates, lambda key: key[0] == account_id),
                            (self._campaigns, lambda key: key[0] == account_id),
                            (self._states, lambda key: key in campaign_ids),
                            (self._pages, lambda key: key[0] in campaign_ids),
                            (self._engaged, lambda key: key[0] in campaign_ids),
                            (self._counters, lambda key: key[1] in campaign_ids if key[0] == "CAMPAIGN"
                             else key[1] == account_id)):
            for key in [k for k in store if mine(k)]:
                del store[key]
                erased += 1
        return erased

    # --- counters, opens and clicks ----------------------------------------------------------------

    def _add(self, key: tuple, counts: dict[str, int]) -> None:
        counters = self._counters.setdefault(key, {})
        for name, count in counts.items():
            counters[name] = counters.get(name, 0) + int(count)

    def record_engagement(self, campaign_id: str, kind: str, contact_id: str, link_index: int | None = None) -> bool:
        sort_key = f"OPEN#{contact_id}" if kind == "open" else f"CLICK#{contact_id}#{link_index}"
        first = (campaign_id, sort_key) not in self._engaged
        if first:
            self._engaged[campaign_id, sort_key] = _now().isoformat()
        counter = "opens" if kind == "open" else f"clicks_{link_index}"
        clicker = kind != "open" and first and (campaign_id, f"CLICKED#{contact_id}") not in self._engaged
        if clicker:
            self._engaged[campaign_id, f"CLICKED#{contact_id}"] = _now().isoformat()
        self._add(("CAMPAIGN", campaign_id), {counter: 1, f"{kind}s@{_now():%Y%m%d%H}": 1,
                                              **({f"unique_{counter}": 1} if first else {}),
                                              **({"unique_clickers": 1} if clicker else {})})
        return first

    def add_counts(self, campaign_id: str, counts: dict[str, int]) -> None:
        self._add(("CAMPAIGN", campaign_id), counts)

    def engagement(self, campaign_id: str) -> dict[str, int]:
        return dict(self._counters.get(("CAMPAIGN", campaign_id), {}))

    def record_test_send(self, campaign_id: str, to: str, at: datetime) -> None:
        self._engaged[campaign_id, "TESTSENT"] = f"{to}\n{utc(at).isoformat()}"

    def last_test_send(self, campaign_id: str) -> tuple[str, datetime] | None:
        found = self._engaged.get((campaign_id, "TESTSENT"))
        if found is None:
            return None
        to, at = found.split("\n")
        return to, datetime.fromisoformat(at)

    def add_usage(self, account_id: str, month: str, counts: dict[str, int]) -> None:
        self._add(("USAGE", account_id, month), counts)

    def usage(self, account_id: str, month: str) -> dict[str, int]:
        return dict(self._counters.get(("USAGE", account_id, month), {}))

    def usage_months(self, account_id: str) -> dict[str, dict[str, int]]:
        return {key[2]: dict(counts) for key, counts in self._counters.items()
                if key[0] == "USAGE" and key[1] == account_id}

    def sending_totals(self, account_id: str) -> dict[str, int]:
        totals = dict.fromkeys(("sent", "bounced", "tracked_sent", "tracked_bounced", "unique_opens"), 0)
        for (owner, campaign_id), campaign in self._campaigns.items():
            if owner != account_id or campaign.started_at is None:
                continue
            counters = self._counters.get(("CAMPAIGN", campaign_id), {})
            sent = sum(count for name, count in counters.items() if name.startswith("sents@"))
            totals["sent"] += sent
            totals["bounced"] += counters.get("bounced", 0)
            if campaign.tracking:
                totals["tracked_sent"] += sent
                totals["tracked_bounced"] += counters.get("bounced", 0)
                totals["unique_opens"] += counters.get("unique_opens", 0)
        return totals

    def contact_engagement(self, contact_id: str, campaigns: list) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for campaign in campaigns:
            keys = [f"OPEN#{contact_id}"] + [f"CLICK#{contact_id}#{i}"
                                             for i in range(len((campaign.content or {}).get("links", [])))]
            for sort_key in keys:
                at = self._engaged.get((campaign.campaign_id, sort_key))
                if at is None:
                    continue
                entry = found.setdefault(campaign.campaign_id, {"opened": None, "clicked": []})
                if sort_key.startswith("OPEN#"):
                    entry["opened"] = at
                else:
                    entry["clicked"].append(int(sort_key.rsplit("#", 1)[1]))
        return found

    def forget_engagement(self, contact_id: str, campaigns: list) -> None:
        for campaign_id, entry in self.contact_engagement(contact_id, campaigns).items():
            self._engaged.pop((campaign_id, f"OPEN#{contact_id}"), None)
            for index in entry["clicked"]:
                self._engaged.pop((campaign_id, f"CLICK#{contact_id}#{index}"), None)
            self._engaged.pop((campaign_id, f"CLICKED#{contact_id}"), None)
