"""What the notices domain keeps of an account holder, for their data export and erasure (the data
rights of `chalicelib.accounts.data_rights`): which policy notices were mailed to them and what became
of each, and which policy banners they dismissed."""

from chalicelib.notices.policy import PolicyStatus
from chalicelib.notices.policy_notice import POLICY_KIND, WITHDRAWAL_KIND


class NoticesData:
    def __init__(self, policy, broadcasts):
        self._policy = policy  # `PolicyService`
        self._broadcasts = broadcasts  # () -> `BroadcastEngine` (built only when needed)

    def _announced(self) -> list:
        return [v for v in self._policy.versions() if v.status is not PolicyStatus.DRAFT and v.announced_at]

    def export(self, account) -> dict:
        broadcasts = self._broadcasts()
        notices = []
        for version in self._announced():
            for kind in (POLICY_KIND, WITHDRAWAL_KIND):
                state = broadcasts.state_of(kind, version.message_id, account.account_id)
                if state is not None:
                    notices.append({"policy_version": version.number, "notice": kind, "state": state.value})
        return {"policy_notices.json": notices, "dismissed_policy_banners.json": self._policy.dismissed_banners(account)}

    def erase(self, account) -> None:
        broadcasts = self._broadcasts()
        for version in self._announced():
            for kind in (POLICY_KIND, WITHDRAWAL_KIND):
                broadcasts.forget(kind, version.message_id, account.account_id)
        self._policy.forget(account)
