"""P18: the security contact is a setting, SECURITY_ADDRESS, whose default is the address the privacy
policy gives for questions about security ("Als u vragen heeft met betrekking tot ons
beveiligingsbeleid ... kunt u een email sturen naar info@mailexpert.nl")."""

from chalicelib.config import DEFAULT_SECURITY_ADDRESS, parse_settings
from tests.conftest import CHALICE_CONFIG
from tests.unit.test_settings import COMPLETE

POLICY_SECURITY_ADDRESS = "info@mailexpert.nl"


def test_security_address_defaults_to_the_policys():
    # GIVEN no SECURITY_ADDRESS WHEN the settings are read THEN it is the policy's address
    assert DEFAULT_SECURITY_ADDRESS == POLICY_SECURITY_ADDRESS
    assert parse_settings(COMPLETE).security_address == POLICY_SECURITY_ADDRESS
    assert parse_settings({**COMPLETE, "SECURITY_ADDRESS": "  "}).security_address == POLICY_SECURITY_ADDRESS


def test_security_address_can_be_set_per_deployment():
    assert parse_settings({**COMPLETE, "SECURITY_ADDRESS": "security@example.nl"}).security_address == (
        "security@example.nl")


def test_deployed_configuration_names_the_policys_address():
    assert CHALICE_CONFIG["environment_variables"]["SECURITY_ADDRESS"] == POLICY_SECURITY_ADDRESS
