"""Mailchimp writes a contact's tags as a quoted, comma-separated list in one cell; a tag may hold a
comma itself. The cell is parsed as CSV, so such a tag stays whole."""

import io

from chalicelib.audience.csv_import import ImportRow, open_csv, read_contacts, split_tags, suggest_mapping


def test_tags_keep_their_comma_when_mailchimp_quotes_them():
    # GIVEN Mailchimp's TAGS cell with a tag that holds a comma
    cell = '"Nieuwsbrief","Klant 2023","Webinar, april"'
    # WHEN it is split
    tags = split_tags(cell)
    # THEN there are three tags, the third with its comma
    assert tags == ["Nieuwsbrief", "Klant 2023", "Webinar, april"]


def test_tags_keep_their_comma_when_the_cell_comes_from_a_mailchimp_export():
    # GIVEN a Mailchimp export row whose TAGS cell is quoted in the file as Mailchimp writes it
    data = (b'Email Address,First Name,TAGS\n'
            b'sanne@example.com,Sanne,"""Nieuwsbrief"",""Klant 2023"",""Webinar, april"""\n')
    source = open_csv(io.BytesIO(data))
    # WHEN it is read with the suggested mapping
    [row] = [item for item in read_contacts(source, suggest_mapping(source.headers)) if isinstance(item, ImportRow)]
    # THEN the contact has the three tags
    assert row.tags == ("Nieuwsbrief", "Klant 2023", "Webinar, april")


def test_tags_are_split_when_a_cell_is_plain_or_quoted_with_semicolons():
    # GIVEN cells as people write them by hand: plain commas, semicolons, quotes around semicolon lists
    # WHEN they are split
    # THEN each tag stands alone, trimmed, and empty ones are left out
    assert split_tags("klant, nieuwsbrief") == ["klant", "nieuwsbrief"]
    assert split_tags("a;b") == ["a", "b"]
    assert split_tags('"vip";"klant; oud"') == ["vip", "klant; oud"]
    assert split_tags('"Klant"') == ["Klant"]
    assert split_tags(' , ;') == []
