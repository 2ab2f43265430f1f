"""Reading survey exports into one tidy respondent-level frame.

Survey data arrive as CSV/TSV, Excel, SPSS ``.sav``, Qualtrics CSV exports or Parquet.
:func:`read_responses` reads any of them into a DataFrame with one row per respondent and one
column per question; :func:`prepare_responses` then checks that frame against the study and
applies the study's coding rules (declared missing codes become missing, reverse-keyed items are
recoded, rating columns become numeric); :func:`load_responses` does both.

Reading never changes the file it reads.  Every problem names the file, column, row or study
key at fault.

The readers are thin layers over pandas and pyreadstat; what they add is the survey-specific
part: recognising a Qualtrics export's two extra header rows, keeping SPSS value labels as
categories except on columns the study treats as numbers, and one dtype convention across
formats (whole-number columns without gaps are integers, text columns are strings, empty text
is missing) so that the same data read from any format gives the same frame.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CvmkitWarning, DataError, StudySpecError
from ..study import Scale, Study, validate_study

__all__ = [
    "FORMATS",
    "load_responses",
    "load_study_data",
    "numeric_columns",
    "out_of_range",
    "prepare_responses",
    "read_responses",
]

#: Formats :func:`read_responses` understands, and the file extensions that imply them.
FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv", ".txt"),
    "tsv": (".tsv", ".tab"),
    "qualtrics": (),
    "excel": (".xlsx", ".xlsm", ".xls"),
    "spss": (".sav", ".zsav"),
    "parquet": (".parquet", ".pq"),
}

_MAX_LISTED = 5  # rows/values listed in one message before "… and N more"


# ---------------------------------------------------------------------- reading
def read_responses(
    path: str | Path,
    study: Study | None = None,
    *,
    format: str | None = None,  # noqa: A002 - the natural name for the argument
    sheet: int | str = 0,
) -> pd.DataFrame:
    """Read a survey export into a DataFrame, one row per respondent.

    Parameters
    ----------
    path : str or Path
        The data file.
    study : Study, optional
        Used for SPSS files: value labels become categories except on the columns the study
        treats as numbers (ratings, Kano answers, prices, durations, weights — see
        :func:`numeric_columns`), which keep their numeric codes.  Without a study every
        labelled column becomes a category (the codes stay recoverable, see Notes).
    format : {"csv", "tsv", "qualtrics", "excel", "spss", "parquet"}, optional
        Inferred from the extension when omitted.  A ``.csv`` file is recognised as a
        Qualtrics export by its third row (``{"ImportId": ...}``).
    sheet : int or str, default 0
        The Excel sheet to read.

    Returns
    -------
    DataFrame
        Columns as in the file (names stripped of surrounding spaces), a fresh RangeIndex.
        Whole-number columns without missing values are ``int64``, other numbers ``float64``,
        text columns strings with empty text as missing.

    Raises
    ------
    DataError
        The file is missing, empty, has no rows, is in an unknown format or cannot be read;
        the message names the file.

    Notes
    -----
    Qualtrics CSV exports carry two extra rows under the header: the question text and a row of
    ``{"ImportId": "QID1"}`` tags.  Both are dropped and the columns re-typed, so ratings come
    back as numbers.  An SPSS column becomes a category only when every value in it has a
    label (a rating scale with labelled end points only keeps its codes).  For SPSS files the
    value labels of every labelled column are kept in
    ``frame.attrs["value_labels"]`` (``{column: {code: label}}``), which lets
    :func:`prepare_responses` turn a labelled rating column read without a study back into codes.

    Examples
    --------
    >>> from cvmkit.io import read_responses
    >>> raw = read_responses("data/demo/responses.csv")  # doctest: +SKIP
    >>> raw.columns[:3].tolist()  # doctest: +SKIP
    ['resp_id', 'wave', 'segment']
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"data file '{p}' does not exist")
    if not p.is_file():
        raise DataError(f"data file '{p}' is not a file")
    if p.stat().st_size == 0:
        raise DataError(f"data file '{p}' is empty (0 bytes)")
    fmt = _infer_format(p, format)
    try:
        if fmt in ("csv", "tsv", "qualtrics"):
            frame = _read_text(p, fmt)
        elif fmt == "excel":
            frame = pd.read_excel(p, sheet_name=sheet)
        elif fmt == "spss":
            frame = _read_spss(p, study)
        else:
            frame = pd.read_parquet(p)
    except DataError:
        raise
    except ImportError as exc:
        raise DataError(f"cannot read '{p}' as {fmt}: a package is missing ({exc})") from None
    except (ValueError, KeyError) as exc:
        if fmt == "excel" and ("worksheet" in str(exc).lower() or "sheet" in str(exc).lower()):
            raise DataError(f"cannot read '{p}': sheet {sheet!r} not found ({exc})") from None
        raise DataError(f"cannot read '{p}' as {fmt}: {exc}") from None
    except Exception as exc:  # any parser failure becomes one clear message naming the file
        raise DataError(f"cannot read '{p}' as {fmt}: {type(exc).__name__}: {exc}") from None
    if frame.shape[1] == 0:
        raise DataError(f"data file '{p}' has no columns")
    if frame.shape[0] == 0:
        raise DataError(f"data file '{p}' has a header but no respondents (0 rows)")
    return _tidy(frame)


def _infer_format(p: Path, format: str | None) -> str:  # noqa: A002
    if format is not None:
        fmt = format.lower()
        aliases = {"xlsx": "excel", "xls": "excel", "sav": "spss", "pq": "parquet"}
        fmt = aliases.get(fmt, fmt)
        if fmt not in FORMATS:
            raise DataError(
                f"cannot read '{p}': unknown format '{format}' (known: {', '.join(FORMATS)})"
            )
        return fmt
    suffix = p.suffix.lower()
    for fmt, exts in FORMATS.items():
        if suffix in exts:
            return fmt
    known = ", ".join(e for exts in FORMATS.values() for e in exts)
    raise DataError(
        f"cannot tell the format of '{p}' from its extension '{suffix}' (known: {known}); "
        "pass format=..."
    )


def _decode(p: Path) -> str:
    """The file's text: UTF-8, UTF-16 (with its byte-order mark), else Windows-1252/Latin-1,
    the last two with a warning (a wrong guess garbles accented letters, never numbers)."""
    raw = p.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"cannot read '{p}': it starts like UTF-16 text but is not") from None
        warnings.warn(f"data file '{p}': read as UTF-16 text (Excel's 'Unicode text'); UTF-8 "
                      "is the safer export", CvmkitWarning, stacklevel=3)
        return text
    if b"\x00" in raw[:_HEAD_BYTES]:
        raise DataError(f"cannot read '{p}' as text: it holds binary data (is it a workbook, "
                        "SPSS or Parquet file with the wrong extension?)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = raw[:exc.start].count(b"\n") + 1
    for enc, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        warnings.warn(f"data file '{p}': not UTF-8 (line {where}), read as {name} "
                      "(Latin-1) text; check that accented letters look right",
                      CvmkitWarning, stacklevel=3)
        return text
    raise DataError(f"cannot decode '{p}' as UTF-8 or Latin-1 text")  # pragma: no cover


def _layout(text: str, fmt: str) -> tuple[str, list[int]]:
    """The delimiter (the most frequent candidate of the header line) and the rows under the
    header to skip (a Qualtrics export's question text and ImportId rows) of a text export."""
    first = text.lstrip().splitlines()[0]
    if fmt == "tsv":
        sep = "\t"
    else:
        counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
        sep = max(counts, key=lambda d: counts[d]) if max(counts.values()) else ","
    head = list(csv.reader(io.StringIO("\n".join(text.splitlines()[:3])), delimiter=sep))
    skip: list[int] = []
    if len(head) >= 3 and any(c.strip().startswith('{"ImportId"') for c in head[2]):
        skip = [1, 2]  # question-text row and ImportId row of a Qualtrics export
    elif fmt == "qualtrics" and len(head) >= 2:
        skip = [1]  # an older export: question text only
    return sep, skip


_HEAD_BYTES = 1 << 20


def _read_text(p: Path, fmt: str) -> pd.DataFrame:
    frame = _read_text_arrow(p, fmt)
    if frame is None:
        frame, sep = _read_text_pandas(p, fmt)
    else:
        frame, sep = frame
    return _decimal_commas(frame) if sep != "," else frame


def _read_text_pandas(p: Path, fmt: str) -> tuple[pd.DataFrame, str]:
    text = _decode(p)
    if not text.strip():
        raise DataError(f"data file '{p}' is empty (only blank lines)")
    sep, skip = _layout(text, fmt)
    frame = pd.read_csv(io.StringIO(text), sep=sep, skiprows=skip, skipinitialspace=False,
                        keep_default_na=True)
    _check_records(p, text, sep, skip)
    return frame, sep


def _check_records(p: Path, text: str, sep: str, skip: list[int]) -> None:
    """A header naming a column twice (pandas would rename the second ``x.1``) is an error;
    rows with fewer fields than the header (a file cut short, a lost delimiter) a warning."""
    records = csv.reader(io.StringIO(text), delimiter=sep)
    header = [h.strip() for h in next(records, [])]
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise DataError(f"data file '{p}': the header names column(s) {', '.join(twice)} "
                        "twice; rename one of each pair")
    short, row = [], -1
    for i, rec in enumerate(records, start=1):
        if i in skip or not rec or rec == [""]:
            continue
        row += 1
        if len(rec) < len(header):
            short.append((row, len(rec)))
    if short:
        listed = "; ".join(f"row {r} has {n}" for r, n in short[:_MAX_LISTED])
        more = f" … and {len(short) - _MAX_LISTED} more" if len(short) > _MAX_LISTED else ""
        warnings.warn(f"data file '{p}': {len(short)} row(s) with fewer fields than the "
                      f"header's {len(header)} ({listed}{more}); the missing fields are read as "
                      "no answer — is the file cut short?", CvmkitWarning, stacklevel=3)


#: Text pandas reads as missing (its default ``na_values``), for pyarrow.
_NA_TEXT = sorted({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                   "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                   "nan", "null"})


def _read_text_arrow(p: Path, fmt: str) -> tuple[pd.DataFrame, str] | None:
    """A UTF-8 text export read by pyarrow's multi-threaded parser straight from the file, or
    ``None`` where the result could differ from pandas' reading (the caller then reads it as
    before): another encoding, a header with blank or repeated names, a ragged row, text with
    spaces around a number, dates, or anything else pyarrow refuses."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    with p.open("rb") as fh:
        raw = fh.read(_HEAD_BYTES)
        whole = len(raw) < _HEAD_BYTES
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not whole:
        raw = raw[: raw.rfind(b"\n") + 1]
    try:
        head = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not head.strip() or head[:1].isspace() or len(head.splitlines()) < (2 if whole else 4):
        return None
    sep, skip = _layout(head, fmt)
    names = next(csv.reader(io.StringIO(head.splitlines()[0]), delimiter=sep))
    stripped = [n.strip() for n in names]
    if not all(stripped) or len(set(stripped)) != len(stripped) or '"' in head.splitlines()[0]:
        return None
    try:
        table = pacsv.read_csv(
            p,
            read_options=pacsv.ReadOptions(skip_rows_after_names=len(skip)),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(null_values=_NA_TEXT, strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True,
                                                 timestamp_parsers=[]),
        )
    except (pa.ArrowException, OSError, ValueError):
        return None
    text_type = pd.StringDtype("pyarrow", np.nan)
    texts = []
    for field in table.schema:
        t = field.type
        if pa.types.is_null(t):
            continue
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            texts.append(field.name)
        elif not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)):
            return None  # dates, times, decimals: pandas keeps them as text
    frame = table.to_pandas(split_blocks=True, self_destruct=True,
                            types_mapper={pa.string(): text_type,
                                          pa.large_string(): text_type}.get)
    del table
    for name, col in list(frame.items()):
        if col.dtype == object and col.isna().all():  # an empty column: all missing numbers
            frame[name] = np.full(len(frame), np.nan)
    if any(_numbers_in_spaces(frame[c]) for c in texts):
        return None
    if list(frame.columns) != names:
        return None
    return frame, sep


def _numbers_in_spaces(s: pd.Series) -> bool:
    """Whether a text column holds numbers written with spaces around them (which pandas reads
    as numbers and pyarrow as text)."""
    padded = s.str.len() != s.str.strip().str.len()
    if not padded.any():
        return False
    num = pd.to_numeric(s.str.strip(), errors="coerce")
    return bool((num.notna() | s.isna()).all())


_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d*,\d+\s*$")
_WHOLE = re.compile(r"^\s*[-+]?\d+\s*$")


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """Read ``1,225`` as 1.225 in a column whose every value is a number written with a
    decimal comma (an export with ``;`` or tab delimiters from a locale that writes them)."""
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        txt = s.dropna().astype(str)
        if txt.empty:
            continue
        comma = txt.str.match(_DECIMAL_COMMA)
        if comma.any() and (comma | txt.str.match(_WHOLE)).all():
            frame[col] = pd.to_numeric(s.astype("string").str.replace(",", ".", regex=False),
                                       errors="coerce").astype(float)
    return frame


def _read_spss(p: Path, study: Study | None) -> pd.DataFrame:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(p), apply_value_formats=False,
                                      user_missing=False)
    labels: dict[str, dict[Any, str]] = {}
    for col, label_set in (meta.variable_to_label or {}).items():
        vl = (meta.value_labels or {}).get(label_set)
        if vl and col in frame.columns:
            labels[col] = dict(vl)
    keep_codes = numeric_columns(study) if study is not None else set()
    for col, vl in labels.items():
        if col in keep_codes:
            continue
        s = frame[col]
        values = set(s.dropna().unique())
        # only a column whose every value has a label becomes a category
        if not values <= set(vl):
            continue
        codes = sorted(vl)
        cats = [vl[c] for c in codes]
        if len(set(cats)) != len(cats):  # two codes share a label: keep the codes
            continue
        frame[col] = pd.Categorical(s.map(vl), categories=cats)
    frame.attrs["value_labels"] = {c: {_plain_number(k): v for k, v in vl.items()}
                                   for c, vl in labels.items()}
    return frame


def _plain_number(x: Any) -> Any:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """One dtype convention for every format (see :func:`read_responses`)."""
    attrs = dict(frame.attrs)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    dups = frame.columns[frame.columns.duplicated()].unique().tolist()
    if dups:
        raise DataError(f"the data has duplicate column names: {', '.join(map(str, dups))}")
    out = {}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = s
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s
        elif pd.api.types.is_numeric_dtype(s):
            out[col] = _int_if_whole(s)
        elif isinstance(s.dtype, pd.StringDtype):  # text only: strip and blank in one pass each
            t = s.str.strip()
            t = t.astype(object).where(t.notna() & (t != ""), np.nan).infer_objects()
            out[col] = _int_if_whole(t) if pd.api.types.is_numeric_dtype(t) else t
        else:
            s = s.astype(object).where(s.notna(), np.nan)
            if s.map(lambda v: isinstance(v, str)).any():
                s = s.map(lambda v: v.strip() if isinstance(v, str) else v)
                s = s.where(s != "", np.nan)
            s = s.infer_objects()
            out[col] = _int_if_whole(s) if pd.api.types.is_numeric_dtype(s) else s
    tidy = pd.DataFrame(out, index=frame.index)
    tidy.attrs = attrs
    return tidy


def _int_if_whole(s: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(s) and s.notna().all() and len(s):
        v = s.to_numpy()
        if np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.all(np.abs(v) < 2**53):
            return s.astype("int64")
    return s


# ---------------------------------------------------------------------- study columns
def numeric_columns(study: Study) -> set[str]:
    """Every column the study treats as a number.

    Rated columns (``study.column_scales()``), Kano answers, price questions (Van Westendorp,
    purchase likelihood, Gabor–Granger), the interview duration and the weight column.
    """
    cols = set(study.column_scales())
    for pair in study.kano_pairs().values():
        cols.update((pair.functional, pair.dysfunctional))
    for group in ("van_westendorp", "purchase_likelihood"):
        cols.update(str(c) for c in (study.price.get(group) or {}).values())
    cols.update(str(c) for c in (study.price.get("gabor_granger") or {}).get("columns", []))
    if study.quality.get("duration"):
        cols.add(str(study.quality["duration"]))
    if study.weights.get("column"):
        cols.add(str(study.weights["column"]))
    return cols


def _kano_columns(study: Study) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, a in enumerate(study.attributes):
        if a.kano:
            out.setdefault(a.kano.functional, f"attributes[{i}].kano.functional")
            out.setdefault(a.kano.dysfunctional, f"attributes[{i}].kano.dysfunctional")
    return out


def out_of_range(data: pd.DataFrame, study: Study) -> dict[str, pd.Series]:
    """The out-of-range answers of each checked column: ``{column: boolean Series}``.

    A rated column's valid answers run from its scale's ``min`` to ``max`` (declared missing
    codes are not out of range: they mean "no answer"); a Kano column's valid answers are the
    study's ``kano_codes``.  Missing values and non-numeric columns are never flagged.  Only
    columns present in ``data`` are returned.
    """
    out: dict[str, pd.Series] = {}
    for col, scale in study.column_scales().items():
        if col in data.columns and pd.api.types.is_numeric_dtype(data[col]):
            v = data[col].astype(float).to_numpy()
            bad = ~np.isnan(v) & ((v < scale.min) | (v > scale.max))
            if scale.missing:
                bad &= ~np.isin(v, [float(m) for m in scale.missing])
            out[col] = pd.Series(bad, index=data.index, name=col)
    allowed = [float(c) for c in study.kano_codes.values()]
    for col in _kano_columns(study):
        if col in data.columns and pd.api.types.is_numeric_dtype(data[col]) and col not in out:
            v = data[col].astype(float).to_numpy()
            out[col] = pd.Series(~np.isnan(v) & ~np.isin(v, allowed), index=data.index, name=col)
    return out


def _rows(ids: pd.Series, mask: pd.Series, values: pd.Series | None = None) -> str:
    """``row 3 (id R004) = 11; …`` for the rows of ``mask``, at most a few of them."""
    pos = np.flatnonzero(mask.to_numpy())
    parts = []
    for i in pos[:_MAX_LISTED]:
        txt = f"row {mask.index[i]} (id {ids.iloc[i]})"
        if values is not None:
            txt += f" = {_fmt(values.iloc[i])}"
        parts.append(txt)
    if len(pos) > _MAX_LISTED:
        parts.append(f"… and {len(pos) - _MAX_LISTED} more")
    return "; ".join(parts)


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def _coerce_numeric(s: pd.Series, labels: dict[Any, str] | None) -> pd.Series:
    """A rated column as numbers, or unchanged when some value is not a number."""
    if pd.api.types.is_bool_dtype(s):
        return s
    if pd.api.types.is_numeric_dtype(s):
        return s
    if isinstance(s.dtype, pd.CategoricalDtype) and labels:
        back = {str(v): k for k, v in labels.items()}
        mapped = s.astype(object).map(lambda v: back.get(str(v), v) if pd.notna(v) else np.nan)
        return _coerce_numeric(mapped.astype(object), None)
    obj = s.astype(object)
    txt = obj.map(lambda v: v.strip() if isinstance(v, str) else v)
    txt = txt.where(txt != "", np.nan)
    num = pd.to_numeric(txt, errors="coerce")
    if (num.isna() & txt.notna()).any():
        return s  # leave it: validation names the first value that is not a number
    return num.astype(float)


# ---------------------------------------------------------------------- preparing
def prepare_responses(raw: pd.DataFrame, study: Study, source: str | None = None) -> pd.DataFrame:
    """Check survey data against the study and apply its coding rules.

    In order: rated columns held as text are turned into numbers where every value is one;
    the data are checked with :func:`cvmkit.study.validate_study` plus the checks below (every
    problem reported at once); each rated column's declared missing codes (its scale's
    ``missing``) become NaN; out-of-range answers are reported; reverse-keyed columns
    (``study.reverse``) are recoded ``x -> min + max - x`` on their scale.

    Parameters
    ----------
    raw : DataFrame
        As returned by :func:`read_responses`.  It is not modified.
    study : Study
    source : str, optional
        The data file, named in messages.

    Returns
    -------
    DataFrame
        A new frame with the same rows and columns; rated columns are ``float64``.

    Raises
    ------
    StudySpecError
        Listing every problem with its key path: a column the study names that is not in the
        data, a rated column that is not numeric (naming the first offending row and value), a
        missing respondent id, a segment column with no respondents (every value missing), a
        weighting target level no respondent has, a reverse-keyed column without a scale.

    Warns
    -----
    CvmkitWarning
        * A rating outside its scale (naming column, rows, respondent ids and values).  The
          value is left in place so that :func:`cvmkit.quality.flag_quality` counts it and the
          analyst decides: :func:`cvmkit.quality.blank_out_of_range` turns such codes into NaN,
          :func:`cvmkit.quality.exclude` drops the respondents.  (A reverse-keyed answer
          outside its scale stays outside it after recoding.)
        * Duplicate respondent ids (naming them).  Every copy is kept here;
          :func:`cvmkit.quality.flag_quality` flags the later copies as ``duplicate``.

    Examples
    --------
    >>> from cvmkit.io import read_responses, prepare_responses
    >>> from cvmkit.study import load_study
    >>> study = load_study("data/demo/study.yaml")  # doctest: +SKIP
    >>> data = prepare_responses(read_responses(study.data_path, study), study)  # doctest: +SKIP
    """
    if not isinstance(raw, pd.DataFrame):
        raise DataError(f"expected a DataFrame of responses, got {type(raw).__name__}")
    where = f" of {source}" if source else ""
    study = study.bind(raw.columns)
    data = raw.copy(deep=True)
    data.attrs = dict(raw.attrs)
    if study.numbered_rows and study.respondent_id not in data.columns:
        data.insert(0, study.respondent_id, np.arange(1, len(data) + 1, dtype=np.int64))
    scales = study.column_scales()
    value_labels = raw.attrs.get("value_labels") or {}
    for col in numeric_columns(study):
        if col in data.columns:
            data[col] = _coerce_numeric(data[col], value_labels.get(col))

    problems = list(validate_study(study, data, source))
    problems.extend(_extra_problems(data, study, scales, where))
    if problems:
        raise StudySpecError(problems, source)

    rid = data[study.respondent_id]
    for col, scale in scales.items():
        if col not in data.columns:
            continue
        v = data[col].astype(float)
        if scale.missing:
            v = v.mask(v.isin(scale.missing))
        data[col] = v
    for col in _kano_columns(study):
        if col in data.columns and pd.api.types.is_numeric_dtype(data[col]):
            data[col] = data[col].astype(float)

    for col, bad in out_of_range(data, study).items():
        if bad.any():
            scale = scales.get(col)
            what = (f"outside its scale '{scale.name}' ({_fmt(scale.min)}–{_fmt(scale.max)})"
                    if scale else f"not a Kano code {sorted(study.kano_codes.values())}")
            warnings.warn(
                f"column '{col}'{where}: {int(bad.sum())} answer(s) {what}: "
                f"{_rows(rid, bad, data[col])}. Left in place and flagged by "
                "cvmkit.quality.flag_quality (out_of_range).",
                CvmkitWarning, stacklevel=2,
            )

    for col in study.reverse:
        scale = scales[col]
        data[col] = scale.min + scale.max - data[col]

    _note_dependent_drivers(data, study, where)
    dup = rid.duplicated(keep=False) & rid.notna()
    if dup.any():
        ids = list(dict.fromkeys(rid[dup].tolist()))
        shown = ", ".join(map(str, ids[:_MAX_LISTED * 2]))
        more = f" … and {len(ids) - _MAX_LISTED * 2} more" if len(ids) > _MAX_LISTED * 2 else ""
        warnings.warn(
            f"column '{study.respondent_id}'{where}: {len(ids)} respondent id(s) occur more "
            f"than once ({int(dup.sum())} rows): {shown}{more}. All copies are kept; "
            "cvmkit.quality.flag_quality flags the later copies (duplicate).",
            CvmkitWarning, stacklevel=2,
        )
    return data


def _note_dependent_drivers(data: pd.DataFrame, study: Study, where: str) -> None:
    """A note when the focal brand's attribute ratings are linearly dependent (one attribute
    repeats another, or a sum of others): a driver regression cannot tell them apart."""
    cols = {i: a.performance_column(study.brand) for i, a in enumerate(study.attributes)}
    cols = {i: c for i, c in cols.items() if c in data.columns}
    if len(cols) < 2:
        return
    x = data[list(cols.values())].to_numpy(dtype=float)
    x = x[np.isfinite(x).all(axis=1)]
    if len(x) <= len(cols):
        return
    x = x - x.mean(axis=0)
    if np.linalg.matrix_rank(x) >= len(cols):
        return
    keys = list(cols)
    same = [(keys[a], keys[b]) for a in range(len(keys)) for b in range(a + 1, len(keys))
            if np.array_equal(x[:, a], x[:, b])]
    what = (f"attributes[{same[0][0]}] and attributes[{same[0][1]}]: columns "
            f"'{cols[same[0][0]]}' and '{cols[same[0][1]]}'{where} hold the same answer for "
            "every respondent" if same else
            f"attributes: the ratings of {', '.join(repr(c) for c in cols.values())}{where} are "
            "linearly dependent (one is a sum of others)")
    warnings.warn(f"{what}; the driver regression cannot separate them and will stop — drop "
                  "one or check the export", CvmkitWarning, stacklevel=3)


def _extra_problems(data: pd.DataFrame, study: Study, scales: dict[str, Scale],
                    where: str) -> list[str]:
    problems: list[str] = []
    rid = study.respondent_id
    if rid is not None and rid in data.columns:
        miss = data[rid].isna()
        if miss.any():
            pos = data.index[miss.to_numpy()]
            rows = ", ".join(map(str, pos[:_MAX_LISTED])) + (" …" if len(pos) > _MAX_LISTED else "")
            problems.append(f"respondent_id: column '{rid}'{where} has {len(pos)} missing "
                            f"id(s) (row {rows})")
    for i, col in enumerate(study.segments):
        if col in data.columns and data[col].notna().sum() == 0:
            problems.append(f"segments[{i}]: column '{col}'{where} has no respondents "
                            f"(all {len(data)} values are missing)")
    if study.wave and study.wave in data.columns and data[study.wave].notna().sum() == 0:
        problems.append(f"wave: column '{study.wave}'{where} has no respondents "
                        f"(all {len(data)} values are missing)")
    refs = study.referenced_columns()
    for col in sorted(numeric_columns(study) - set(scales)):
        if col in data.columns and not pd.api.types.is_numeric_dtype(data[col]):
            s = data[col]
            bad = s[pd.to_numeric(s.astype(object), errors="coerce").isna() & s.notna()]
            what = f"row {bad.index[0]}: {bad.iloc[0]!r}" if len(bad) else f"dtype {s.dtype}"
            problems.append(f"{refs.get(col, col)}: column '{col}' should be numeric ({what})")
    for i, a in enumerate(study.attributes):  # a driver every respondent rates alike
        col = a.performance_column(study.brand)
        if col in data.columns and pd.api.types.is_numeric_dtype(data[col]):
            seen = data[col][~data[col].isin(scales[col].missing)].dropna().unique()
            if len(seen) == 1 and len(data) > 1:
                problems.append(f"attributes[{i}].performance: column '{col}'{where} has the "
                                f"same answer ({_fmt(seen[0])}) from every respondent, so no "
                                "analysis can tell its importance; drop the attribute")
    for i, col in enumerate(study.reverse):
        if col not in scales:
            problems.append(f"reverse[{i}]: column '{col}' is not a rated column, so it has no "
                            "scale to reverse on")
    return problems


def load_study_data(study: Study, path: str | Path | None = None,
                    raw: pd.DataFrame | None = None) -> tuple[pd.DataFrame, Study]:
    """Read and prepare a study's survey data; return it with the study bound to it.

    The bound study (:meth:`cvmkit.study.Study.bind`) names the columns the kit adds: the
    row numbers of a study without respondent ids, the respondent weights of the clean data.
    ``raw``, the file as :func:`read_responses` already read it, saves reading it again.

    Examples
    --------
    >>> from cvmkit.io import load_study_data
    >>> data, study = load_study_data(load_study("data/demo/study.yaml"))  # doctest: +SKIP
    """
    p = Path(path) if path is not None else study.data_path
    if p is None:
        raise DataError(
            f"no data file: the study{' ' + study.source if study.source else ''} has no "
            "'data' key and no path was given"
        )
    if raw is None:
        raw = read_responses(p, study)
    return prepare_responses(raw, study, source=str(p)), study.bind(raw.columns)


def load_responses(study: Study, path: str | Path | None = None) -> pd.DataFrame:
    """Read a study's survey data and prepare it: read_responses + prepare_responses.

    Parameters
    ----------
    study : Study
    path : str or Path, optional
        The data file; defaults to the study's own ``data`` (resolved against its folder).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> from cvmkit.io import load_responses
    >>> from cvmkit.study import load_study
    >>> data = load_responses(load_study("data/demo/study.yaml"))  # doctest: +SKIP
    """
    return load_study_data(study, path)[0]

