"""DynamoDB helpers shared by every domain's models and repositories."""

LONGEST_PAUSE_S = 1.0  # between BatchWriteItem retries, however many there are


def bind(model, table_name: str, region: str, host: str | None) -> None:
    """Point a model at its table on first use (never at import); forgets a connection made for
    another table or endpoint, which only happens between test sessions."""
    if model.Meta.table_name != table_name or getattr(model.Meta, "host", None) != host:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model.Meta.host = host
        model._connection = None


def conditional_check_failed(error) -> bool:
    """Whether a PynamoDB write error (PutError, UpdateError, DeleteError) is DynamoDB refusing the
    write's condition: the one outcome a conditional write expects, as opposed to a failure."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def transaction_condition_failed(error, *positions: int) -> bool:
    """Whether a PynamoDB TransactWriteError was DynamoDB refusing one of the writes' conditions (of
    the writes at these positions in the transaction, when given; a version check is a condition too)."""
    reasons = list(error.cancellation_reasons or ())
    chosen = [reasons[i] for i in positions if i < len(reasons)] if positions else reasons
    return any(reason and reason.code == "ConditionalCheckFailed" for reason in chosen)


def write_batch(client, table: str, requests: list[dict], sleep, retries: int | None,
                longest_pause: float = LONGEST_PAUSE_S) -> list[dict]:
    """One BatchWriteItem of at most 25 put or delete requests, asked again (with a pause that doubles,
    up to `longest_pause` seconds) for what DynamoDB leaves unprocessed while busy, up to `retries`
    times, or until all is written when `retries` is None. Returns the requests still unwritten (none:
    all written); a client error reaches the caller."""
    attempt = 0
    while True:
        requests = client.batch_write_item(RequestItems={table: requests}).get("UnprocessedItems", {}).get(table, [])
        if not requests or (retries is not None and attempt == retries):
            return requests
        attempt += 1
        sleep(min(longest_pause, 0.05 * 2 ** attempt))
