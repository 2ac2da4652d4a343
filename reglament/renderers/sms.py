"""How many SMS segments a text takes (3GPP TS 23.038 / 23.040).

A text written wholly in the GSM 7-bit alphabet holds 160 characters in one message, or 153 in
each part of a concatenated one (the rest of the 140 bytes carry the part header); the
characters of the alphabet's extension table (``^ { } [ ] ~ | \\ €``) take two places. Any other
character (Cyrillic, Kazakh letters such as ә і ң ғ ү ұ қ ө һ) switches the whole message to
UCS-2: 70 UTF-16 units in one message, 67 in each part. A part is never split inside an
extension pair or a surrogate pair, so parts are packed one character at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from reglament.errors import Position

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"GSM-7": 160, "UCS-2": 70}
PART = {"GSM-7": 153, "UCS-2": 67}
MAX_SEGMENTS = 2  # more than this draws a warning: the message costs and arrives as three or more


@dataclass(frozen=True, slots=True)
class SmsLength:
    """A text's size as an SMS: its encoding, its length in that encoding's units, its parts."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int

    def __str__(self) -> str:
        parts = "segment" if self.segments == 1 else "segments"
        return f"{self.segments} {parts} ({self.encoding}, {self.units} units)"


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def measure(text: str) -> SmsLength:
    """The encoding, length and number of segments of ``text`` sent as one SMS."""
    if is_gsm7(text):
        encoding: Literal["GSM-7", "UCS-2"] = "GSM-7"
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
    else:
        encoding = "UCS-2"
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
    units = sum(costs)
    if units == 0:
        return SmsLength(encoding, 0, 0)
    if units <= SINGLE[encoding]:
        return SmsLength(encoding, units, 1)
    size, segments, used = PART[encoding], 1, 0
    for cost in costs:
        if used + cost > size:
            segments += 1
            used = 0
        used += cost
    return SmsLength(encoding, units, segments)


@dataclass(frozen=True, slots=True)
class SmsSize:
    """What ``validate`` reports of one template sent by SMS in one language: its size at its
    longest (the reglament's longest texts and dates, a 19-character receipt number)."""

    position: Position
    path: str  # the part measured, e.g. "templates.chatty.sms.kk" or "notifications[2].via"
    template: str
    language: str
    length: SmsLength

    def __str__(self) -> str:
        return (
            f"{self.position}: note: the SMS of template {self.template!r} ({self.language}) "
            f"takes {self.length} at its longest ({self.path})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.position.file,
            "line": self.position.line,
            "column": self.position.column,
            "path": self.path,
            "template": self.template,
            "language": self.language,
            "encoding": self.length.encoding,
            "units": self.length.units,
            "segments": self.length.segments,
        }
