"""Characters that people cannot see but that change what a text says: written once, for what
urne accepts (an imported name) and for what it prints (an archive's labels in `urne verify`).

Pure Python, no Django: the protocol's command line uses it too.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Unicode's general categories of characters that act instead of showing (controls: NUL, ESC,
# BEL, line breaks; format characters: bidi overrides such as U+202E that make a text read
# backwards, zero-width characters), line and paragraph separators, surrogates, private-use and
# unassigned code points.
INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# Unicode's Default_Ignorable_Code_Point characters outside those categories (combining
# grapheme joiner, Hangul fillers, Mongolian and variation selectors): shown as nothing, they
# make two texts that look the same differ. From Unicode's DerivedCoreProperties.txt.
_IGNORABLE: Final = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


def is_invisible(character: str) -> bool:
    """Whether this one character would act on a screen or show as nothing."""
    return (
        unicodedata.category(character) in INVISIBLE_CATEGORIES
        or _IGNORABLE.match(character) is not None
    )


def first_invisible(text: str) -> str | None:
    """The first invisible character of `text`, or None."""
    # str.isprintable() (in C) is False exactly for the categories C* and Z* but the ASCII
    # space, so when it holds only the ignorable characters remain to look for: nearly every
    # text is cleared without a loop in Python (an import of a million lines feels it).
    if text.isprintable():
        found = _IGNORABLE.search(text)
        return found.group() if found else None
    return next((character for character in text if is_invisible(character)), None)
