"""Tests of cvmkit.io.readers: every survey format into one tidy frame, and bad input.

The small study (tests/data/small_study/) is read from CSV, Excel, SPSS and a Qualtrics-style
export; the Excel and SPSS copies are written here with openpyxl and pyreadstat from the CSV as
plain pandas reads it, so the readers are checked against files they did not write.
"""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cvmkit.errors import CvmkitWarning, DataError, StudySpecError
from cvmkit.io.readers import load_responses, prepare_responses, read_responses
from cvmkit.study import load_study

SMALL = Path(__file__).resolve().parent / "data" / "small_study"
RATED = ["perf_acme_taste", "perf_acme_speed", "perf_acme_staff", "perf_acme_value",
         "overall_value_acme", "perf_beanco_taste", "perf_beanco_speed", "perf_beanco_staff",
         "perf_beanco_value", "overall_value_beanco", "imp_taste", "imp_speed", "imp_staff",
         "imp_value", "nps", "ces"]


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def study():
    return load_study(SMALL / "study.yaml")


@pytest.fixture
def csv_copy(tmp_path):
    """A copy of the small study in tmp_path (study.yaml + responses.csv) to edit freely."""
    for name in ("study.yaml", "responses.csv"):
        shutil.copy(SMALL / name, tmp_path / name)
    return tmp_path


def write_csv_variant(folder: Path, edit) -> Path:
    """responses.csv read with plain pandas, edited by ``edit(frame)``, written back."""
    raw = pd.read_csv(SMALL / "responses.csv", dtype=str, keep_default_na=False)
    edit(raw)
    path = folder / "responses.csv"
    raw.to_csv(path, index=False)
    return path


# ---------------------------------------------------------------------- one shape from every format
def test_same_clean_data_from_csv_excel_spss_and_qualtrics(study, tmp_path):
    plain = pd.read_csv(SMALL / "responses.csv")  # pandas alone, not cvmkit

    xlsx = tmp_path / "responses.xlsx"
    plain.to_excel(xlsx, index=False, engine="openpyxl")

    # SPSS: segment stored as codes 1-3 with value labels, ratings with (partial) labels,
    # text columns as strings (pyreadstat writes missing text as empty strings)
    sav = tmp_path / "responses.sav"
    spss = plain.copy()
    seg_codes = {"A": 1, "B": 2, "C": 3}
    spss["segment"] = spss["segment"].map(seg_codes).astype(float)
    for col in ("email", "comment", "resp_id"):
        spss[col] = spss[col].astype(object).where(spss[col].notna(), "")
    labels = {"segment": {1.0: "A", 2.0: "B", 3.0: "C"},
              "perf_acme_taste": {1.0: "Poor", 5.0: "Excellent"},
              "kf_taste": {1.0: "I like it", 2.0: "I expect it", 3.0: "I am neutral",
                           4.0: "I can live with it", 5.0: "I dislike it"}}
    pyreadstat.write_sav(spss, str(sav), variable_value_labels=labels)

    qualtrics = SMALL / "responses_qualtrics.csv"
    files = {"csv": SMALL / "responses.csv", "excel": xlsx, "spss": sav, "qualtrics": qualtrics}
    before = {k: sha(p) for k, p in files.items()}

    with warnings.catch_warnings():
        warnings.simplefilter("error", CvmkitWarning)  # the clean study raises no warning
        clean = {k: load_responses(study, p) for k, p in files.items()}

    # SPSS value labels come back as categories in label order; rated and Kano columns keep codes
    seg = clean["spss"]["segment"]
    assert isinstance(seg.dtype, pd.CategoricalDtype)
    assert list(seg.cat.categories) == ["A", "B", "C"]
    assert clean["spss"]["perf_acme_taste"].dtype == np.float64
    assert clean["spss"]["kf_taste"].tolist() == plain["kf_taste"].astype(float).tolist()
    clean["spss"]["segment"] = seg.astype(str)

    ref = clean["csv"]
    assert list(ref.columns) == list(plain.columns)
    assert ref.shape == (12, 24)
    for fmt in ("excel", "spss", "qualtrics"):
        pd.testing.assert_frame_equal(clean[fmt], ref, check_exact=True, obj=fmt)

    # what the clean frame holds (independent of how it was read)
    assert ref[RATED].dtypes.eq(np.float64).all()
    assert ref["wave"].dtype == np.int64
    assert ref.loc[ref.resp_id == "S09", ["perf_acme_speed", "imp_value"]].isna().all(axis=None)
    # ces is reverse-keyed on 1-7: x -> 8 - x
    assert ref["ces"].tolist() == (8 - plain["ces"]).astype(float).tolist()
    assert ref["comment"].isna().sum() == plain["comment"].isna().sum() == 5
    assert {k: sha(p) for k, p in files.items()} == before


def test_spss_without_study_labels_every_labelled_column_and_prepare_recovers_codes(
        study, tmp_path):
    plain = pd.read_csv(SMALL / "responses.csv")
    sav = tmp_path / "r.sav"
    labels = {"perf_acme_taste": {float(k): f"{k} points" for k in range(1, 6)}}
    pyreadstat.write_sav(plain.drop(columns=["comment"]).assign(
        comment=plain["comment"].fillna("")), str(sav), variable_value_labels=labels)
    raw = read_responses(sav)  # no study: the labelled rating becomes a category
    assert isinstance(raw["perf_acme_taste"].dtype, pd.CategoricalDtype)
    assert raw["perf_acme_taste"].iloc[0] == "5 points"
    assert raw.attrs["value_labels"]["perf_acme_taste"][5] == "5 points"
    clean = prepare_responses(raw, study)
    assert clean["perf_acme_taste"].tolist() == plain["perf_acme_taste"].astype(float).tolist()


def test_qualtrics_header_rows_detected_and_dropped():
    raw = read_responses(SMALL / "responses_qualtrics.csv")
    assert len(raw) == 12
    assert raw["resp_id"].iloc[0] == "S01"
    assert raw["perf_acme_taste"].dtype == np.int64  # numbers again, not text
    assert raw["comment"].iloc[3] == 'Too slow, "queue" everywhere'
    # the same file without its .csv extension, read as format="qualtrics"
    assert read_responses(SMALL / "responses_qualtrics.csv", format="qualtrics").equals(raw)


def test_tsv_semicolon_and_parquet(tmp_path):
    ref = read_responses(SMALL / "responses.csv")
    plain = pd.read_csv(SMALL / "responses.csv")
    plain.to_csv(tmp_path / "r.tsv", sep="\t", index=False)
    plain.to_csv(tmp_path / "r_semicolon.csv", sep=";", index=False)
    plain.to_parquet(tmp_path / "r.parquet", index=False)
    plain.to_csv(tmp_path / "r.dat", index=False)
    for name in ("r.tsv", "r_semicolon.csv", "r.parquet"):
        pd.testing.assert_frame_equal(read_responses(tmp_path / name), ref, obj=name)
    pd.testing.assert_frame_equal(read_responses(tmp_path / "r.dat", format="csv"), ref)
    with pytest.raises(DataError, match=r"r\.dat.*extension '\.dat'"):
        read_responses(tmp_path / "r.dat")


def test_prepare_never_modifies_the_input_frame(study):
    raw = read_responses(SMALL / "responses.csv")
    snapshot = raw.copy(deep=True)
    clean = prepare_responses(raw, study)
    pd.testing.assert_frame_equal(raw, snapshot)
    assert clean is not raw
    assert raw.loc[8, "perf_acme_speed"] == 9 and np.isnan(clean.loc[8, "perf_acme_speed"])


def test_rating_held_as_text_is_coerced(study, tmp_path):
    path = write_csv_variant(tmp_path, lambda f: f.__setitem__(
        "perf_acme_taste", f["perf_acme_taste"].map(lambda v: f" {v} ")))
    raw = read_responses(path)
    raw["perf_acme_taste"] = raw["perf_acme_taste"].astype(object)
    raw.loc[0, "perf_acme_taste"] = " 5 "
    clean = prepare_responses(raw, study)
    assert clean["perf_acme_taste"].dtype == np.float64
    assert clean["perf_acme_taste"].iloc[0] == 5.0


# ---------------------------------------------------------------------- bad input, one test each
def test_missing_file(study, tmp_path):
    missing = tmp_path / "nowhere" / "responses.csv"
    with pytest.raises(DataError, match=r"data file '.*nowhere/responses\.csv' does not exist"):
        read_responses(missing)
    with pytest.raises(DataError, match="does not exist"):
        load_responses(study, missing)
    assert not missing.exists()


def test_malformed_yaml(csv_copy):
    bad = csv_copy / "study.yaml"
    text = bad.read_text().replace("brand: Acme", "brand: [Acme", 1)
    bad.write_text(text)
    before = sha(bad)
    with pytest.raises(StudySpecError) as info:
        load_study(bad)
    msg = str(info.value)
    assert "study.yaml" in msg and "(yaml) line" in msg and "not valid YAML" in msg
    assert sha(bad) == before


def test_unknown_column(csv_copy):
    study_file = csv_copy / "study.yaml"
    study_file.write_text(study_file.read_text().replace("importance: imp_speed",
                                                         "importance: imp_speedd"))
    study = load_study(study_file)
    before = sha(csv_copy / "responses.csv")
    with pytest.raises(StudySpecError) as info:
        load_responses(study)
    assert info.value.problems == [
        f"attributes[1].importance: column 'imp_speedd' not in data of {csv_copy / 'responses.csv'}"
    ]
    assert sha(csv_copy / "responses.csv") == before


def test_rating_outside_its_scale(study, tmp_path):
    from cvmkit.quality import blank_out_of_range, flag_quality

    def edit(f):
        f.loc[3, "perf_beanco_speed"] = "7"   # S04, scale 1-5
        f.loc[10, "nps"] = "11"              # S11, scale 0-10
    path = write_csv_variant(tmp_path, edit)
    before = sha(path)
    with pytest.warns(CvmkitWarning) as record:
        data = load_responses(study, path)
    msgs = [str(w.message) for w in record]
    assert any("column 'perf_beanco_speed'" in m and "outside its scale 'performance' (1–5)" in m
               and "row 3 (id S04) = 7" in m for m in msgs), msgs
    assert any("column 'nps'" in m and "row 10 (id S11) = 11" in m for m in msgs), msgs
    # left in place for quality to flag, then blanked on request
    assert data.loc[3, "perf_beanco_speed"] == 7
    flags = flag_quality(data, study)
    assert flags.loc[flags.out_of_range, "resp_id"].tolist() == ["S04", "S11"]
    assert flags.loc[3, "out_of_range_columns"] == "perf_beanco_speed"
    blanked = blank_out_of_range(data, study)
    assert np.isnan(blanked.loc[3, "perf_beanco_speed"]) and np.isnan(blanked.loc[10, "nps"])
    assert data.loc[3, "perf_beanco_speed"] == 7  # the input frame is untouched
    assert sha(path) == before


def test_duplicate_respondent_id(study, tmp_path):
    path = write_csv_variant(tmp_path, lambda f: f.__setitem__(
        "resp_id", f["resp_id"].replace({"S07": "S02"})))
    before = sha(path)
    with pytest.warns(CvmkitWarning, match=r"column 'resp_id'.*1 respondent id\(s\) occur more "
                                           r"than once \(2 rows\): S02"):
        data = load_responses(study, path)
    assert len(data) == 12  # nothing dropped here: quality flags the later copy
    assert sha(path) == before


def test_empty_file(study, tmp_path):
    empty = tmp_path / "responses.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match=r"data file '.*responses\.csv' is empty \(0 bytes\)"):
        load_responses(study, empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text((SMALL / "responses.csv").read_text().splitlines()[0] + "\n")
    before = sha(header_only)
    with pytest.raises(DataError, match=r"header\.csv' has a header but no respondents"):
        read_responses(header_only)
    assert sha(header_only) == before and empty.read_bytes() == b""


def test_non_numeric_rating_column(study, tmp_path):
    path = write_csv_variant(tmp_path, lambda f: f.__setitem__(
        "perf_acme_staff", f["perf_acme_staff"].replace({"2": "poor"})))
    before = sha(path)
    with pytest.raises(StudySpecError) as info:
        load_responses(study, path)
    assert info.value.problems == [
        "attributes[2].performance: column 'perf_acme_staff' should be numeric (row 5: 'poor')"
    ]
    assert str(path) in str(info.value)
    assert sha(path) == before


def test_segment_with_no_respondents(study, tmp_path):
    path = write_csv_variant(tmp_path, lambda f: f.__setitem__("segment", ""))
    before = sha(path)
    with pytest.raises(StudySpecError) as info:
        load_responses(study, path)
    problems = info.value.problems
    assert f"segments[0]: column 'segment' of {path} has no respondents " \
           "(all 12 values are missing)" in problems
    # the weighting targets on segment cannot be met either; every problem is listed at once
    assert any(p.startswith("weights.targets.segment.A: level 'A' has no respondents")
               for p in problems)
    assert sha(path) == before


def test_weighting_target_level_with_no_respondents(study, tmp_path):
    path = write_csv_variant(tmp_path, lambda f: f.__setitem__(
        "segment", f["segment"].replace({"C": "B"})))
    with pytest.raises(StudySpecError) as info:
        load_responses(study, path)
    assert info.value.problems == [
        "weights.targets.segment.C: level 'C' has no respondents in column 'segment'"
    ]


# ---------------------------------------------------------------------- other failures
def test_unreadable_files_name_the_file(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(DataError, match=r"cannot read '.*junk\.xlsx' as excel"):
        read_responses(junk)
    junk_sav = tmp_path / "junk.sav"
    junk_sav.write_bytes(b"\x00\x01 not spss")
    with pytest.raises(DataError, match=r"cannot read '.*junk\.sav' as spss"):
        read_responses(junk_sav)
    sheet = tmp_path / "one_sheet.xlsx"
    pd.read_csv(SMALL / "responses.csv").to_excel(sheet, index=False)
    with pytest.raises(DataError, match=r"one_sheet\.xlsx': sheet 'Wave 2' not found"):
        read_responses(sheet, sheet="Wave 2")
    with pytest.raises(DataError, match="is not a file"):
        read_responses(tmp_path)
    with pytest.raises(DataError, match="unknown format 'stata'"):
        read_responses(SMALL / "responses.csv", format="stata")


def test_missing_respondent_id_and_kano_text_are_reported_together(study, tmp_path):
    def edit(f):
        f.loc[4, "resp_id"] = ""
        f.loc[2, "kf_taste"] = "I like it"
    path = write_csv_variant(tmp_path, edit)
    with pytest.raises(StudySpecError) as info:
        load_responses(study, path)
    assert info.value.problems == [
        f"respondent_id: column 'resp_id' of {path} has 1 missing id(s) (row 4)",
        "attributes[0].kano.functional: column 'kf_taste' should be numeric (row 2: 'I like it')",
    ]


def test_load_responses_needs_a_path(study):
    from dataclasses import replace
    with pytest.raises(DataError, match="no 'data' key and no path"):
        load_responses(replace(study, data=None))


@pytest.mark.parametrize("body", [
    "id,a,b,txt\n1,1.5,7,hello\n2,, 8 ,\n3,2.25,9,\"multi\nline\"\n",
    "id;a;b;txt\n1;1,5;7;x\n2;2,25;8;NA\n3;;9; y \n",
    "id,when,a\n1,2024-01-05,3\n2,2024-02-06,4\n",
    "id,a,a\n1,2,3\n",
    "id,a,b\n1,2\n3,4,5\n",
    "id,e,f\n1,,true\n2,,false\n",
])
def test_pyarrow_and_pandas_reading_give_the_same_frame(tmp_path, monkeypatch, body):
    from cvmkit.io import readers

    path = tmp_path / "export.csv"
    path.write_text(body, encoding="utf-8")

    def read():
        try:
            return read_responses(path)
        except DataError as exc:
            return str(exc)

    fast = read()
    monkeypatch.setattr(readers, "_read_text_arrow", lambda p, fmt: None)
    slow = read()
    if isinstance(slow, str):
        assert fast == slow
    else:
        pd.testing.assert_frame_equal(fast, slow)


def test_a_large_export_is_read_by_pyarrow(tmp_path, monkeypatch):
    from cvmkit.io import readers

    path = tmp_path / "export.csv"
    pd.DataFrame({"id": range(50), "a": [i / 3 for i in range(50)],
                  "t": ["x"] * 50}).to_csv(path, index=False)
    assert readers._read_text_arrow(path, "csv") is not None
    monkeypatch.setattr(readers, "_read_text_arrow", lambda p, fmt: None)
    slow = read_responses(path)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(read_responses(path), slow)
