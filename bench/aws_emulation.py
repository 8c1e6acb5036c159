"""AWS emulated in process for the benchmarks: real botocore clients, answered at `before-send`.

`AwsEmulator.attach(client)` registers a handler on a botocore client's `before-send` event that
answers each call in place of the HTTP round trip, so everything up to the wire is botocore's own:
  SES v2    SendBulkEmail answers each entry SUCCESS with a message id, SendEmail a message id
            (either optionally after a sleep: the latency figure);
  SQS       SendMessageBatch answers success and keeps the bodies (they feed the send run);
  DynamoDB  a small dict-backed table that honours the expressions our code sends (conditions,
            SET / REMOVE / ADD, ReturnValues, BatchGetItem, BatchWriteItem puts of the sent-mail
            origins, Query on the by-list index), and
            computes the capacity units each call would consume from the item sizes it sees.
Generated data stands in for stored items through `virtual` (an item by key, per table) and
`virtual_query` (a query, per table and index). The emulator counts calls, SQS request chunks and
capacity units, and the CPU time its handlers spend (`cpu_inside`): they stand in for the network
and AWS itself, so a benchmark subtracts it.

Apart from bench/send_bench.py, which measures and costs our code against it.
"""

import functools
import hashlib
import json
import math
import re
import threading
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

REGION = "eu-west-1"  # the benchmarks' clients are made for this region and endpoint
ENDPOINT = "https://aws.emulated.invalid"  # never reached: every call is answered at before-send


class _Body:
    def __init__(self, data: bytes):
        self._data = data

    def stream(self, **_):
        yield self._data


def _size(value: dict) -> int:
    """A DynamoDB attribute value's size in bytes, as DynamoDB bills it (close enough)."""
    (kind, data), = value.items()
    if kind == "S":
        return len(data.encode("utf-8"))
    if kind == "N":
        return (len(data.lstrip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(member.encode("utf-8")) for member in data)
    if kind == "NS":
        return sum((len(member) + 1) // 2 + 1 for member in data)
    if kind == "L":
        return 3 + sum(1 + _size(member) for member in data)
    if kind == "M":
        return 3 + sum(1 + len(name) + _size(member) for name, member in data.items())
    raise ValueError(kind)


def item_size(item: dict | None) -> int:
    return sum(len(name.encode("utf-8")) + _size(value) for name, value in (item or {}).items())


def _key(item: dict) -> tuple[str, str]:
    """An item's (pk, sk); tables keyed by pk alone (the accounts) have the sort key ""."""
    return item["pk"]["S"], item["sk"]["S"] if "sk" in item else ""


def _plain(value: dict | None):
    if value is None:
        return None
    (kind, data), = value.items()
    return Decimal(data) if kind == "N" else data


_TOKEN = re.compile(r"\s*(<>|<=|>=|[()=<>,+\-]|[#:][A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_.]*)")


def _tokens(expression: str) -> list[str]:
    found, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = _TOKEN.match(expression, position)
        if not match:
            raise ValueError(f"cannot read expression {expression!r}")
        found.append(match.group(1))
        position = match.end()
    return found


@functools.lru_cache(maxsize=None)
def _condition(expression: str):
    """A condition expression as a function (item, names, values) -> bool: the subset our code uses."""
    tokens = _tokens(expression)
    position = 0

    def peek():
        return tokens[position] if position < len(tokens) else None

    def take(expected=None):
        nonlocal position
        token = tokens[position]
        if expected is not None and token.upper() != expected:
            raise ValueError(f"expected {expected} in {expression!r}")
        position += 1
        return token

    def operand():
        token = take()
        if token.startswith(":"):
            return lambda item, names, values: _plain(values[token])
        return lambda item, names, values: _plain(item.get(names.get(token, token)))

    def path():
        token = take()
        return lambda names: names.get(token, token)

    def primary():
        if peek() == "(":
            take("(")
            inner = disjunction()
            take(")")
            return inner
        if peek().lower() in ("attribute_exists", "attribute_not_exists", "begins_with"):
            function = take().lower()
            take("(")
            name = path()
            if function == "begins_with":
                take(",")
                prefix = operand()
                take(")")
                return lambda item, names, values: str(item.get(name(names), {}).get("S", "")).startswith(
                    prefix(item, names, values))
            take(")")
            wanted = function == "attribute_exists"
            return lambda item, names, values: (name(names) in item) == wanted
        left = operand()
        comparator = take().upper()
        if comparator == "BETWEEN":
            low = operand()
            take("AND")
            high = operand()

            def between(item, names, values):
                value = left(item, names, values)
                return value is not None and low(item, names, values) <= value <= high(item, names, values)
            return between
        right = operand()
        compare = {"=": lambda a, b: a == b, "<>": lambda a, b: a != b, "<": lambda a, b: a < b,
                   "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}[comparator]

        def comparison(item, names, values):
            a, b = left(item, names, values), right(item, names, values)
            if a is None or b is None:
                return comparator == "<>" and (a is None) != (b is None)
            return compare(a, b)
        return comparison

    def negation():
        if peek() and peek().upper() == "NOT":
            take()
            inner = negation()
            return lambda item, names, values: not inner(item, names, values)
        return primary()

    def conjunction():
        parts = [negation()]
        while peek() and peek().upper() == "AND":
            take()
            parts.append(negation())
        return parts[0] if len(parts) == 1 else lambda item, names, values: all(p(item, names, values) for p in parts)

    def disjunction():
        parts = [conjunction()]
        while peek() and peek().upper() == "OR":
            take()
            parts.append(conjunction())
        return parts[0] if len(parts) == 1 else lambda item, names, values: any(p(item, names, values) for p in parts)

    result = disjunction()
    if position != len(tokens):
        raise ValueError(f"unread rest of {expression!r}")
    return result


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += char == "("
        depth -= char == ")"
        current.append(char)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


@functools.lru_cache(maxsize=None)
def _update(expression: str) -> list[tuple]:
    """An update expression as a list of actions: ("SET", path, terms, sign), ("ADD", path, value), ("REMOVE", path)."""
    actions = []
    for clause, body in re.findall(r"\b(SET|REMOVE|ADD|DELETE)\b(.*?)(?=\b(?:SET|REMOVE|ADD|DELETE)\b|$)",
                                   expression, flags=re.S):
        for action in _split_top(body):
            if clause == "SET":
                path, value = (part.strip() for part in action.split("=", 1))
                match = re.fullmatch(r"if_not_exists\s*\(\s*(\S+?)\s*,\s*(\S+?)\s*\)", value)
                if match:
                    actions.append(("SET_IF_NOT_EXISTS", path, match.group(1), match.group(2)))
                    continue
                match = re.fullmatch(r"(\S+)\s*([+-])\s*(\S+)", value)
                if match:
                    actions.append(("SET_SUM", path, match.group(1), match.group(3), match.group(2)))
                else:
                    actions.append(("SET", path, value))
            elif clause == "ADD":
                path, value = action.split()
                actions.append(("ADD", path, value))
            elif clause == "REMOVE":
                actions.append(("REMOVE", action))
            else:
                raise ValueError("DELETE is not emulated")
    return actions


class ConditionFailed(Exception):
    def __init__(self, item):
        self.item = item


class TransactionCancelled(Exception):
    def __init__(self, reasons: list[dict]):
        self.reasons = reasons


class AwsEmulator:
    """Answers botocore requests at `before-send`; counts calls, request sizes and capacity units."""

    def __init__(self):
        self.calls = Counter()  # (service, operation) -> calls
        self.sqs_requests = 0  # 64 KB chunks of SQS request payloads
        self.wru = Counter()  # operation -> DynamoDB write units
        self.rru = Counter()  # operation -> DynamoDB read units
        self.tables: dict[str, dict[tuple, dict]] = defaultdict(dict)
        self.virtual: dict[str, callable] = {}  # table -> (pk, sk) -> item, for generated data
        self.virtual_query: dict[tuple, callable] = {}  # (table, index) -> query function
        self.virtual_scan: dict[str, callable] = {}  # table -> scan function, for generated data
        self.messages: list[str] = []  # SQS message bodies sent, in order
        self.keep_messages = True
        self.ses_latency_s = 0.0
        self.ses_requests: list[bytes] = []  # the first SendBulkEmail request's body
        self.ses_recipients = 0  # mails SES was asked to send, by either call
        self.cpu_inside = 0.0  # CPU seconds spent in these handlers (all threads)
        self._lock = threading.Lock()
        self._message_number = 0

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()
            self.wru.clear()
            self.rru.clear()
            self.sqs_requests = 0
            self.ses_recipients = 0
            self.cpu_inside = 0.0

    def attach(self, client) -> None:
        service = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-send.{service}", self._answer, unique_id=f"emulator-{id(self)}")

    def _answer(self, request, event_name, **_):
        started = time.thread_time()
        _, service, operation = event_name.split(".")
        try:
            status, body = getattr(self, f"_{service.replace('-', '_')}")(operation, request.body)
        finally:
            spent = time.thread_time() - started
            with self._lock:
                self.calls[(service, operation)] += 1
                self.cpu_inside += spent
        if service == "sesv2" and self.ses_latency_s:
            time.sleep(self.ses_latency_s)  # releases the GIL, as waiting on a socket does
        headers = {"Content-Type": "application/x-amz-json-1.0" if service == "dynamodb" else "application/json",
                   "x-amzn-RequestId": "emulated"}
        from botocore.awsrequest import AWSResponse

        return AWSResponse(request.url, status, headers, _Body(body))

    # SES v2: rest-json
    def _sesv2(self, operation, body):
        if operation == "SendEmail":
            with self._lock:
                self.ses_recipients += 1
            return 200, b'{"MessageId":"0102019a' + uuid.uuid4().hex.encode() + b'-000000"}'
        if operation != "SendBulkEmail":
            raise NotImplementedError(operation)
        entries = len(json.loads(body)["BulkEmailEntries"])
        with self._lock:
            self.ses_recipients += entries
            if not self.ses_requests:
                self.ses_requests.append(bytes(body))
        results = ",".join('{"Status":"SUCCESS","MessageId":"0102019a%s-000000"}' % uuid.uuid4().hex
                           for _ in range(entries))
        return 200, ('{"BulkEmailEntryResults":[%s]}' % results).encode()

    # Secrets Manager: json protocol; the one secret is the key that signs links in mail
    def _secrets_manager(self, operation, body):
        if operation != "GetSecretValue":
            raise NotImplementedError(operation)
        return 200, json.dumps({"Name": json.loads(body)["SecretId"], "SecretString": "bench-signing-key"}).encode()

    # SQS: json protocol
    def _sqs(self, operation, body):
        if operation != "SendMessageBatch":
            raise NotImplementedError(operation)
        with self._lock:
            self.sqs_requests += max(1, math.ceil(len(body) / 65536))
        request = json.loads(body)
        successful = []
        for entry in request["Entries"]:
            with self._lock:
                self._message_number += 1
                if self.keep_messages:
                    self.messages.append(entry["MessageBody"])
            successful.append({"Id": entry["Id"], "MessageId": f"m-{self._message_number}",
                               "MD5OfMessageBody": hashlib.md5(entry["MessageBody"].encode()).hexdigest()})
        return 200, json.dumps({"Successful": successful, "Failed": []}).encode()

    # DynamoDB: json 1.0
    def _dynamodb(self, operation, body):
        request = json.loads(body)
        try:
            with self._lock:
                answer = getattr(self, f"_ddb_{operation}")(request)
        except ConditionFailed as failed:
            error = {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                     "message": "The conditional request failed"}
            if failed.item is not None and request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
                error["Item"] = failed.item
            return 400, json.dumps(error).encode()
        except TransactionCancelled as cancelled:
            error = {"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                     "message": "Transaction cancelled", "CancellationReasons": cancelled.reasons}
            return 400, json.dumps(error).encode()
        return 200, json.dumps(answer).encode()

    def _get(self, table, key):
        pk, sk = _key(key)
        found = self.tables[table].get((pk, sk))
        if found is None and table in self.virtual:
            found = self.virtual[table](pk, sk)
        return found

    def _check(self, request, item):
        expression = request.get("ConditionExpression")
        if expression and not _condition(expression)(item or {}, request.get("ExpressionAttributeNames", {}),
                                                     request.get("ExpressionAttributeValues", {})):
            raise ConditionFailed(item)

    @staticmethod
    def _read_units(size: int, consistent: bool) -> float:
        return max(1, math.ceil(size / 4096)) * (1.0 if consistent else 0.5)

    @staticmethod
    def _projected(item: dict, request: dict) -> dict:
        """What DynamoDB returns of an item: the attributes the ProjectionExpression names (it bills the
        whole item all the same)."""
        expression = request.get("ProjectionExpression")
        if not expression:
            return item
        names = request.get("ExpressionAttributeNames", {})
        wanted = [names.get(part.strip(), part.strip()) for part in expression.split(",")]
        return {name: item[name] for name in wanted if name in item}

    def _ddb_GetItem(self, request):
        item = self._get(request["TableName"], request["Key"])
        self.rru["GetItem"] += self._read_units(item_size(item), request.get("ConsistentRead", False))
        return {"Item": self._projected(item, request)} if item is not None else {}

    def _ddb_BatchGetItem(self, request):
        responses = {}
        for table, wanted in request["RequestItems"].items():
            found = []
            for key in wanted["Keys"]:
                item = self._get(table, key)
                self.rru["BatchGetItem"] += self._read_units(item_size(item), wanted.get("ConsistentRead", False))
                if item is not None:
                    found.append(self._projected(item, wanted))
            responses[table] = found
        return {"Responses": responses, "UnprocessedKeys": {}}

    def _ddb_PutItem(self, request):
        table, item = request["TableName"], request["Item"]
        key = _key(item)
        old = self.tables[table].get(key)
        self._check(request, old)
        self.tables[table][key] = item
        self.wru["PutItem"] += max(1, math.ceil(max(item_size(old), item_size(item)) / 1024))
        return {}

    def _ddb_BatchWriteItem(self, request):
        """Puts only (what the senders' sent-mail origins use), keyed by the table's first two attributes."""
        for table, writes in request["RequestItems"].items():
            for write in writes:
                item = write["PutRequest"]["Item"]
                key = tuple(value["S"] for value in list(item.values())[:2])
                self.tables[table][key] = item
                self.wru["BatchWriteItem"] += max(1, math.ceil(item_size(item) / 1024))
        return {"UnprocessedItems": {}}

    def _ddb_TransactWriteItems(self, request):
        """Every condition is checked first; then the Puts and Updates are made, at twice their units."""
        writes = [next(iter(write.items())) for write in request["TransactItems"]]
        reasons, failed = [], False
        for kind, part in writes:
            key = _key(part["Item"]) if kind == "Put" else _key(part["Key"])
            current = self.tables[part["TableName"]].get(key) if kind == "Put" else self._get(part["TableName"], part["Key"])
            try:
                self._check(part, current)
                reasons.append({"Code": "None"})
            except ConditionFailed:
                reasons.append({"Code": "ConditionalCheckFailed"})
                failed = True
        if failed:
            raise TransactionCancelled(reasons)
        before = sum(self.wru.values())
        for kind, part in writes:
            if kind == "Put":
                self._ddb_PutItem(part)
            elif kind == "Update":
                self._ddb_UpdateItem(part)
            elif kind != "ConditionCheck":
                raise ValueError(f"{kind} in a transaction is not emulated")
        self.wru["TransactWriteItems"] += sum(self.wru.values()) - before  # a transaction bills each write twice
        return {}

    def _ddb_UpdateItem(self, request):
        table, key = request["TableName"], request["Key"]
        names = request.get("ExpressionAttributeNames", {})
        values = request.get("ExpressionAttributeValues", {})
        old = self._get(table, key)
        self._check(request, old)
        item = dict(old) if old else dict(key)
        updated = set()
        for action in _update(request["UpdateExpression"]):
            kind, path = action[0], names.get(action[1], action[1])
            if kind == "SET":
                item[path] = values[action[2]]
            elif kind == "SET_IF_NOT_EXISTS":
                item[path] = item.get(names.get(action[2], action[2])) or values[action[3]]
            elif kind == "SET_SUM":
                first = values.get(action[2]) or item.get(names.get(action[2], action[2]))
                second = values.get(action[3]) or item.get(names.get(action[3], action[3]))
                total = Decimal(first["N"]) + Decimal(second["N"]) * (1 if action[4] == "+" else -1)
                item[path] = {"N": str(total)}
            elif kind == "ADD":
                value = values[action[2]]
                if "N" in value:
                    item[path] = {"N": str(Decimal(item.get(path, {"N": "0"})["N"]) + Decimal(value["N"]))}
                else:
                    item[path] = {"SS": sorted(set(item.get(path, {"SS": []})["SS"]) | set(value["SS"]))}
            else:
                item.pop(path, None)
            updated.add(path)
        self.tables[table][_key(key)] = item
        self.wru["UpdateItem"] += max(1, math.ceil(max(item_size(old), item_size(item)) / 1024))
        returned = request.get("ReturnValues", "NONE")
        if returned == "ALL_NEW":
            return {"Attributes": item}
        if returned == "UPDATED_NEW":
            return {"Attributes": {name: item[name] for name in updated if name in item}}
        return {}

    def _ddb_Scan(self, request):
        """A page of generated items (`virtual_scan`); read units for what was read, before any filter."""
        function = self.virtual_scan.get(request["TableName"])
        if function is None:
            raise NotImplementedError("Scan is only emulated on generated data")
        items, last_key = function(request)
        self.rru["Scan"] += self._read_units(sum(item_size(item) for item in items), request.get("ConsistentRead", False))
        answer = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
        if last_key:
            answer["LastEvaluatedKey"] = last_key
        return answer

    def _ddb_Query(self, request):
        function = self.virtual_query.get((request["TableName"], request.get("IndexName")))
        if function is None:
            raise NotImplementedError("Query is only emulated on generated data")
        items, last_key = function(request)
        size = sum(item_size(item) for item in items)
        self.rru["Query"] += self._read_units(size, request.get("ConsistentRead", False))
        answer = {"Items": [self._projected(item, request) for item in items], "Count": len(items),
                  "ScannedCount": len(items)}
        if last_key:
            answer["LastEvaluatedKey"] = last_key
        return answer


class EmulatedClients:
    """The AWS clients `chalicelib.composition.Services` asks for, as `chalicelib.aws` makes them
    (one client per service, a single-attempt one for SES), each answered by the emulator."""

    def __init__(self, emulator: AwsEmulator, region: str, endpoint: str, account_number: str = "123456789012"):
        import boto3

        self._emulator = emulator
        self._endpoint = endpoint
        self._region, self._account_number = region, account_number
        self._session = boto3.session.Session(region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        self._clients = {}

    def _make(self, key, service_name: str, retries: dict, max_pool_connections: int = 10):
        from botocore.config import Config

        if key not in self._clients:
            client = self._session.client(service_name, endpoint_url=self._endpoint, config=Config(
                retries=retries, max_pool_connections=max_pool_connections))
            self._emulator.attach(client)
            self._clients[key] = client
        return self._clients[key]

    def client(self, service_name: str):
        return self._make(service_name, service_name, {"mode": "standard", "max_attempts": 5})

    def single_attempt_client(self, service_name: str, max_pool_connections: int = 64):
        return self._make(("single", service_name), service_name, {"mode": "standard", "total_max_attempts": 1},
                          max_pool_connections)

    def dynamodb(self):
        return self.client("dynamodb")

    def sqs(self):
        return self.client("sqs")

    def sesv2(self):
        return self.client("sesv2")

    def s3(self):
        return self.client("s3")

    def queue_url(self, queue_name: str) -> str:
        return f"https://sqs.{self._region}.amazonaws.com/{self._account_number}/{queue_name}"
