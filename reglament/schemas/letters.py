"""The Kazakh letter і (U+0456) and the Latin i (U+0069) the acts often type for it.

The acts mix the two («әлеуметтiк», «iске», «тiркеу»). A reglament's readable Kazakh texts and
every rendered Kazakh message use the Cyrillic letter; the act's exact characters stay in its
``raw`` words and in its notes' quotes. A Latin i or I counts as a mistyped і only beside a
Cyrillic letter, so ``www.egov.kz`` or an English word is left alone.
"""

from __future__ import annotations

import re

_CYRILLIC = "\u0400-\u04ff"
_LATIN_I = re.compile(rf"(?<=[{_CYRILLIC}])[iI]|[iI](?=[{_CYRILLIC}])")
_CYRILLIC_I = {"i": "\u0456", "I": "\u0406"}


def latin_i(text: str) -> list[int]:
    """The positions of the Latin i or I typed for the Kazakh і in ``text``."""
    return [match.start() for match in _LATIN_I.finditer(text)]


def cyrillic_i(text: str) -> str:
    """``text`` with each Latin i or I typed for the Kazakh і (:func:`latin_i`) made Cyrillic."""
    return _LATIN_I.sub(lambda match: _CYRILLIC_I[match.group()], text)
