"""Usage figures read like every other page's: counts and sizes through `chalicelib.formatting`
(Babel, decimal units as mail clients count them), in the current language."""

from chalicelib import formatting
from chalicelib.i18n import use_language
from chalicelib.usage.plans import Meter
from chalicelib.usage.service import amount


def test_sizes_and_counts_use_the_shared_formatting_in_each_language():
    for language in ("nl", "en"):
        with use_language(language):
            # GIVEN a size and a count WHEN they are shown THEN they read as on every other page
            assert amount(Meter.BYTES_SENT, 1_500_000) == formatting.format_bytes(1_500_000)
            assert amount(Meter.STORAGE_BYTES, 2_048) == formatting.format_bytes(2_048)
            assert amount(Meter.RECIPIENTS, 50_000) == formatting.format_number(50_000)
    with use_language("nl"):
        assert amount(Meter.BYTES_SENT, 1_500_000) == "1,5 MB"
