"""Creates the AWS resources on moto from the same `infra/template.json` that deploys to AWS.

moto's CloudFormation builds the tables, queues, topic and buckets. What it accepts but does not
build (SES identities and configuration sets) is applied through the SES API from the same
declarations. Entries that are only fragments for `chalice package --merge-template` (no
`Type`) and SAM-only sections are left out: moto would fail on them.
"""

import json
import os

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE_PATH = os.path.join(PROJECT_DIR, "infra", "template.json")
STACK_NAME = "mailexpert"
# Types moto's CloudFormation accepts but does not build. SES identities and configuration sets
# are applied below through the SES API; the event destination is played by the local mailbox
# simulator; topic policies and alarms have no local effect. moto's CloudFormation has no bucket
# policies and no AWS Backup (the local stage backs up through the table export job alone), and
# GuardDuty has no local counterpart (the local malware scanner, chalicelib/scanning.py, stands in).
# moto's CloudFormation cannot build WAFv2 web ACLs, and the local API (chalice.local) has no API
# Gateway stage to associate one with. The KMS key and its alias are built, and moto keeps the
# encryption settings of tables, queues, topics and buckets as declared: no local workaround needed.
NOT_BUILT_BY_MOTO = ("AWS::SES::EmailIdentity", "AWS::SES::ConfigurationSet",
                     "AWS::SES::ConfigurationSetEventDestination", "AWS::SNS::TopicPolicy",
                     "AWS::CloudWatch::Alarm", "AWS::SecretsManager::Secret", "AWS::S3::BucketPolicy",
                     "AWS::Backup::BackupVault", "AWS::Backup::BackupPlan", "AWS::Backup::BackupSelection",
                     "AWS::GuardDuty::MalwareProtectionPlan", "AWS::WAFv2::WebACL",
                     "AWS::WAFv2::WebACLAssociation", "AWS::ApiGateway::Account")
# Locally a generated secret would change at every restart and break the links in mails already
# in the outbox; a fixed one serves, since nothing local is worth protecting.
LOCAL_SECRET_VALUE = "local-only-signing-key-not-for-any-real-use"


def load_template(path: str = TEMPLATE_PATH) -> dict:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def resources_of_type(template: dict, resource_type: str) -> dict:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == resource_type}


def cloudformation_part(template: dict) -> dict:
    """The plain CloudFormation that moto can build: typed resources, no SAM globals."""
    resources = {name: r for name, r in template["Resources"].items()
                 if "Type" in r and not r["Type"].startswith("AWS::Serverless::")
                 and r["Type"] not in NOT_BUILT_BY_MOTO}
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def create_resources(session, endpoint_url: str, template: dict | None = None) -> None:
    template = template or load_template()
    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    existing = {s["StackName"] for s in cloudformation.describe_stacks().get("Stacks", [])}
    if STACK_NAME not in existing:
        cloudformation.create_stack(StackName=STACK_NAME, TemplateBody=json.dumps(cloudformation_part(template)))
        status = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"]
        if status != "CREATE_COMPLETE":
            raise RuntimeError(f"local stack not created: {status}")
    ses = session.client("sesv2", endpoint_url=endpoint_url)
    for resource in resources_of_type(template, "AWS::SES::ConfigurationSet").values():
        name = resource["Properties"]["Name"]
        if name not in ses.list_configuration_sets().get("ConfigurationSets", []):
            ses.create_configuration_set(ConfigurationSetName=name)
    secrets = session.client("secretsmanager", endpoint_url=endpoint_url)
    existing_secrets = {s["Name"] for s in secrets.list_secrets().get("SecretList", [])}
    for resource in resources_of_type(template, "AWS::SecretsManager::Secret").values():
        if resource["Properties"]["Name"] not in existing_secrets:
            secrets.create_secret(Name=resource["Properties"]["Name"], SecretString=LOCAL_SECRET_VALUE)
    known = {i["IdentityName"] for i in ses.list_email_identities().get("EmailIdentities", [])}
    for resource in resources_of_type(template, "AWS::SES::EmailIdentity").values():
        identity = resource["Properties"]["EmailIdentity"]
        if identity not in known:
            ses.create_email_identity(EmailIdentity=identity)


def table_names(template: dict) -> list[str]:
    return [r["Properties"]["TableName"] for r in resources_of_type(template, "AWS::DynamoDB::Table").values()]


def bucket_names(template: dict, account_id: str, region: str) -> list[str]:
    names = []
    for resource in resources_of_type(template, "AWS::S3::Bucket").values():
        name = resource["Properties"]["BucketName"]
        if isinstance(name, dict):
            name = name["Fn::Sub"].replace("${AWS::AccountId}", account_id).replace("${AWS::Region}", region)
        names.append(name)
    return names
