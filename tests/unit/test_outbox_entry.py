from email.message import EmailMessage

from devstack.devtools.outbox import Outbox, outbox_entry


def test_simple_message_keeps_headers_and_both_parts():
    request = {"FromEmailAddress": "noreply@mailexpert.nl", "Destination": {"ToAddresses": ["a@example.org"]},
               "ReplyToAddresses": ["support@mailexpert.nl"], "ConfigurationSetName": "mailexpert",
               "EmailTags": [{"Name": "template", "Value": "test_mail"}],
               "Content": {"Simple": {"Subject": {"Data": "Hoi"}, "Body": {"Text": {"Data": "tekst"}, "Html": {"Data": "<p>html</p>"}},
                                      "Headers": [{"Name": "List-Unsubscribe", "Value": "<https://u>"},
                                                  {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"}]}}}
    entry = outbox_entry(request, "m-1")
    assert entry["to"] == ["a@example.org"]
    assert entry["reply_to"] == ["support@mailexpert.nl"]
    assert entry["subject"] == "Hoi"
    assert entry["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (entry["text"], entry["html"]) == ("tekst", "<p>html</p>")
    assert entry["tags"] == {"template": "test_mail"}
    assert entry["request"] == request


def test_raw_message_is_parsed_with_the_standard_library():
    message = EmailMessage()
    message["Subject"] = "Raw"
    message["List-Unsubscribe"] = "<https://u>"
    message.set_content("plain")
    message.add_alternative("<b>rich</b>", subtype="html")
    entry = outbox_entry({"FromEmailAddress": "a@mailexpert.nl", "Destination": {"ToAddresses": ["b@example.org"]},
                          "Content": {"Raw": {"Data": message.as_bytes()}}}, "m-2")
    assert entry["subject"] == "Raw"
    assert entry["headers"]["List-Unsubscribe"] == "<https://u>"
    assert entry["text"].strip() == "plain"
    assert entry["html"].strip() == "<b>rich</b>"


def test_outbox_lists_newest_first_and_finds_by_id(tmp_path):
    outbox = Outbox(str(tmp_path / "outbox.jsonl"))
    assert outbox.mails() == []
    outbox.append({"message_id": "first"})
    outbox.append({"message_id": "second"})
    assert [m["message_id"] for m in outbox.mails()] == ["second", "first"]
    assert outbox.find("first") == {"message_id": "first"}
    assert outbox.find("none") is None
