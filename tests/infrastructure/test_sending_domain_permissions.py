"""The IAM policies behind sending domains: the API manages SES identities (and sends test mail from
any of them); the campaign senders send from any identity of the AWS account, not only the shared one."""

import json
import os

from tests.conftest import PROJECT_DIR


def _statements(policy_file):
    with open(os.path.join(PROJECT_DIR, ".chalice", policy_file), encoding="utf-8") as file:
        return json.load(file)["Statement"]


def _allowed(policy_file, action):
    """The resources a policy allows an action on."""
    return {resource for statement in _statements(policy_file) if statement["Effect"] == "Allow"
            and action in statement["Action"] for resource in statement["Resource"]}


def test_api_manages_the_identities_of_sending_domains():
    # GIVEN the API function's policy WHEN we read what it may do with SES identities
    for action in ("ses:CreateEmailIdentity", "ses:GetEmailIdentity", "ses:DeleteEmailIdentity",
                   "ses:PutEmailIdentityMailFromAttributes", "ses:SendEmail"):
        # THEN it may, on identities only
        assert "arn:aws:ses:*:*:identity/*" in _allowed("policy-api.json", action), action


def test_campaign_senders_send_from_any_identity_of_the_account():
    assert "arn:aws:ses:*:*:identity/*" in _allowed("policy-campaign-sender.json", "ses:SendEmail")
