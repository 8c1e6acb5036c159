"""Export lines are DynamoDB's export JSON: binary as base64 text, everything else as the wire format."""

import gzip
import json

from chalicelib.operations.export_format import item_line, items_of_data_file

ITEM = {"pk": {"S": "ACCOUNT#a1"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"}, "ok": {"BOOL": True},
        "nothing": {"NULL": True}, "tags": {"SS": ["a", "b"]}, "nested": {"M": {"blob": {"BS": [b"1", b"2"]},
                                                                                "list": {"L": [{"B": b"x"}, {"S": "é"}]}}}}


def test_binary_values_are_base64_text_when_written_as_an_export_line():
    line = json.loads(item_line(ITEM))
    assert line["Item"]["b"] == {"B": "AP8="}
    assert line["Item"]["nested"]["M"]["blob"] == {"BS": ["MQ==", "Mg=="]}
    assert line["Item"]["n"] == {"N": "1.50"} and line["Item"]["tags"] == {"SS": ["a", "b"]}


def test_items_read_back_equal_the_items_written_when_gzipped_as_a_data_file():
    body = gzip.compress((item_line(ITEM) + "\n" + item_line({"pk": {"S": "x"}}) + "\n").encode("utf-8"))
    assert list(items_of_data_file(body)) == [ITEM, {"pk": {"S": "x"}}]
