"""The in-memory repositories (tests/fakes), fresh for each test, for services built from them."""

import pytest

from tests.fakes.accounts import InMemoryAccounts, InMemoryAuditLog
from tests.fakes.audience import InMemoryAudience
from tests.fakes.campaigns import InMemoryCampaigns
from tests.fakes.delivery import InMemoryMailQueue
from tests.fakes.sending_domains import InMemorySendingDomains
from tests.fakes.ses import InMemorySesIdentities


@pytest.fixture
def accounts():
    return InMemoryAccounts()


@pytest.fixture
def audit():
    return InMemoryAuditLog()


@pytest.fixture
def audience():
    return InMemoryAudience()


@pytest.fixture
def campaigns():
    return InMemoryCampaigns()


@pytest.fixture
def mail_queue():
    return InMemoryMailQueue()


@pytest.fixture
def sending_domains():
    return InMemorySendingDomains()


@pytest.fixture
def ses():
    return InMemorySesIdentities()
