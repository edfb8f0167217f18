"""The pinyin of a person's name, for finding a case by typing Latin letters (a mediator
on a keyboard without a Chinese input method, or who heard the name on the phone).

``liuqiang lq`` for 刘强: the syllables run together, then the initials, lower case,
tones dropped; characters without a reading (Latin letters, digits) are kept as they are.
A search term matches when it is part of either form. Polyphonic characters take
pypinyin's most common reading; a search by the Chinese name itself always works.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_NOT_LETTERS = re.compile(r"[^a-z0-9]")


def name_pinyin(name: str) -> str:
    """The searchable pinyin of ``name``: the full syllables, a space, the initials."""
    syllables = [s.lower() for s in lazy_pinyin(name.strip(), style=Style.NORMAL)]
    words = [_NOT_LETTERS.sub("", s) for s in syllables]
    words = [w for w in words if w]
    return f"{''.join(words)} {''.join(w[0] for w in words)}".strip()


def pinyin_term(term: str) -> str | None:
    """A search term as pinyin (letters only, spaces dropped, lower case), or None when
    it is not one (it holds Chinese characters, digits or punctuation)."""
    letters = term.replace(" ", "").lower()
    return letters if letters.isascii() and letters.isalpha() else None
