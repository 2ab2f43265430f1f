"""Sentiment of open-ended answers with VADER, by theme, segment, wave and NPS group.

VADER (Hutto & Gilbert 2014; the ``vaderSentiment`` package, which ships its lexicon) scores a
text from its words, negations, intensifiers, capitals and punctuation.  Its ``compound`` score
runs from −1 (most negative) to +1; its authors call a text negative at ``compound <= -0.05``
and positive at ``>= 0.05``.  Personal data are masked first (:func:`cvmkit.text.mask_quote`),
so no name, e-mail address or phone number reaches the scores or any table.

A comment often touches several themes with different feelings ("the staff are lovely. the queue
is far too long."), so :func:`theme_sentiment` scores each *sentence* and gives a theme the
sentiment of the sentences that mention it.  Groups (segment, wave, NPS group) get the mean
compound score and the share of negative answers, each with a normal interval using Kish's
effective sample size of the weights.

Examples
--------
>>> import pandas as pd
>>> t = score_sentiment(pd.Series(["The staff were lovely", "The queue was awful"]))
>>> t["label"].tolist()
['positive', 'negative']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError
from .metrics import _resolve_weights, _weighted_stats
from .progress import tracked
from .study import Study, Theme
from .text import _compile, _themes, mask_quote

__all__ = ["NEGATIVE", "POSITIVE", "negative_themes", "score_sentiment", "sentiment_summary",
           "theme_sentiment"]

#: VADER's thresholds on the compound score (its authors' recommendation).
NEGATIVE, POSITIVE = -0.05, 0.05
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _label(compound: np.ndarray) -> np.ndarray:
    return np.where(compound <= NEGATIVE, "negative",
                    np.where(compound >= POSITIVE, "positive", "neutral"))


def _masked_answers(text: pd.Series, names: Iterable[str]) -> tuple[pd.Series, pd.Series]:
    """The answers stripped (missing as ""), and the same with personal data masked."""
    raw = text.where(text.notna(), "").astype(str).str.strip()
    return raw, mask_quote(raw, names)


def score_sentiment(text: pd.Series, *, names: Iterable[str] = ()) -> pd.DataFrame:
    """VADER scores of each answer, after masking personal data.

    Parameters
    ----------
    text : Series
        Open-ended answers (missing or empty answers get missing scores).
    names : iterable of str
        Declared respondent names to mask as well.

    Returns
    -------
    DataFrame
        Indexed like ``text``: ``text`` (masked), ``neg``, ``neu``, ``pos``, ``compound``,
        ``label`` ("negative", "neutral", "positive"; missing for no answer).
    """
    if not isinstance(text, pd.Series):
        raise DataError(f"score_sentiment: expected a pandas Series of texts, got "
                        f"{type(text).__name__}")
    raw, masked = _masked_answers(text, names)
    an = _analyzer()
    cache: dict[str, dict[str, float]] = {}
    rows = []
    for t in tracked(masked, "scoring sentiment", unit="answer", every=1000):
        if not t:
            rows.append({"neg": np.nan, "neu": np.nan, "pos": np.nan, "compound": np.nan})
            continue
        if t not in cache:
            cache[t] = an.polarity_scores(t)
        rows.append(cache[t])
    out = pd.DataFrame(rows, index=text.index)[["neg", "neu", "pos", "compound"]]
    out.insert(0, "text", masked.where(raw != "", None).to_numpy())
    lab = pd.Series(_label(out["compound"].to_numpy(float)), index=text.index)
    out["label"] = lab.where(out["compound"].notna(), None)
    return out


def _interval(y: np.ndarray, w: np.ndarray, ddof: int, z: float) -> tuple[float, float, float, int]:
    m, se, n, _ = _weighted_stats(y, w, "kish", ddof)
    return m, m - z * se, m + z * se, n


def sentiment_summary(data: pd.DataFrame, scores: pd.DataFrame, by: str | None = None, *,
                      weights: Any = None, ci: float = 0.95) -> pd.DataFrame:
    """Mean compound score and share negative, overall or by a grouping column.

    Parameters
    ----------
    data : DataFrame
        The respondents (for ``by`` and the weights), indexed like ``scores``.
    scores : DataFrame
        From :func:`score_sentiment`.
    by : str, optional
        Grouping column of ``data`` (segment, wave, NPS group …).

    Returns
    -------
    DataFrame
        ``by`` (the column name), ``group``, ``n``, ``mean``, ``mean_lower``, ``mean_upper``,
        ``share_negative``, ``negative_lower``, ``negative_upper``.
    """
    if not scores.index.equals(data.index):
        raise DataError("sentiment summary: the scores' index does not match the data's rows")
    if by is not None and by not in data.columns:
        raise DataError(f"sentiment summary: column '{by}' not in data")
    w = _resolve_weights(data, weights)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    comp = scores["compound"].to_numpy(float)
    neg = np.where(np.isfinite(comp), (comp <= NEGATIVE).astype(float), np.nan)
    if by is None:
        groups: list[tuple[Any, np.ndarray]] = [("all", np.ones(len(data), bool))]
    else:
        s = data[by]
        levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(
            s.dropna().unique().tolist(), key=str)
        groups = [(lev, (s == lev).to_numpy()) for lev in levels]
    rows = []
    for lev, m in groups:
        mean, lo, hi, n = _interval(np.where(m, comp, np.nan), w, 1, z)
        sh, slo, shi, _ = _interval(np.where(m, neg, np.nan), w, 0, z)
        rows.append({"by": by or "all", "group": lev, "n": n, "mean": mean, "mean_lower": lo,
                     "mean_upper": hi, "share_negative": sh,
                     "negative_lower": max(0.0, slo) if n else np.nan,
                     "negative_upper": min(1.0, shi) if n else np.nan})
    return pd.DataFrame(rows)


def theme_sentiment(data: pd.DataFrame, column: str,
                    codeframe: Study | Sequence[Theme | Any], *, weights: Any = None,
                    names: Iterable[str] = (), ci: float = 0.95) -> pd.DataFrame:
    """Sentiment of each theme of a code frame, from the sentences that mention it.

    Each answer is split into sentences; each sentence is scored with VADER and matched against
    the code frame's patterns.  A respondent's sentiment about a theme is the mean score of their
    sentences mentioning it; a respondent is *negative about* the theme when that mean is at or
    below −0.05.

    Returns
    -------
    DataFrame
        One row per theme, most customers touched first: ``theme``, ``label``, ``n_mentions``
        (respondents mentioning it), ``mean``, ``mean_lower``, ``mean_upper`` (compound score of
        those mentions), ``share_negative`` (of those mentioning it), ``negative_lower``,
        ``negative_upper``, ``reach_negative`` (share of all respondents who answered the
        question who are negative about the theme), ``reach_lower``, ``reach_upper``, ``rank``.
    """
    if column not in data.columns:
        raise DataError(f"theme sentiment: column '{column}' not in data")
    themes = _themes(codeframe)
    patterns = _compile(themes)
    w = _resolve_weights(data, weights)
    z = float(stats.norm.ppf(0.5 + ci / 2))
    _, masked = _masked_answers(data[column], names)
    answered = (masked != "").to_numpy()
    an = _analyzer()
    # Each distinct answer is read once (short answers repeat a lot; cost grows with the
    # distinct texts, not with the respondents).
    codes, texts = pd.factorize(masked.where(answered))
    distinct = {t.id: np.full(len(texts), np.nan) for t in themes}
    for j, txt in enumerate(tracked(texts, "sentiment by theme", unit="answer", every=500)):
        sums: dict[str, list[float]] = {}
        for sent in _SENTENCE.split(txt):
            if not sent.strip():
                continue
            hit = [t.id for t in themes if patterns[t.id].search(sent)]
            if hit:
                c = an.polarity_scores(sent)["compound"]
                for h in hit:
                    sums.setdefault(h, []).append(c)
        for h, cs in sums.items():
            distinct[h][j] = float(np.mean(cs))
    per = {}
    for t in themes:
        per[t.id] = np.full(len(data), np.nan)
        per[t.id][codes >= 0] = distinct[t.id][codes[codes >= 0]]
    rows = []
    for t in themes:
        c = per[t.id]
        neg = np.where(np.isfinite(c), (c <= NEGATIVE).astype(float), np.nan)
        mean, lo, hi, n = _interval(c, w, 1, z)
        sh, slo, shi, _ = _interval(neg, w, 0, z)
        reach = np.where(answered, np.nan_to_num(neg, nan=0.0), np.nan)
        r, rlo, rhi, _ = _interval(reach, w, 0, z)
        rows.append({"theme": t.id, "label": t.label, "n_mentions": n, "mean": mean,
                     "mean_lower": lo, "mean_upper": hi, "share_negative": sh,
                     "negative_lower": max(0.0, slo) if n else np.nan,
                     "negative_upper": min(1.0, shi) if n else np.nan,
                     "reach_negative": r, "reach_lower": max(0.0, rlo),
                     "reach_upper": min(1.0, rhi)})
    out = pd.DataFrame(rows).sort_values("reach_negative", ascending=False, kind="stable")
    out["rank"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


def negative_themes(table: pd.DataFrame, top: int = 3) -> pd.DataFrame:
    """The themes most customers are negative about (from :func:`theme_sentiment`), at most
    ``top``, leaving out themes nobody was negative about."""
    t = table[table["reach_negative"] > 0]
    return t.sort_values("reach_negative", ascending=False, kind="stable").head(top)
