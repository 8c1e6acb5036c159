"""In-memory implementations of the repositories, for service unit tests (no I/O, no patching).

Each keeps the contract of its DynamoDB twin: the same suites in tests/integration
(`test_*_repository_contract.py`) run against both, as in the Chalice todo sample's
`TestDynamoDB(TestTodoDB)`. A service is built with them through its constructor, as
`chalicelib.services` builds it with the Dynamo ones.

What they store is a copy, converted the way DynamoDB round-trips it (times in UTC, JSON values
through JSON, empty lists as none), so a change not saved is never seen and a value DynamoDB
would change comes back changed here too.
"""
