"""The deployable template: what `make package` builds from app.py, .chalice/ and infra/template.json.

Packages the `dev` stage once per test session (tests/infrastructure/conftest.py) with
`chalice package --merge-template`, as `make package` does, and checks the result the way a
reviewer of production infrastructure would: it lints clean, exposes no dev route, declares every
resource the code is told about, and keeps data private, encrypted, backed up and recoverable.
"""

import glob
import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import CHALICE_CONFIG, PROJECT_DIR

BIN_DIR = os.path.dirname(sys.executable)
PACKAGED_STAGE = "dev"
MIN_VISIBILITY_TIMEOUT_FACTOR = 6  # AWS's guidance for queues that feed a Lambda function
CFN_LINT_ERROR_BITS = 1 | 2  # cfn-lint's exit code is a bit mask: 1 crash, 2 error, 4 warning, 8 info
# How the code learns a resource's name from the environment, and where the template declares it.
NAMED_RESOURCE_KINDS = (
    (re.compile(r"_TABLE$"), "AWS::DynamoDB::Table", "TableName"),
    (re.compile(r"_QUEUE_NAME$"), "AWS::SQS::Queue", "QueueName"),
    (re.compile(r"_TOPIC_NAME$"), "AWS::SNS::Topic", "TopicName"),
    (re.compile(r"^SES_(CAMPAIGN_)?CONFIGURATION_SET$"), "AWS::SES::ConfigurationSet", "Name"),
)
WILDCARD_ACTION = re.compile(r"^(\*|[a-z0-9-]+:\*)$")
MAX_LOG_RETENTION_DAYS = 90  # logs hold IP addresses (P6): kept for a limited time


def resources_of_type(template, resource_type):
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == resource_type}


def functions(template):
    return resources_of_type(template, "AWS::Serverless::Function")


def function_timeout(template, function):
    return function["Properties"].get("Timeout", template.get("Globals", {}).get("Function", {}).get("Timeout", 3))


def sqs_event_sources(template):
    """(function logical id, event source properties, queue name) for every SQS-fed function."""
    found = []
    for name, function in functions(template).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                queue_arn = event["Properties"]["Queue"]
                queue_arn = queue_arn.get("Fn::Sub", queue_arn) if isinstance(queue_arn, dict) else queue_arn
                found.append((name, event["Properties"], queue_arn.rsplit(":", 1)[-1]))
    return found


def queue_by_name(template, queue_name):
    """(logical id, resource) of the queue the template declares under `queue_name`."""
    matches = [(logical_id, queue) for logical_id, queue in resources_of_type(template, "AWS::SQS::Queue").items()
               if queue["Properties"].get("QueueName") == queue_name]
    assert matches, f"no queue named {queue_name} in the template"
    return matches[0]


def get_att_target(value):
    return value["Fn::GetAtt"][0] if isinstance(value, dict) and "Fn::GetAtt" in value else None


def config_environment():
    return {**CHALICE_CONFIG.get("environment_variables", {}),
            **CHALICE_CONFIG["stages"][PACKAGED_STAGE].get("environment_variables", {})}


def policy_files():
    return sorted(glob.glob(os.path.join(PROJECT_DIR, ".chalice", "policy-*.json")))


# --- the template as a whole -------------------------------------------------------------------

def test_cfn_lint_reports_no_errors_when_linting_the_package(package_dir):
    # GIVEN the packaged SAM template
    # WHEN cfn-lint checks it
    completed = subprocess.run([os.path.join(BIN_DIR, "cfn-lint"), str(package_dir / "sam.json")],
                               capture_output=True, text=True, check=False)
    print(completed.stdout, completed.stderr)
    # THEN it finds no errors (warnings and informational findings are printed, not fatal)
    assert completed.returncode & CFN_LINT_ERROR_BITS == 0, \
        f"cfn-lint exit code {completed.returncode}:\n{completed.stdout}{completed.stderr}"


def test_api_exposes_no_dev_route_when_packaged_for_dev(template):
    # GIVEN the REST API that chalice generated for the dev stage
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    # WHEN we look for the local-only routes (outbox, jobs, test mail)
    dev_paths = [path for path in paths if path == "/dev" or path.startswith("/dev/")]
    # THEN there are none
    assert paths, "the API has no routes at all"
    assert dev_paths == []


def test_lambda_bundle_carries_no_local_tools_when_packaged(package_dir):
    import zipfile

    # GIVEN the deployment zip that chalice built
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        names = bundle.namelist()
    # WHEN we look for the local stack and its tools (outbox, mailbox simulator, /dev pages)
    local_only = [name for name in names if name.startswith(("devstack/", "chalicelib/devtools/", "tests/"))
                  or "/templates/dev/" in name]
    # THEN the bundle holds the app but none of them
    assert "app.py" in names and "chalicelib/campaigns/routes.py" in names
    assert local_only == []


# --- queues ------------------------------------------------------------------------------------

def test_sqs_fed_functions_report_partial_batch_failures_when_packaged(template):
    # GIVEN every function that Lambda feeds from an SQS queue
    sources = sqs_event_sources(template)
    assert "OnMailMessage" in {name for name, _, _ in sources}
    # WHEN we read their event source settings
    without = [name for name, properties, _ in sources
               if "ReportBatchItemFailures" not in properties.get("FunctionResponseTypes", [])]
    # THEN each one reports which records failed, so only those are retried
    assert without == []


def test_sqs_fed_functions_depend_on_their_queue_when_packaged(template):
    # GIVEN every function fed by an SQS queue that the template declares
    resources = template["Resources"]
    missing = []
    for name, _, queue_name in sqs_event_sources(template):
        queue_id, _ = queue_by_name(template, queue_name)
        # WHEN we read the function's DependsOn
        depends_on = resources[name].get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
        if queue_id not in depends_on:
            missing.append((name, queue_id))
    # THEN CloudFormation creates the queue before the event source mapping that refers to it by name
    assert missing == []
    assert "MailQueue" in resources["OnMailMessage"]["DependsOn"]


def test_work_queues_have_a_redrive_policy_when_not_a_dead_letter_queue(template):
    # GIVEN the queues, and which of them serve as dead-letter queues (for queues or functions)
    queues = resources_of_type(template, "AWS::SQS::Queue")
    dead_letter_queues = {get_att_target(q["Properties"].get("RedrivePolicy", {}).get("deadLetterTargetArn"))
                          for q in queues.values()}
    dead_letter_queues |= {get_att_target(f["Properties"].get("DeadLetterQueue", {}).get("TargetArn"))
                           for f in functions(template).values()}
    # WHEN we look at the other queues
    work_queues = set(queues) - dead_letter_queues
    # THEN each one moves messages that keep failing to a dead-letter queue
    assert work_queues, "no work queues found"
    assert sorted(q for q in work_queues if "RedrivePolicy" not in queues[q]["Properties"]) == []


def test_queue_visibility_timeout_is_six_times_the_function_timeout_when_feeding_a_function(template):
    # GIVEN every queue that feeds a function, and that function's timeout
    too_short = []
    for name, _, queue_name in sqs_event_sources(template):
        queue_id, queue = queue_by_name(template, queue_name)
        timeout = function_timeout(template, functions(template)[name])
        # WHEN we compare the queue's visibility timeout with it
        visibility = queue["Properties"].get("VisibilityTimeout", 30)
        if visibility < MIN_VISIBILITY_TIMEOUT_FACTOR * timeout:
            too_short.append((queue_id, visibility, name, timeout))
    # THEN a message stays hidden long enough for Lambda's retries of one batch
    assert too_short == []


# --- data at rest ------------------------------------------------------------------------------

def test_tables_are_on_demand_recoverable_and_encrypted_when_declared(template):
    # GIVEN every DynamoDB table in the template
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    assert tables
    for name, table in tables.items():
        properties = table["Properties"]
        # THEN it bills per request, keeps point-in-time recovery and is encrypted with SSE
        assert properties.get("BillingMode") == "PAY_PER_REQUEST", name
        assert properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled") is True, name
        assert properties.get("SSESpecification", {}).get("SSEEnabled") is True, name


def test_buckets_are_encrypted_and_block_public_access_when_declared(template):
    # GIVEN every S3 bucket in the template
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    assert buckets
    for name, bucket in buckets.items():
        properties = bucket["Properties"]
        # THEN its objects are encrypted by default
        rules = properties.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
        assert any(rule.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for rule in rules), name
        # AND all four public-access-block flags are on
        block = properties.get("PublicAccessBlockConfiguration", {})
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")
        assert {flag: block.get(flag) for flag in flags} == dict.fromkeys(flags, True), name


# --- names the code relies on ------------------------------------------------------------------

def test_every_resource_name_in_the_config_is_declared_when_packaged(template):
    # GIVEN the resource names that .chalice/config.json hands to the code
    environment = config_environment()
    named = {variable: (resource_type, name_property)
             for variable in environment
             for pattern, resource_type, name_property in NAMED_RESOURCE_KINDS if pattern.search(variable)}
    assert {"MAIL_EVENTS_TABLE", "JOB_RUNS_TABLE", "MAIL_QUEUE_NAME", "SES_EVENTS_TOPIC_NAME",
            "SES_CONFIGURATION_SET"} <= set(named)
    # WHEN we look each one up among the template's resources of the matching type
    undeclared = {variable: environment[variable] for variable, (resource_type, name_property) in named.items()
                  if environment[variable] not in {r["Properties"].get(name_property)
                                                   for r in resources_of_type(template, resource_type).values()}}
    # THEN every one is declared, so the deployed code never names a resource that does not exist
    assert undeclared == {}


def test_event_source_names_match_the_config_when_fixed_in_code():
    # GIVEN the names that chalicelib/resources.py fixes for Chalice's event-source decorators
    from chalicelib import resources

    environment = config_environment()
    # THEN they are the names the config gives the code (and so, by the test above, the template)
    assert resources.MAIL_QUEUE == environment["MAIL_QUEUE_NAME"]
    assert resources.SES_EVENTS_TOPIC == environment["SES_EVENTS_TOPIC_NAME"]


def test_every_function_gets_the_bucket_names_when_deployed(template):
    # GIVEN the SAM Globals, which apply to every function
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    buckets = resources_of_type(template, "AWS::S3::Bucket")
    # THEN they pass each bucket's real name (a Ref to the bucket), which no function overrides
    for variable in ("ASSETS_BUCKET", "EXPORTS_BUCKET"):
        assert variable in variables
        assert variables[variable].get("Ref") in buckets, variable
        for name, function in functions(template).items():
            assert variable not in function["Properties"].get("Environment", {}).get("Variables", {}), (name, variable)


# --- permissions, schedules, logs --------------------------------------------------------------

def test_every_function_has_its_own_role_when_packaged(template):
    # GIVEN every function and the IAM roles of the template
    roles = resources_of_type(template, "AWS::IAM::Role")
    role_of = {name: get_att_target(function["Properties"].get("Role")) for name, function in
               functions(template).items()}
    # THEN each function runs under a role of its own, declared in the template
    assert all(role in roles for role in role_of.values()), role_of
    assert len(set(role_of.values())) == len(role_of), role_of


@pytest.mark.parametrize("policy_path", policy_files(), ids=os.path.basename)
def test_policy_grants_no_wildcard_actions_when_written(policy_path):
    # GIVEN one of the IAM policy files that .chalice/config.json assigns to the functions
    with open(policy_path, encoding="utf-8") as file:
        statements = json.load(file)["Statement"]
    # WHEN we list the actions it allows
    actions = [action for statement in statements if statement["Effect"] == "Allow"
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])]
    # THEN each one is named: no "*" and no "service:*"
    assert actions
    assert [action for action in actions if WILDCARD_ACTION.match(action)] == []


def test_daily_backup_runs_on_a_cron_schedule_when_deployed(template):
    # GIVEN the function behind app.daily_backup
    daily_backup = next(f for f in functions(template).values() if f["Properties"]["Handler"] == "app.daily_backup")
    # WHEN we read its events
    schedules = [e["Properties"]["Schedule"] for e in daily_backup["Properties"].get("Events", {}).values()
                 if e["Type"] == "Schedule"]
    # THEN EventBridge fires it on a cron expression
    assert len(schedules) == 1
    assert re.fullmatch(r"cron\(\S+( \S+){5}\)", schedules[0]), schedules[0]


def test_usage_recount_runs_weekly_under_its_own_policy_when_deployed(template):
    # GIVEN the function behind app.usage_recount
    recount = next(f for f in functions(template).values() if f["Properties"]["Handler"] == "app.usage_recount")
    # WHEN we read its events
    schedules = [e["Properties"]["Schedule"] for e in recount["Properties"].get("Events", {}).values()
                 if e["Type"] == "Schedule"]
    # THEN EventBridge fires it once a week, on Sunday at 04:00 UTC, with the jobs function's time to work
    assert schedules == ["cron(0 4 ? * SUN *)"]
    assert recount["Properties"]["Timeout"] == 900
    # AND it may read the accounts' ids only, not their personal data
    role = template["Resources"][get_att_target(recount["Properties"]["Role"])]
    statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
    [scan] = [s for s in statements if "dynamodb:Scan" in s["Action"]]
    assert scan["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"] == ["pk", "account_id"]


def test_log_groups_expire_entries_when_declared(template):
    # GIVEN every log group of the template: the functions' and the API's access log
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
    assert "ApiAccessLogGroup" in log_groups and "ApiHandlerLogGroup" in log_groups
    # THEN each one keeps its entries (which hold IP addresses, P6) for a limited number of days
    assert [name for name, group in log_groups.items() if not group["Properties"].get("RetentionInDays")] == []
    assert {name: group["Properties"]["RetentionInDays"] for name, group in log_groups.items()
            if group["Properties"]["RetentionInDays"] > MAX_LOG_RETENTION_DAYS} == {}


def test_api_stage_writes_its_access_log_to_a_log_group_with_retention_when_deployed(template):
    # GIVEN the REST API's stage settings and the API Gateway account settings
    resources = template["Resources"]
    access_log = resources["RestAPI"]["Properties"].get("AccessLogSetting", {})
    # THEN the stage writes an access log to a log group of the template (which has a retention, above)
    target = get_att_target(access_log.get("DestinationArn"))
    assert resources.get(target, {}).get("Type") == "AWS::Logs::LogGroup", access_log
    # AND each line says which request, from which IP, what route, status and latency ...
    fields = set(re.findall(r"\$context\.[\w.]+", access_log["Format"]))
    assert {"$context.requestId", "$context.identity.sourceIp", "$context.resourcePath", "$context.status",
            "$context.responseLatency"} <= fields
    # ... but not the path as requested (it holds the tokens of unsubscribe and tracking links), the
    # query string, the user agent or who is signed in
    assert fields.isdisjoint({"$context.path", "$context.identity.userAgent", "$context.authorizer.principalId",
                              "$context.identity.user", "$context.identity.caller"}), fields
    # AND API Gateway may write to CloudWatch Logs (an account setting), set before the stage is made
    role = resources[get_att_target(resources["ApiGatewayAccount"]["Properties"]["CloudWatchRoleArn"])]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == \
        {"Service": "apigateway.amazonaws.com"}
    assert "ApiGatewayAccount" in resources["RestAPI"].get("DependsOn", [])


def test_every_function_has_its_log_group_when_deployed(template):
    # GIVEN the log groups of the template, by the function they are named after
    named_after = {re.sub(r"^/aws/lambda/\$\{(\w+)\}$", r"\1", name.get("Fn::Sub", ""))
                   for name in (group["Properties"].get("LogGroupName")
                                for group in resources_of_type(template, "AWS::Logs::LogGroup").values())
                   if isinstance(name, dict)}
    # THEN every function's log group is declared (so it gets the retention, not Lambda's default of forever)
    assert sorted(set(functions(template)) - named_after) == []
