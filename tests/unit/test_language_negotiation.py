from chalicelib.i18n import negotiate_language, parse_accept_language


def test_accept_language_is_ranked_by_quality():
    # GIVEN a browser that prefers German, then English, then Dutch
    header = "de-DE,de;q=0.9,en;q=0.8,nl;q=0.7"
    # WHEN the header is parsed
    ranked = parse_accept_language(header)
    # THEN the primary tags come best first
    assert ranked == ["de", "de", "en", "nl"]


def test_negotiation_picks_the_best_supported_language_from_the_browser():
    assert negotiate_language(None, None, "de-DE,de;q=0.9,en;q=0.8,nl;q=0.7") == "en"


def test_negotiation_defaults_to_dutch_when_nothing_matches():
    assert negotiate_language(None, None, "fr-FR,de;q=0.5") == "nl"
    assert negotiate_language(None, None, None) == "nl"


def test_remembered_choice_wins_over_the_browser():
    assert negotiate_language(None, "en", "nl-NL") == "en"


def test_explicit_switch_wins_over_everything():
    assert negotiate_language("nl", "en", "en-GB") == "nl"


def test_unsupported_switch_values_are_ignored():
    assert negotiate_language("xx", None, "en") == "en"


def test_zero_quality_means_not_acceptable():
    assert negotiate_language(None, None, "en;q=0, nl;q=0.1") == "nl"
    assert parse_accept_language("en;q=0") == []


def test_malformed_quality_is_treated_as_not_acceptable():
    assert parse_accept_language("en;q=abc, nl") == ["nl"]
