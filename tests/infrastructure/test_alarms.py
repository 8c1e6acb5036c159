"""Operators hear about trouble (P8, P11): every function alarms on errors and on throttles, the
account's SES reputation alarms before AWS acts on it (bounces above 5%, complaints above 0.1%),
and every alarm notifies the one encrypted operators' topic."""

import pytest

from tests.infrastructure.conftest import functions, resources_of_type


@pytest.fixture(scope="module")
def alarms(template):
    return resources_of_type(template, "AWS::CloudWatch::Alarm")


def lambda_alarms(alarms, metric):
    return {a["Properties"]["Dimensions"][0]["Value"].get("Ref") for a in alarms.values()
            if a["Properties"].get("Namespace") == "AWS/Lambda" and a["Properties"]["MetricName"] == metric
            and a["Properties"]["Dimensions"][0]["Name"] == "FunctionName"}


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_alarms_when_it_fails_or_is_throttled(template, alarms, metric):
    # GIVEN every function of the packaged template
    names = set(functions(template))
    assert "APIHandler" in names and "OnMailMessage" in names
    # THEN each one has an alarm on the metric, for a single occurrence
    assert sorted(names - lambda_alarms(alarms, metric)) == []
    for alarm in alarms.values():
        if alarm["Properties"].get("MetricName") == metric:
            assert alarm["Properties"]["Threshold"] == 0
            assert alarm["Properties"]["ComparisonOperator"] == "GreaterThanThreshold"


@pytest.mark.parametrize("metric, threshold", [("Reputation.BounceRate", 0.05),
                                               ("Reputation.ComplaintRate", 0.001)])
def test_account_reputation_alarms_when_ses_rates_rise(alarms, metric, threshold):
    # GIVEN the alarms on SES's reputation metrics
    found = [a["Properties"] for a in alarms.values()
             if a["Properties"].get("Namespace") == "AWS/SES" and a["Properties"]["MetricName"] == metric]
    # THEN the account-wide rate (no dimensions) alarms above the threshold
    assert len(found) == 1
    assert found[0]["Threshold"] == threshold
    assert found[0]["ComparisonOperator"] == "GreaterThanThreshold"
    assert not found[0].get("Dimensions")


def test_every_alarm_notifies_the_encrypted_operators_topic(template, alarms):
    # GIVEN the operators' topic
    topics = {name for name, t in resources_of_type(template, "AWS::SNS::Topic").items()
              if t["Properties"]["TopicName"] == "mailexpert-operators"}
    assert len(topics) == 1
    topic = topics.pop()
    assert template["Resources"][topic]["Properties"].get("KmsMasterKeyId")
    # THEN every alarm, the queue-depth ones included, sends to it
    assert sorted(name for name, a in alarms.items()
                  if a["Properties"].get("AlarmActions") != [{"Ref": topic}]) == []
