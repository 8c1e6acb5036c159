"""Health: is the service up, which version, and do its tables answer."""

from chalicelib import VERSION


def check_health(dynamodb, table_names: dict[str, str]) -> tuple[dict, bool]:
    tables = {}
    for role, name in table_names.items():
        try:
            status = dynamodb.describe_table(TableName=name)["Table"]["TableStatus"]
            tables[role] = "ok" if status in ("ACTIVE", "UPDATING") else status.lower()
        except Exception as error:  # any failure means "does not answer"; the name of it helps
            tables[role] = f"unavailable ({type(error).__name__})"
    healthy = all(state == "ok" for state in tables.values())
    return {"status": "ok" if healthy else "degraded", "version": VERSION, "tables": tables}, healthy
