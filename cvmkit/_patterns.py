"""User-given regular expressions (the code frame's patterns), compiled so that none can hang.

Python's :mod:`re` backtracks: a pattern such as ``(a+)+$`` takes time exponential in the
length of the text it fails on, so one careless pattern in a study file could stall a run for
hours.  :func:`compile_pattern` therefore compiles with RE2 (the ``google-re2`` package), whose
matching time is linear in the text whatever the pattern.  RE2 has no look-around and no
back-references; a pattern using them is refused with a message saying so.

Two of Python's conveniences are kept on top of RE2:

* ``\\w`` and ``\\W`` mean Unicode letters, digits and ``_`` (RE2's own are ASCII only), and
* a word boundary ``\\b`` next to a literal letter also sees non-ASCII letters: ``\\bété`` is
  searched as "start of text or a non-letter, then été", which is what a search for the theme
  needs (whether a comment mentions it), not where.

Without ``google-re2`` installed, Python's :mod:`re` is used and a pattern with a repeated
group that itself repeats (the shape of every catastrophic pattern: ``(a+)+``, ``(a|aa)*``,
``(\\w+\\s?)*``) is refused instead.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

__all__ = ["PatternError", "compile_pattern", "engine"]

try:  # pragma: no branch - the package is a dependency; the fallback is for odd platforms
    import re2 as _re2
except ImportError:  # pragma: no cover
    _re2 = None

#: Longest pattern accepted (a code frame's patterns are words and short phrases).
MAX_PATTERN = 1000
#: What RE2 may spend on one compiled pattern, in bytes (its default is 8 MB).
_RE2_MEMORY = 32 << 20

_WORD = r"\pL\pN_"


class PatternError(ValueError):
    """A pattern that does not compile, or that the safe engine cannot take."""


class Pattern(Protocol):
    def search(self, text: str) -> Any: ...


def engine() -> str:
    """``"re2"`` when google-re2 is installed, else ``"re"`` (with the nested-repeat check)."""
    return "re2" if _re2 is not None else "re"


def _tokens(pattern: str) -> list[str]:
    """The pattern cut into escapes (``\\b``), character classes (``[a-z]``) and single
    characters, so that a rewrite never looks inside a class or an escape."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return out


def _is_word_literal(token: str | None) -> bool:
    return token is not None and len(token) == 1 and (token.isalnum() or token == "_")


def _unicode_words(pattern: str) -> str:
    r"""``\w``/``\W`` as Unicode classes and ``\b`` beside a literal letter as a search for
    "start/end of text or a non-letter" (see the module's notes)."""
    toks = _tokens(pattern)
    out = []
    for k, t in enumerate(toks):
        prev = toks[k - 1] if k else None
        nxt = toks[k + 1] if k + 1 < len(toks) else None
        after = toks[k + 2] if k + 2 < len(toks) else None
        if t == r"\w":
            out.append(f"[{_WORD}]")
        elif t == r"\W":
            out.append(f"[^{_WORD}]")
        elif t.startswith("[") and (r"\w" in t or r"\W" in t):
            out.append(t.replace(r"\w", _WORD) if r"\W" not in t else t)
        elif t == r"\b" and _is_word_literal(nxt) and after not in ("?", "*", "{"):
            out.append(f"(?:^|[^{_WORD}])")
        elif t == r"\b" and _is_word_literal(prev):
            out.append(f"(?:[^{_WORD}]|$)")
        else:
            out.append(t)
    return "".join(out)


def _nested_repeat(pattern: str) -> bool:
    """Whether a repeat (``*``, ``+``, ``{m,}``) holds another repeat or an alternation."""
    try:
        from re import _parser as sre_parse  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse  # type: ignore[no-redef]

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                lo, hi, sub = av
                unbounded = hi is sre_parse.MAXREPEAT or hi > 100
                if inside and unbounded:
                    return True
                if walk(sub, inside or unbounded):
                    return True
            elif name == "BRANCH":
                if inside:
                    return True
                if any(walk(b, inside) for b in av[1]):
                    return True
            elif name == "SUBPATTERN":
                if walk(av[-1], inside):
                    return True
            elif name in ("ASSERT", "ASSERT_NOT") and walk(av[1], inside):
                return True
        return False

    return walk(sre_parse.parse(pattern), False)


def compile_pattern(pattern: Any, *, ignore_case: bool = True) -> Pattern:
    """Compile a user-given pattern with an engine that cannot hang.

    Parameters
    ----------
    pattern : str
    ignore_case : bool, default True

    Returns
    -------
    A compiled pattern with ``search(text)``.

    Raises
    ------
    PatternError
        Not text, too long, not a valid regular expression, or a construct the safe engine
        cannot take (look-around and back-references with RE2; a repeated group that repeats
        without it); the message says which.

    Examples
    --------
    >>> bool(compile_pattern(r"\\bété").search("un été chaud"))
    True
    >>> compile_pattern("(a+)+$").search("a" * 10_000 + "b") is None
    True
    """
    if not isinstance(pattern, str):
        raise PatternError(f"expected text, got {pattern!r}")
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"{len(pattern):,} characters, more than the {MAX_PATTERN} a pattern "
                           "may have")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"not a valid regular expression ({exc})") from None
    if _re2 is None:  # pragma: no cover - exercised only without google-re2
        if _nested_repeat(pattern):
            raise PatternError("a repeated group that itself repeats (such as (a+)+) can take "
                               "hours on a long comment; write it without the outer repeat")
        return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
    options = _re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.max_mem = _RE2_MEMORY
    try:
        return _re2.compile(_unicode_words(pattern), options)
    except _re2.error as exc:
        why = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(
            exc.args[0], bytes) else str(exc)
        raise PatternError(f"the safe pattern engine (RE2) cannot take it: {why}; look-ahead "
                           "(?=…), look-behind (?<=…) and back-references (\\1) are not "
                           "supported") from None
