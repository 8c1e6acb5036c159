"""A WAFv2 web ACL guards the API stage (P8): AWS's managed rule groups (common, known bad
inputs, IP reputation), a rate limit per address for everything, and a tighter one for sign-in,
sign-up, the public sign-up forms and the tracking beacons."""

import pytest

from tests.infrastructure.conftest import resources_of_type

MANAGED_GROUPS = {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                  "AWSManagedRulesAmazonIpReputationList"}
SENSITIVE_PATHS = ("/login", "/register", "/f/", "/t/")


@pytest.fixture(scope="module")
def web_acl(template):
    acls = resources_of_type(template, "AWS::WAFv2::WebACL")
    assert len(acls) == 1, sorted(acls)
    return next(iter(acls.items()))


def rate_rules(web_acl):
    _, acl = web_acl
    return [r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]]


def scoped_paths(rule):
    scope = rule["Statement"]["RateBasedStatement"].get("ScopeDownStatement")
    if scope is None:
        return None
    statements = scope["OrStatement"]["Statements"] if "OrStatement" in scope else [scope]
    return {s["ByteMatchStatement"]["SearchString"] for s in statements
            if s["ByteMatchStatement"]["FieldToMatch"] == {"UriPath": {}}}


def test_web_acl_applies_the_managed_rule_groups_when_packaged(web_acl):
    # GIVEN the regional web ACL
    _, acl = web_acl
    assert acl["Properties"]["Scope"] == "REGIONAL"
    # WHEN we list the managed rule groups it applies
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Properties"]["Rules"]
              if r["Statement"].get("ManagedRuleGroupStatement", {}).get("VendorName") == "AWS"}
    # THEN AWS's common, known-bad-inputs and IP reputation groups are all there, and they block
    assert groups >= MANAGED_GROUPS
    assert all(r.get("OverrideAction") == {"None": {}} for r in acl["Properties"]["Rules"]
               if "ManagedRuleGroupStatement" in r["Statement"])


def test_web_acl_limits_every_address_when_packaged(web_acl):
    # GIVEN the rate-based rules
    unscoped = [r for r in rate_rules(web_acl) if scoped_paths(r) is None]
    # THEN one of them blocks any address that sends too many requests, whatever the path
    assert len(unscoped) == 1
    assert unscoped[0]["Action"] == {"Block": {}}
    assert unscoped[0]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"


def test_web_acl_limits_sign_in_sign_up_forms_and_beacons_tighter_when_packaged(web_acl):
    # GIVEN the rate-based rules
    rules = rate_rules(web_acl)
    overall = next(r for r in rules if scoped_paths(r) is None)
    tight = [r for r in rules if scoped_paths(r) is not None]
    # THEN one scoped rule covers /login, /register, /f/ and the beacons under /t/ ...
    assert len(tight) == 1
    assert set(SENSITIVE_PATHS) <= scoped_paths(tight[0])
    # ... with a lower limit than the overall one, and it blocks
    assert tight[0]["Action"] == {"Block": {}}
    assert (tight[0]["Statement"]["RateBasedStatement"]["Limit"]
            < overall["Statement"]["RateBasedStatement"]["Limit"])


def test_tight_limit_counts_per_address_and_path_when_mail_proxies_fetch_many_beacons(web_acl):
    # GIVEN the tight rule (mail providers' image proxies and link scanners fetch the beacons and
    # links of many recipients from a few addresses: each has its own token, so its own path)
    tight = next(r for r in rate_rules(web_acl) if scoped_paths(r) is not None)
    statement = tight["Statement"]["RateBasedStatement"]
    # THEN it counts requests per address and exact path: /login from one address is limited,
    # a proxy fetching thousands of different beacons is not (the overall limit still applies)
    assert statement["AggregateKeyType"] == "CUSTOM_KEYS"
    assert [next(iter(key)) for key in statement["CustomKeys"]] == ["IP", "UriPath"]


def test_tightly_limited_paths_are_routes_of_the_api_when_packaged(template):
    # GIVEN the routes of the packaged REST API
    paths = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    # THEN each path the tight rule names is the start of a real route (so a renamed route shows here)
    assert [p for p in SENSITIVE_PATHS if not any(route.startswith(p) for route in paths)] == []


def test_web_acl_guards_the_api_stage_when_deployed(template, web_acl):
    # GIVEN the web ACL associations and the REST API's stage
    acl_id, _ = web_acl
    stage = template["Resources"]["RestAPI"]["Properties"]["StageName"]
    associations = list(resources_of_type(template, "AWS::WAFv2::WebACLAssociation").values())
    # THEN one associates the web ACL with that stage, once SAM has created it
    assert len(associations) == 1
    association = associations[0]
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert association["Properties"]["ResourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/" + stage}
    assert f"RestAPI{stage}Stage" in association["DependsOn"]
