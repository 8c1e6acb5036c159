"""The notice e-mails of a new privacy policy version (P17), as broadcast kinds: its announcement,
and, when it is withdrawn before its date, the withdrawal (told to the same people).

Who: every account whose data we hold with a confirmed address, active or deactivated (a
deactivated account's data is still ours to process, so the change concerns it), registered before
the version was announced; those who register later see the coming change when they sign up. It is
a service message: the holder's marketing choice does not stop it, and it carries no unsubscribe
link. Sent only while the version is pending: a withdrawn version, or one in force, sends no more.
"""

from datetime import date

from chalicelib import errors, i18n
from chalicelib.delivery.mail import OutgoingMail
from chalicelib.delivery.broadcast import Audience
from chalicelib.notices.policy import PolicyStatus
from chalicelib.template_environments import mails

POLICY_KIND = "policy"
WITHDRAWAL_KIND = "policy-withdrawn"
TEMPLATE = "policy_notice"
WITHDRAWAL_TEMPLATE = "policy_withdrawn"
MONTHS = {"nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                 "november", "december"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")}


def long_date(day: date, language: str) -> str:
    """1 februari 2027 / 1 February 2027."""
    return f"{day.day} {MONTHS.get(language, MONTHS['en'])[day.month - 1]} {day.year}"


class PolicyNotices:
    """`BroadcastKind` of policy notices: the message id is the version number."""

    audience = Audience.HELD_CONFIRMED

    def __init__(self, policy, public_base_url: str):
        self._policy = policy  # `PolicyService`
        self._base_url = public_base_url.rstrip("/")

    def message(self, message_id: str) -> "PolicyNotice | None":
        try:
            version = self._policy.get(int(message_id))
        except (ValueError, errors.NotFound):
            return None
        if not version.pending_at(self._policy.now()):
            return None
        return PolicyNotice(version, self._base_url)


class PolicyWithdrawals:
    """`BroadcastKind` of withdrawal notices: to everyone the announcement reached (or may have: a
    notice whose outcome is unknown counts), while the date the withdrawn version would have taken
    effect has not come (after that, the news is stale)."""

    audience = Audience.HELD_CONFIRMED

    def __init__(self, policy, public_base_url: str, noticed):
        self._policy = policy
        self._base_url = public_base_url.rstrip("/")
        self._noticed = noticed  # (message id, account id) -> whether the announcement reached the account

    def message(self, message_id: str) -> "PolicyNotice | None":
        try:
            version = self._policy.get(int(message_id))
        except (ValueError, errors.NotFound):
            return None
        if version.status is not PolicyStatus.WITHDRAWN or version.effective_at <= self._policy.now():
            return None
        return PolicyNotice(version, self._base_url, WITHDRAWAL_TEMPLATE,
                            includes=lambda account: self._noticed(message_id, account.account_id))


class PolicyNotice:
    def __init__(self, version, base_url: str, template: str = TEMPLATE, includes=None):
        self._version = version
        self._base_url = base_url
        self._template = template
        self._includes = includes
        self._env = mails()

    def includes(self, account) -> bool:
        if account.created_at >= self._version.announced_at:
            return False
        return self._includes is None or self._includes(account)

    def render(self, account) -> OutgoingMail:
        version = self._version
        with i18n.use_language(account.language) as language:
            context = {"name": account.name, "number": version.number, "language": language,
                       "effective_date": long_date(version.effective_on, language),
                       "privacy_url": f"{self._base_url}/privacy" + ("#changes" if self._template == TEMPLATE else ""),
                       "settings_url": f"{self._base_url}/settings"}
            subject = self._env.get_template(f"mail/{self._template}.subject.txt").render(context)
            text = self._env.get_template(f"mail/{self._template}.txt").render(context)
            html = self._env.get_template(f"mail/{self._template}.html").render(context)
        return OutgoingMail(to=(account.email,), subject=" ".join(subject.split()), text=text, html=html,
                            tags={"template": self._template, "account": account.account_id,
                                  "policy": str(version.number)})
