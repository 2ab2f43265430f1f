"""Open-ended feedback: code frame, theme incidence, theme suggestions and safe example quotes.

A study's code frame (``codeframe:`` in the study file) lists themes, each with regular-expression
patterns (matched case-insensitively; put ``\\b`` where a word boundary matters) and optionally an
empathy-map quadrant (says / thinks / does / feels).  :func:`code_verbatims` applies it to the
study's open-ended columns: a comment mentions a theme when any of its patterns matches.
:func:`theme_incidence` gives the share of comments mentioning each theme — overall or by segment,
wave or NPS group — with a Wilson interval (with weights, on Kish's effective n).

For what the code frame misses, :func:`suggest_themes` fits TF-IDF + non-negative matrix
factorisation (scikit-learn) to the uncoded text and lists the top terms of each suggested theme:
by default the *clauses* no pattern matches (comments are split at ``. ! ? ;``), so a new topic
surfaces even when it shares a comment with known themes; ``unit="comment"`` uses only comments
with no theme at all.

Personal data
-------------
Every text these functions return passes through :func:`mask_quote`, which is
:func:`cvmkit.privacy.mask_pii` (the one masking of the package): the text is Unicode-normalised
(NFKC, so full-width ``＠`` and digits count), zero-width characters are removed, then e-mail
addresses (also written with "at"/"dot" tricks), phone numbers (seven or more digits in one run,
whatever the separators) and names are replaced by ``[email]``, ``[phone]`` and ``[name]``.  Names
are those declared (``names=``, e.g. from the study's PII name column, while it is still at hand)
and those a respondent gives themselves: after "my name is", "name:", "regards", "thanks",
"cheers", "signed", or as a signature after a dash at the end of a comment.  Masking errs on the
side of hiding: a long order number is masked as a phone number.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._patterns import Pattern, PatternError, compile_pattern
from .errors import AnalysisError, CvmkitWarning, DataError, StudySpecError
from .metrics import WeightsLike, _resolve_weights
from .privacy import mask_pii
from .progress import tracked
from .study import Study, Theme

__all__ = [
    "code_verbatims",
    "example_quotes",
    "mask_quote",
    "suggest_themes",
    "theme_incidence",
    "themes_table",
]

_MASK_TOKENS = re.compile(r"\[(?:email|phone|name)\]")


def mask_quote(text: str | pd.Series, names: Iterable[str] = ()) -> str | pd.Series:
    """Mask e-mail addresses, phone numbers and names: :func:`cvmkit.privacy.mask_pii`.

    Parameters
    ----------
    text : str or Series
    names : iterable of str
        Declared names to mask (full names and their parts of three or more letters).

    Returns
    -------
    str or Series
        The masked text (missing values stay missing).

    Examples
    --------
    >>> mask_quote("Great! ｊｏ＠ｅｘａｍｐｌｅ．ｃｏｍ / +44 (0)20 7946 0958 - Jo Bloggs")
    'Great! [email] / [phone] - [name]'
    """
    return mask_pii(text, names)


# ---------------------------------------------------------------------------- code frame
def _themes(codeframe: Study | Sequence[Theme | Mapping]) -> list[Theme]:
    raw = codeframe.codeframe if isinstance(codeframe, Study) else codeframe
    themes: list[Theme] = []
    for i, th in enumerate(raw):
        if isinstance(th, Theme):
            themes.append(th)
        elif isinstance(th, Mapping) and th.get("id"):
            pats = th.get("patterns") or th.get("keywords") or []
            pats = [pats] if isinstance(pats, str) else list(pats)
            themes.append(Theme(str(th["id"]), str(th.get("label", th["id"])),
                                tuple(str(p) for p in pats), th.get("quadrant")))
        else:
            raise StudySpecError([f"codeframe[{i}]: expected a theme {{id, label, patterns}}, "
                                  f"got {th!r}"])
    if not themes:
        raise StudySpecError(["codeframe: no themes declared"])
    ids = [t.id for t in themes]
    dup = {x for x in ids if ids.count(x) > 1}
    if dup:
        raise StudySpecError([f"codeframe: duplicate theme id(s) {sorted(dup)}"])
    return themes


def _compile(themes: list[Theme]) -> dict[str, Pattern]:
    """Each theme's patterns as one compiled alternation, by an engine that cannot hang
    (:func:`cvmkit._patterns.compile_pattern`)."""
    problems, out = [], {}
    for i, t in enumerate(themes):
        if not t.patterns:
            problems.append(f"codeframe[{i}].patterns: theme '{t.id}' has no patterns")
            continue
        parts = []
        for j, p in enumerate(t.patterns):
            try:
                compile_pattern(p)
            except PatternError as exc:
                problems.append(f"codeframe[{i}].patterns[{j}]: pattern {str(p)[:80]!r} of "
                                f"theme '{t.id}': {exc}")
            else:
                parts.append(f"(?:{p})")
        if parts:
            out[t.id] = compile_pattern("|".join(parts))
    if problems:
        raise StudySpecError(problems)
    return out


def themes_table(codeframe: Study | Sequence[Theme | Mapping]) -> pd.DataFrame:
    """The code frame as a table: ``theme, label, quadrant, patterns``.

    Examples
    --------
    >>> themes_table([{"id": "app", "label": "Mobile app", "patterns": [r"\\bapp\\b"]}])
    ... # doctest: +NORMALIZE_WHITESPACE
      theme       label quadrant patterns
    0   app  Mobile app     None  \\bapp\\b
    """
    themes = _themes(codeframe)
    _compile(themes)
    return pd.DataFrame({"theme": [t.id for t in themes], "label": [t.label for t in themes],
                         "quadrant": [t.quadrant for t in themes],
                         "patterns": [" | ".join(t.patterns) for t in themes]})


def code_verbatims(data: pd.DataFrame, codeframe: Study | Sequence[Theme | Mapping], *,
                   columns: Sequence[str] | None = None, id_column: str | None = None,
                   keep: Sequence[str] = (), names: Iterable[str] = ()) -> pd.DataFrame:
    """Apply a code frame to open-ended answers.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    codeframe : Study or sequence of Theme / mapping
        The themes; with a :class:`~cvmkit.study.Study` its ``codeframe``, ``verbatims`` and
        ``respondent_id`` are used.
    columns : sequence of str, optional
        The open-ended columns (default: the study's ``verbatims``).
    id_column : str, optional
        The respondent id column (default: the study's).
    keep : sequence of str
        Respondent columns to carry along (segment, wave, NPS group, weight …).
    names : iterable of str
        Declared names to mask in the text.

    Returns
    -------
    DataFrame
        One row per non-empty answer: ``[id], question, [keep…], text, <one boolean column per
        theme id>, n_themes, coded`` — ``text`` is masked (:func:`mask_quote`), the themes are
        matched on the masked text.

    Raises
    ------
    StudySpecError
        When a pattern does not compile (every such pattern named with its key path).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"why": ["The app crashed", "Lovely staff", None]})
    >>> cf = [{"id": "app", "patterns": [r"\\bapp\\b"]}, {"id": "staff", "patterns": ["staff"]}]
    >>> code_verbatims(d, cf, columns=["why"])[["app", "staff"]].to_numpy().tolist()
    [[True, False], [False, True]]
    """
    themes = _themes(codeframe)
    patterns = _compile(themes)
    study = codeframe if isinstance(codeframe, Study) else None
    cols = list(columns) if columns is not None else list(study.verbatims if study else [])
    if not cols:
        raise AnalysisError("columns: no open-ended columns given (and the study declares no "
                            "verbatims)")
    idc = id_column if id_column is not None else (study.respondent_id if study else None)
    for c in [*cols, *keep, *([idc] if idc else [])]:
        if c not in data.columns:
            raise DataError(f"column '{c}' not in data")
    parts = []
    for q in cols:
        raw = data[q]
        text = raw.where(raw.notna(), "").astype(str).str.strip()
        answered = (text != "").to_numpy()
        frame = pd.DataFrame(index=data.index[answered])
        if idc:
            frame[idc] = data.loc[answered, idc].to_numpy()
        frame["question"] = q
        for k in keep:
            frame[k] = data.loc[answered, k].to_numpy()
        frame["text"] = mask_quote(text[answered], names).to_numpy()
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    codes, distinct = pd.factorize(out["text"])  # each distinct answer matched once
    for t in tracked(themes, "coding comments", unit="theme"):
        p = patterns[t.id]
        hits = np.array([bool(p.search(s)) for s in distinct], dtype=bool)
        out[t.id] = hits[codes]
    ids = [t.id for t in themes]
    out["n_themes"] = out[ids].sum(axis=1).astype(int)
    out["coded"] = out["n_themes"] > 0
    return out


# ---------------------------------------------------------------------------- incidence
def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    if n <= 0 or not np.isfinite(p):
        return np.nan, np.nan
    den = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def theme_incidence(coded: pd.DataFrame, codeframe: Study | Sequence[Theme | Mapping], *,
                    by: str | None = None, weights: WeightsLike = None,
                    confidence: float = 0.95, include_uncoded: bool = True) -> pd.DataFrame:
    """Share of comments mentioning each theme, overall or by group, with a Wilson interval.

    Parameters
    ----------
    coded : DataFrame
        From :func:`code_verbatims`.
    codeframe : Study or sequence of Theme / mapping
        The same code frame (for the theme labels and quadrants).
    by : str, optional
        A column of ``coded`` (carried with ``keep=``), e.g. a segment, the wave or an NPS group.
    weights : str or array-like, optional
        A weight column of ``coded`` or one weight per row; the interval then uses Kish's
        effective n.
    confidence : float
    include_uncoded : bool
        Add a row ``theme = "(uncoded)"``: the share of comments no theme matches.

    Returns
    -------
    DataFrame
        ``[by], theme, label, quadrant, n, n_eff, mentions, incidence, ci_low, ci_high`` —
        ``n`` comments in the group, ``mentions`` those mentioning the theme.

    Examples
    --------
    >>> import pandas as pd
    >>> cf = [{"id": "app", "patterns": [r"\\bapp\\b"]}]
    >>> coded = code_verbatims(pd.DataFrame({"q": ["app ok", "fine", "app bad", "meh"]}), cf,
    ...                        columns=["q"])
    >>> theme_incidence(coded, cf, include_uncoded=False)["incidence"].tolist()
    [0.5]
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence: expected a level between 0 and 1, got {confidence!r}")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    themes = _themes(codeframe)
    missing = [t.id for t in themes if t.id not in coded.columns]
    if missing:
        raise DataError(f"coded: theme column(s) {missing} not found; code the comments with "
                        "code_verbatims() and the same code frame")
    if coded.empty:
        raise AnalysisError("coded: there are no comments to count")
    w = _resolve_weights(coded, weights)
    if by is not None and by not in coded.columns:
        raise DataError(f"by: column '{by}' not in the coded comments (carry it with keep=)")
    if by is None:
        groups = [(None, np.ones(len(coded), bool))]
    else:
        col = coded[by]
        levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
                  else sorted(col.dropna().unique(), key=str))
        groups = [(g, (col == g).to_numpy()) for g in levels]
    rows = []
    items = [(t.id, t.label, t.quadrant, coded[t.id].to_numpy(bool)) for t in themes]
    if include_uncoded:
        uncoded = ~coded[[t.id for t in themes]].to_numpy(bool).any(axis=1)
        items.append(("(uncoded)", "Not matched by the code frame", None, uncoded))
    for g, m in groups:
        m = m & (w > 0)
        ww = w[m]
        if not m.any():
            warnings.warn(f"theme_incidence: no comments where {by} = {g!r}: skipped",
                          CvmkitWarning, stacklevel=2)
        sw = ww.sum()
        n_eff = float(sw**2 / np.dot(ww, ww)) if m.any() else 0.0
        for tid, label, quad, hit in items:
            p = float(np.dot(ww, hit[m]) / sw) if m.any() else np.nan
            lo, hi = _wilson(p, n_eff, z)
            row = {} if by is None else {by: g}
            row.update(theme=tid, label=label, quadrant=quad, n=int(m.sum()), n_eff=n_eff,
                       mentions=int(hit[m].sum()), incidence=p, ci_low=lo, ci_high=hi)
            rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- suggestions
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")


def _uncoded_units(coded: pd.DataFrame, themes: list[Theme], unit: str) -> list[str]:
    ids = [t.id for t in themes]
    if unit == "comment":
        return coded.loc[~coded[ids].any(axis=1), "text"].tolist()
    patterns = _compile(themes)
    clauses: dict[str, list[str]] = {}  # the uncoded clauses of each distinct answer
    out = []
    for text in coded["text"]:
        if text not in clauses:
            clauses[text] = [c for c in (cl.strip(" .!?;") for cl in _SPLIT.split(text))
                             if c and not any(p.search(c) for p in patterns.values())]
        out.extend(clauses[text])
    return out


def suggest_themes(coded: pd.DataFrame, codeframe: Study | Sequence[Theme | Mapping], *,
                   n_themes: int = 4, n_terms: int = 6, unit: str = "clause", min_df: int = 2,
                   seed: int = 0) -> pd.DataFrame:
    """Suggest new themes from the text the code frame leaves uncoded (TF-IDF + NMF).

    Parameters
    ----------
    coded : DataFrame
        From :func:`code_verbatims`.
    codeframe : Study or sequence of Theme / mapping
        The code frame used.
    n_themes : int
        Number of suggestions (NMF components).
    n_terms : int
        Top terms listed per suggestion.
    unit : {"clause", "comment"}
        Fit on uncoded clauses of every comment, or on wholly uncoded comments only.
    min_df : int
        Ignore terms found in fewer units than this.
    seed : int
        Seed of the NMF initialisation.

    Returns
    -------
    DataFrame
        ``suggestion, top_terms, units, share, example`` — ``units`` is how many uncoded units
        load most on the suggestion, ``share`` that as a share of all uncoded units, ``example``
        the unit loading highest (masked).

    Examples
    --------
    >>> suggest_themes(coded, study, n_themes=4, seed=1)  # doctest: +SKIP
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    if unit not in ("clause", "comment"):
        raise AnalysisError(f"unit: expected 'clause' or 'comment', got {unit!r}")
    if n_themes < 1 or n_terms < 1:
        raise AnalysisError("n_themes and n_terms must be at least 1")
    themes = _themes(codeframe)
    if "text" not in coded.columns:
        raise DataError("coded: no 'text' column; code the comments with code_verbatims()")
    units = [u for u in (mask_quote(u) for u in _uncoded_units(coded, themes, unit))
             if _MASK_TOKENS.sub("", u).strip()]
    if len(units) < max(n_themes, 2) * 2:
        raise AnalysisError(f"suggest_themes: only {len(units)} uncoded {unit}(s); too few for "
                            f"{n_themes} suggestion(s)")
    vec = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=min_df,
                          sublinear_tf=True, token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b")
    try:
        x = vec.fit_transform([_MASK_TOKENS.sub(" ", u) for u in units])
    except ValueError as exc:
        raise AnalysisError(
            f"suggest_themes: no usable terms in the uncoded text ({exc})") from None
    k = min(n_themes, x.shape[1])
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)
        doc_topic = model.fit_transform(x)
    terms = np.asarray(vec.get_feature_names_out())
    dominant = doc_topic.argmax(axis=1)
    has_any = doc_topic.max(axis=1) > 0
    rows = []
    for j in range(k):
        top = terms[np.argsort(model.components_[j])[::-1][:n_terms]]
        members = has_any & (dominant == j)
        ex = units[int(np.argmax(doc_topic[:, j]))]
        rows.append({"suggestion": j + 1, "top_terms": ", ".join(top),
                     "units": int(members.sum()), "share": float(members.sum() / len(units)),
                     "example": mask_quote(ex)})
    out = pd.DataFrame(rows).sort_values("units", ascending=False, kind="stable")
    out["suggestion"] = np.arange(1, len(out) + 1)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------- quotes
def example_quotes(coded: pd.DataFrame, codeframe: Study | Sequence[Theme | Mapping], *,
                   n: int = 2, seed: int = 0, by: str | None = None, max_chars: int = 160,
                   names: Iterable[str] = ()) -> pd.DataFrame:
    """Example comments for each theme, with personal data masked.

    Parameters
    ----------
    coded : DataFrame
        From :func:`code_verbatims`.
    codeframe : Study or sequence of Theme / mapping
    n : int
        Quotes per theme (and group).
    seed : int
        Which comments are drawn (same seed, same quotes).
    by : str, optional
        Draw ``n`` quotes per level of this column (e.g. the NPS group).
    max_chars : int
        Longer comments are cut at a word boundary and end with "…".
    names : iterable of str
        Declared names to mask as well.

    Returns
    -------
    DataFrame
        ``theme, label, [by], quote`` — every quote masked again with :func:`mask_quote`.

    Examples
    --------
    >>> import pandas as pd
    >>> cf = [{"id": "app", "patterns": [r"\\bapp\\b"]}]
    >>> coded = code_verbatims(pd.DataFrame({"q": ["The app is great, call 07700 900123"]}),
    ...                        cf, columns=["q"])
    >>> example_quotes(coded, cf)["quote"].tolist()
    ['The app is great, call [phone]']
    """
    themes = _themes(codeframe)
    if n < 1:
        raise AnalysisError(f"n: expected at least one quote per theme, got {n!r}")
    if by is not None and by not in coded.columns:
        raise DataError(f"by: column '{by}' not in the coded comments (carry it with keep=)")
    rng = np.random.default_rng(seed)
    rows = []
    for t in themes:
        if t.id not in coded.columns:
            raise DataError(f"coded: theme column '{t.id}' not found")
        sub = coded[coded[t.id]]
        groups = [(None, sub)] if by is None else [
            (g, sub[sub[by] == g]) for g in sorted(sub[by].dropna().unique(), key=str)]
        for g, s in groups:
            if s.empty:
                continue
            pick = rng.choice(len(s), size=min(n, len(s)), replace=False)
            for i in sorted(pick):
                q = str(mask_quote(s["text"].iloc[i], names))
                if len(q) > max_chars:
                    q = q[:max_chars].rsplit(" ", 1)[0] + " …"
                row = {"theme": t.id, "label": t.label}
                if by is not None:
                    row[by] = g
                row["quote"] = q
                rows.append(row)
    cols = ["theme", "label", *([by] if by else []), "quote"]
    return pd.DataFrame(rows, columns=cols)
