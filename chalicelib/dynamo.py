"""PynamoDB helpers shared by every domain's models."""


def bind(model, table_name: str, region: str, host: str | None) -> None:
    """Point a model at its table on first use (never at import); forgets a connection made for
    another table or endpoint, which only happens between test sessions."""
    if model.Meta.table_name != table_name or getattr(model.Meta, "host", None) != host:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = host
        model._connection = None
