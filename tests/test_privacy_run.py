"""No personal data in anything a run writes.

The demo survey carries fake personal data: a name, e-mail address and phone number for every
respondent (declared under ``pii:``), and open-ended answers into which some respondents typed
their e-mail address, phone number or name.  Every file of every run directory of the shared
batch (the successful runs and the failed one) is searched for

* every value of every declared PII column (exactly as in the export, and phone numbers also
  without their spaces), and
* anything shaped like an e-mail address or a phone number.

Files are searched in the form a reader would meet them: text files as text (with embedded
base64 images taken out, since they are pictures, not text), Parquet as its cells, Excel
workbooks as the XML inside them, images as their bytes.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from _shared_runs import demo_batch

from cvmkit.study import load_study

#: An e-mail address as written (the demo's answers use the plain form).
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
#: A phone number: 9 to 13 digits, optionally with a leading + and single spaces or dashes
#: between groups, not part of a longer number, word, decimal, date or path.
PHONE = re.compile(r"(?<![\w.\-/:+])\+?\d(?:[ \-]?\d){8,12}(?![\w.\-/:])")
#: Long base64 runs (embedded images) and their data-URI prefix.
#: The text runs of a deck's slides and notes (``<a:t>``) and its charts' values (``<c:v>``).
PPTX_TEXT = re.compile(r"<(?:a:t|c:v)>([^<]*)</(?:a:t|c:v)>")
BASE64 = re.compile(r"(data:[\w/+.\-]+;base64,)?[A-Za-z0-9+/=\\n]{120,}")


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


def _pii_values(study_file: Path) -> list[str]:
    study = load_study(study_file)
    raw = pd.read_csv(study.data_path, dtype=str)
    values: set[str] = set()
    for col in study.pii:
        for v in raw[col].dropna():
            v = v.strip()
            if len(v) >= 5:
                values.add(v)
                digits = re.sub(r"\D", "", v)
                if len(digits) >= 9 and not re.search(r"[A-Za-z@]", v):
                    values.add(digits)
    return sorted(values)


def _as_text(path: Path) -> tuple[str, bool]:
    """The file's content as text, and whether to look for shapes (e-mail, phone) in it."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
        cells = [str(c) for c in frame.columns]
        for col in frame.columns:
            cells.extend(frame[col].dropna().astype(str))
        return "\n".join(cells), True
    if suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()), True
    if suffix == ".pptx":  # the words of the slides, notes and charts (not ids or coordinates)
        with zipfile.ZipFile(path) as z:
            xml = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                            if n.endswith(".xml"))
        return "\n".join(html.unescape(t) for t in PPTX_TEXT.findall(xml)), True
    if suffix in (".png", ".jpg", ".jpeg", ".gif", ".pdf"):
        return path.read_bytes().decode("latin-1"), False
    text = path.read_bytes().decode("utf-8", "replace")
    return text, suffix != ".svg"  # SVG path data is runs of numbers, not text


def _files(batch) -> list[Path]:
    files = [p for run in batch.ok_runs + batch.failed_runs for p in run.rglob("*")
             if p.is_file()]
    assert files
    assert all((run / "deck.pptx") in files for run in batch.ok_runs)  # the deck is searched
    return files


def test_the_export_does_hold_personal_data(batch) -> None:
    """The search has something to find: the demo export is full of it."""
    raw = (batch.studies["a"].parent / "responses.csv").read_text(encoding="utf-8")
    assert len(EMAIL.findall(raw)) > 1000
    assert len(PHONE.findall(raw)) > 1000
    assert len(_pii_values(batch.studies["a"])) > 2000


def test_runs_cover_every_step(batch) -> None:
    assert batch.ok_runs and batch.failed_runs
    for run in batch.ok_runs:
        assert (run / "report.html").is_file() and (run / "tables.xlsx").is_file()
        assert (run / "clean.parquet").is_file()


def _all_values(batch) -> list[str]:
    return sorted(set(_pii_values(batch.studies["a"])) | set(_pii_values(
        batch.studies["broken"])), key=len, reverse=True)


_DIGIT_RUN = re.compile(r"\+?\d[\d \-()]*\d")
_WORD = re.compile(r"[^\W\d_][\w'\-]*")


def _leaks(files: list[Path], values: list[str]) -> dict[str, list[str]]:
    """``{file: what was found}`` for declared values and e-mail/phone shapes.

    Declared values are looked up by their kind — e-mail addresses among the text's e-mail
    addresses, phone numbers among its digit runs (spacing ignored), names among its runs of
    words (case ignored) — which finds the same as a plain substring search, fast.
    """
    emails = {v.casefold() for v in values if "@" in v}
    phones = {re.sub(r"\D", "", v) for v in values
              if "@" not in v and not re.search(r"[^\W\d_]", v)}
    names = {tuple(w.casefold() for w in _WORD.findall(v)) for v in values
             if "@" not in v and re.search(r"[^\W\d_]", v)}
    lengths = sorted({len(n) for n in names})
    firsts = {n[0] for n in names if n}
    phone_lengths = sorted({len(p) for p in phones})
    found: dict[str, list[str]] = {}
    for path in files:
        text, shapes = _as_text(path)
        if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".gif", ".pdf"):
            text = BASE64.sub(" ", text)  # embedded pictures are not text
        hits = [m for m in EMAIL.findall(text) if m.casefold() in emails]
        for run in _DIGIT_RUN.findall(text):
            digits = re.sub(r"\D", "", run)
            if any(digits[i:i + n] in phones for n in phone_lengths
                   for i in range(len(digits) - n + 1)):
                hits.append(run)
        words = _WORD.findall(text.casefold())
        starts = [i for i, w in enumerate(words) if w in firsts]
        for n in lengths:
            hits += [" ".join(words[i:i + n]) for i in starts if tuple(words[i:i + n]) in names]
        if shapes:
            hits += EMAIL.findall(text) + PHONE.findall(text)
        if hits:
            found[str(path)] = sorted(set(hits))[:5]
    return found


def test_no_personal_data_in_any_file_of_a_run(batch) -> None:
    assert _leaks(_files(batch), _all_values(batch)) == {}


def test_a_leak_would_be_found(batch, tmp_path: Path) -> None:
    """The same search on files that do leak: each leak is reported."""
    values = _all_values(batch)
    name = next(v for v in values if " " in v and "@" not in v and not v[0].isdigit())
    pd.DataFrame({"who": [name]}).to_parquet(tmp_path / "clean.parquet")
    (tmp_path / "quotes.csv").write_text("quote\nCall me on 07123 456789\n")
    (tmp_path / "report.html").write_text('<p>write to someone@example.org</p><img src="data:'
                                          'image/png;base64,' + "A" * 300 + '">')
    found = _leaks(sorted(tmp_path.iterdir()), values)
    assert found == {str(tmp_path / "clean.parquet"): [name.casefold()],
                     str(tmp_path / "quotes.csv"): ["07123 456789"],
                     str(tmp_path / "report.html"): ["someone@example.org"]}


def test_the_patterns_find_what_they_should() -> None:
    text = ("mail jo.bloggs@example.com, call 07700 900123 or +44 7700-900-123; "
            "not 0.1234567891, 20261123-170601, R00011, 2026-03-01 or sha 0123456789abcdef")
    assert EMAIL.findall(text) == ["jo.bloggs@example.com"]
    assert PHONE.findall(text) == ["07700 900123", "+44 7700-900-123"]
    assert BASE64.sub(" ", '<img src="data:image/png;base64,' + "A0+/" * 50 + '">') == \
        '<img src=" ">'


# ------------------------------------------------------------------ open ends full of it
@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    from _hostile_runs import hostile_runs

    return hostile_runs(tmp_path_factory)


def test_open_ends_full_of_personal_data_leave_none_in_any_file(hostile) -> None:
    """A study whose comments carry respondents' e-mail addresses, phone numbers and names
    (typed in, besides the declared name, e-mail and phone columns): no file of its run holds
    any of them, nor anything shaped like an e-mail address or a phone number."""
    study = hostile["hostile_study"]
    raw = (study.parent / "responses.csv").read_text(encoding="utf-8")
    assert len(EMAIL.findall(raw)) > 200 and len(PHONE.findall(raw)) > 200
    values = sorted(_pii_values(study), key=len, reverse=True)
    assert len(values) > 500
    files = [p for p in hostile["hostile"].rglob("*") if p.is_file()]
    kinds = {p.suffix.lower() for p in files}
    assert {".csv", ".xlsx", ".json", ".parquet", ".ipynb", ".html", ".pptx"} <= kinds, kinds
    assert _leaks(files, values) == {}
