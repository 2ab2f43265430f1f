"""Keeping personal data out of everything a run writes.

Columns a study declares as PII are dropped by the data-collection step before anything is
written.  Free text can still carry personal data — a respondent who types their e-mail address
or phone number into a comment box, or signs with their name — so open-ended answers are masked
with :func:`mask_pii` before they leave the first notebook, and again wherever a quote is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["EMAIL_RE", "PHONE_RE", "find_pii", "mask_pii"]

#: An e-mail address (also with spaces or "at"/"dot" tricks around the @ and the dots); the
#: domain must end in a name of two or more letters, so "at 10 dot 30" is not taken for one.
EMAIL_RE = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[A-Za-z0-9\-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[A-Za-z]{2,}\b",
    re.IGNORECASE,
)
#: A phone number: 7 or more digits, optionally grouped by spaces, dots, dashes or brackets,
#: with an optional international prefix.
PHONE_RE = re.compile(r"(?<![\w])(?:\+|\()?\d(?:[\s.\-/()]*\d){6,}(?![\w])")

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
NAME_MASK = "[name]"


def _name_pattern(names: Iterable[str]) -> re.Pattern | None:
    parts: set[str] = set()
    for n in names:
        if not isinstance(n, str) or not n.strip():
            continue
        parts.add(n.strip())
        parts.update(p for p in n.split() if len(p) >= 3)
    if not parts:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(parts, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def mask_pii(text: pd.Series | str, names: Iterable[str] = ()) -> pd.Series | str:
    """Replace e-mail addresses, phone numbers and the given names in free text.

    Parameters
    ----------
    text : Series or str
        Open-ended answers.
    names : iterable of str
        Declared names (e.g. the values of a study's PII name column); each full name and each
        of its parts of three or more letters is masked, case-insensitively, as a whole word.

    Returns
    -------
    Series or str
        The text with ``[email]``, ``[phone]`` and ``[name]`` in place of what was found.

    Examples
    --------
    >>> mask_pii("Great coffee! mail jo.bloggs@example.com or call +44 7700 900123", ["Jo Bloggs"])
    'Great coffee! mail [email] or call [phone]'
    """
    pattern = _name_pattern(names)

    def one(s: object) -> object:
        if not isinstance(s, str):
            return s
        s = EMAIL_RE.sub(EMAIL_MASK, s)
        s = PHONE_RE.sub(PHONE_MASK, s)
        return pattern.sub(NAME_MASK, s) if pattern is not None else s

    if isinstance(text, pd.Series):
        return text.map(one)
    return one(text)


def find_pii(text: str, names: Iterable[str] = ()) -> list[str]:
    """The e-mail addresses, phone numbers and declared names found in ``text``."""
    found = EMAIL_RE.findall(text) + PHONE_RE.findall(text)
    pattern = _name_pattern(names)
    if pattern is not None:
        found += pattern.findall(text)
    return found
