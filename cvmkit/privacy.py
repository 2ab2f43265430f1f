"""Keeping personal data out of everything a run writes.

Columns a study declares as PII are dropped by the data-collection step before anything is
written.  Free text can still carry personal data — a respondent who types their e-mail address
or phone number into a comment box, or signs with their name — so open-ended answers are masked
with :func:`mask_pii` before they leave the first notebook, and again wherever a quote is shown.

:func:`mask_pii` first Unicode-normalises the text (NFKC, so full-width ``＠`` and digits count)
and removes zero-width characters, then replaces e-mail addresses (also written with "at"/"dot"
tricks), phone numbers (seven or more digits in one run, whatever the separators) and names by
``[email]``, ``[phone]`` and ``[name]``.  Names are those declared (``names=``, e.g. from the
study's PII name column, while it is still at hand) and those a respondent gives themselves: after
"my name is", "name:", "regards", "thanks", "cheers", "signed", or as a signature after a dash at
the end of a comment.  Masking errs on the side of hiding: a long order number is masked as a
phone number.

Cost: a Series is masked one distinct text at a time (a short answer repeated by thousands of
respondents is masked once), and each pattern runs only on a text that could hold what it looks
for — the e-mail patterns on a text with an ``@``, a bracket or the word "at"; the phone patterns
on a text with seven or more digits; the declared names on a text with a word that starts one.
These tests are necessary conditions of the patterns, so they mask exactly what running every
pattern on every text masks, at a fraction of the time on a million comments.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from .progress import tracked

__all__ = ["EMAIL_RE", "PHONE_RE", "find_pii", "mask_pii"]

#: An e-mail address (also with spaces or "at"/"dot" tricks around the @ and the dots); the
#: domain must end in a name of two or more letters, so "at 10 dot 30" is not taken for one, and
#: an "at" form may not end where an "@" follows ("me at jo.bloggs@host.com" is one address).
EMAIL_RE = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\]|\s+at\s+)\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[A-Za-z0-9\-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[A-Za-z]{2,}\b(?!\s*@)",
    re.IGNORECASE,
)
#: A phone number: 7 or more digits, optionally grouped by spaces, dots, dashes or brackets,
#: with an optional international prefix.
PHONE_RE = re.compile(r"(?<![\w])(?:\+|\()?\d(?:[\s.\-/()]*\d){6,}(?![\w])")

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
NAME_MASK = "[name]"

_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# Extra e-mail shapes: "name@@host" or "name@localhost" (no dot needed), and "name {at} host.com",
# "name <at> host", "name (a) host [dot] com" (one dot part or more needed).
_EMAIL_EXTRA = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*@+\s*[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)*"
    r"|[A-Za-z0-9._%+\-]+\s*[\[({<]\s*(?:at|a)\s*[\])}>]\s*[A-Za-z0-9\-]+"
    r"(?:\s*(?:\.|[\[({<]\s*dot\s*[\])}>]|\s+dot\s+)\s*[A-Za-z0-9\-]+)+",
    re.IGNORECASE)
# A run of seven or more digits with any non-letter separators (spaces, dots, dashes, slashes,
# brackets, '+') between them.
_PHONE_EXTRA = re.compile(r"(?:\+|\b)?\d(?:[^\w\n]{0,3}\d){6,}")
# Necessary conditions of the patterns above: every e-mail pattern needs an "@", a bracket or
# "at" between spaces; every phone pattern needs seven digits.
_MAY_EMAIL = re.compile(r"[@(\[{<]|\sat\s", re.IGNORECASE)
_SEVEN_DIGITS = re.compile(r"\d(?:\D*\d){6}")
_NAME_WORD = r"[A-Z][\w'’\-]*"
_SELF_NAME = re.compile(
    r"(?i:\b(?:my\s+name\s+is|my\s+name's|name\s*:|signed|regards|thanks|thank\s+you|cheers|"
    r"sincerely|best\s+wishes)\b)[\s,:\-–—]*"
    rf"({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})")
_SIGNATURE = re.compile(rf"(?:^|[\s.!?])[-–—~]+\s*({_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})"
                        r"\s*[.!]?\s*$")


def _mask_group_1(match: re.Match) -> str:
    """The match with its first group (a name) replaced by ``[name]``."""
    return match.group(0)[: match.start(1) - match.start(0)] + NAME_MASK


#: A word of a name or of a text: a run of letters and digits (apostrophes and hyphens split).
_TOKEN = re.compile(r"[^\W_]+")
#: What may stand between two words of a name in a text ("Jo Bloggs", "O'Brien", "Jean-Luc").
_GAP = re.compile(r"[\s'’\-.]{1,3}")


class _Names:
    """Declared names as word sequences (case-folded), with the lengths they come in.

    Each full name and each of its parts of three or more characters is a phrase.  Looking a
    text's words up in this set costs time in proportion to the text (times the few distinct
    phrase lengths), however many names are declared — one regular expression alternating every
    name costs time in proportion to texts × names.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.phrases: set[tuple[str, ...]] = set()
        for n in dict.fromkeys(names):  # each distinct name once
            if not isinstance(n, str) or not n.strip():
                continue
            full = unicodedata.normalize("NFKC", n.strip())
            for phrase in {full, *(p for p in full.split() if len(p) >= 3)}:
                words = tuple(w.casefold() for w in _TOKEN.findall(phrase))
                if words:
                    self.phrases.add(words)
        self.lengths = sorted({len(p) for p in self.phrases}, reverse=True)
        self.first_words = {p[0] for p in self.phrases}

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``(start, end)`` of each declared name in ``text``, left to right, longest first."""
        firsts = self.first_words
        if not any(w.casefold() in firsts for w in _TOKEN.findall(text)):
            return []
        words = list(_TOKEN.finditer(text))
        folded = [w.group().casefold() for w in words]
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            length = 0
            if folded[i] in firsts:
                length = next((k for k in self.lengths if i + k <= len(words)
                               and tuple(folded[i:i + k]) in self.phrases
                               and all(_GAP.fullmatch(text[words[j - 1].end():words[j].start()])
                                       for j in range(i + 1, i + k))), 0)
            if length:
                spans.append((words[i].start(), words[i + length - 1].end()))
                i += length
            else:
                i += 1
        return spans


def _mask_names(text: str, names: _Names) -> str:
    out, last = [], 0
    for start, end in names.spans(text):
        out += [text[last:start], NAME_MASK]
        last = end
    return "".join(out) + text[last:]


def mask_pii(text: pd.Series | str, names: Iterable[str] = ()) -> pd.Series | str:
    """Replace e-mail addresses, phone numbers and names in free text (see the module docstring).

    Parameters
    ----------
    text : Series or str
        Open-ended answers.
    names : iterable of str
        Declared names (e.g. the values of a study's PII name column); each full name and each
        of its parts of three or more letters is masked, case-insensitively, as a whole word.
        Names a respondent gives themselves are masked as well.

    Returns
    -------
    Series or str
        The text with ``[email]``, ``[phone]`` and ``[name]`` in place of what was found
        (missing values stay missing).

    Examples
    --------
    >>> mask_pii("Great coffee! mail jo.bloggs@example.com or call +44 7700 900123", ["Jo Bloggs"])
    'Great coffee! mail [email] or call [phone]'
    >>> mask_pii("Great! ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ / +44 (0)20 7946 0958 - Jo Bloggs")
    'Great! [email] / [phone] - [name]'
    """
    index = _Names(names)

    def one(s: object) -> object:
        if not isinstance(s, str):
            return s
        s = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", s))
        if _MAY_EMAIL.search(s):
            s = EMAIL_RE.sub(EMAIL_MASK, s)
        if _SEVEN_DIGITS.search(s):
            s = PHONE_RE.sub(PHONE_MASK, s)
        if index:
            s = _mask_names(s, index)
        if _MAY_EMAIL.search(s):
            s = _EMAIL_EXTRA.sub(EMAIL_MASK, s)
        if _SEVEN_DIGITS.search(s):
            s = _PHONE_EXTRA.sub(PHONE_MASK, s)
        s = _SELF_NAME.sub(_mask_group_1, s)
        return _SIGNATURE.sub(_mask_group_1, s)

    if isinstance(text, pd.Series):
        masked: dict[object, object] = {}  # each distinct text masked once
        for v in tracked(pd.unique(text.to_numpy(dtype=object)), "masking personal data",
                         unit="answer", every=1000):
            if isinstance(v, str):
                masked[v] = one(v)
        return text.map(lambda v: masked[v] if isinstance(v, str) else v)
    return one(text)


def find_pii(text: str, names: Iterable[str] = ()) -> list[str]:
    """The e-mail addresses, phone numbers and declared names found in ``text``."""
    found = EMAIL_RE.findall(text) + PHONE_RE.findall(text)
    index = _Names(names)
    found += [text[a:b] for a, b in index.spans(text)]
    return found
