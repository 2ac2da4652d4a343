"""SMS segments: GSM-7 160/153 (extension characters count twice), UCS-2 70/67."""

from __future__ import annotations

import pytest

from reglament.renderers.sms import SmsLength, is_gsm7, measure

LATIN = "a"
CYRILLIC = "ж"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SmsLength("GSM-7", 0, 0)),
        (LATIN * 160, SmsLength("GSM-7", 160, 1)),
        (LATIN * 161, SmsLength("GSM-7", 161, 2)),
        (LATIN * 306, SmsLength("GSM-7", 306, 2)),
        (LATIN * 307, SmsLength("GSM-7", 307, 3)),
        ("€" * 80, SmsLength("GSM-7", 160, 1)),  # an extension character takes two places
        ("€" * 81, SmsLength("GSM-7", 162, 2)),
        # 152 plain + one escape pair cannot share the first part's last place
        (LATIN * 152 + "€" + LATIN * 153, SmsLength("GSM-7", 307, 3)),
        (CYRILLIC * 70, SmsLength("UCS-2", 70, 1)),
        (CYRILLIC * 71, SmsLength("UCS-2", 71, 2)),
        (CYRILLIC * 134, SmsLength("UCS-2", 134, 2)),
        (CYRILLIC * 135, SmsLength("UCS-2", 135, 3)),
        (LATIN * 69 + "ж", SmsLength("UCS-2", 70, 1)),  # one letter switches the whole text
        ("ә" * 70, SmsLength("UCS-2", 70, 1)),  # Kazakh letters are not in GSM-7
        ("😀" * 35, SmsLength("UCS-2", 70, 1)),  # a surrogate pair takes two units
        # 66 + a pair does not fit the first 67-unit part: the pair starts the second
        (CYRILLIC * 66 + "😀" + CYRILLIC * 66, SmsLength("UCS-2", 134, 3)),
    ],
)
def test_segments(text: str, expected: SmsLength) -> None:
    assert measure(text) == expected


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        ("Result due by 24 March 2025.", True),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà", True),
        ("^{}\\[~]|€", True),
        ("a – b", False),  # an en dash is not GSM-7
        ("№ 5", False),
        ("Өтініш", False),
    ],
)
def test_alphabet(text: str, gsm: bool) -> None:
    assert is_gsm7(text) is gsm


def test_str_says_segments_encoding_and_units() -> None:
    assert str(measure(CYRILLIC * 71)) == "2 segments (UCS-2, 71 units)"
    assert str(measure("hi")) == "1 segment (GSM-7, 2 units)"
