"""tables.xlsx: one labelled sheet per table of a run, read back equal to the CSV tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from cvmkit.io import write_table
from cvmkit.report import sheet_names, write_tables_xlsx

TABLES = {
    ("01_data_collection", "quality_summary"): pd.DataFrame(
        {"check": ["duplicate", "speeder"], "n": [4, 51], "share": [0.0033, 0.0424]}),
    ("03_driver_regression", "importance"): pd.DataFrame(
        {"driver": ["taste", "speed", "wifi"], "share": [31.25, 22.5, np.nan],
         "note": ["", "", "skipped: no variance"]}),
    # two long names that collide once cut to Excel's 31 characters
    ("05_value_economics", "theme_incidence_by_nps_group_and_segment"): pd.DataFrame(
        {"theme": ["taste"], "incidence": [0.34]}),
    ("05_value_economics", "theme_incidence_by_nps_group_and_wave"): pd.DataFrame(
        {"theme": ["taste"], "incidence": [0.31]}),
    ("04_value_maps", "what:is/this?"): pd.DataFrame({"a": [1]}),
}


@pytest.fixture
def run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    for (nb, name), frame in TABLES.items():
        if "/" in name:
            continue
        write_table(run, nb, name, frame)
    # a file name write_table would refuse, as another tool might leave it
    pd.DataFrame({"a": [1]}).to_csv(run / "tables" / "04_value_maps__what[is]this.csv",
                                    index=False)
    return run


def test_one_sheet_per_table_with_unique_excel_names(run: Path) -> None:
    path = write_tables_xlsx(run)
    assert path == run / "tables.xlsx"
    wb = load_workbook(path)
    names = sheet_names(run)
    assert wb.sheetnames == ["Contents", *names.values()]
    assert len(set(n.lower() for n in wb.sheetnames)) == len(wb.sheetnames)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    assert names["03_driver_regression__importance"] == "03 importance"
    assert names["04_value_maps__what[is]this"] == "04 what_is_this"
    long = [names[k] for k in names if "theme_incidence" in k]
    assert long == ["05 theme_incidence_by_nps_group", "05 theme_incidence_by_nps_gro~2"]


def test_sheets_are_labelled_and_hold_the_tables(run: Path) -> None:
    path = write_tables_xlsx(run)
    wb = load_workbook(path)
    ws = wb["03 importance"]
    assert ws["A1"].value == "03 · Driver regression — importance"
    assert ws["A2"].value == "source: tables/03_driver_regression__importance.csv (3 rows)"
    assert [c.value for c in ws[4]] == ["driver", "share", "note"]
    assert ws["A4"].font.bold and ws.freeze_panes == "A5"
    for stem, sheet in sheet_names(run).items():
        expected = pd.read_csv(run / "tables" / f"{stem}.csv")
        got = pd.read_excel(path, sheet_name=sheet, header=3)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_contents_sheet_lists_every_table(run: Path) -> None:
    path = write_tables_xlsx(run)
    contents = pd.read_excel(path, sheet_name="Contents", header=2)
    names = sheet_names(run)
    assert contents["sheet"].tolist() == list(names.values())
    assert contents["source"].tolist() == [f"tables/{s}.csv" for s in names]
    row = contents.set_index("sheet").loc["01 quality_summary"]
    assert (row["step"], row["table"], row["rows"], row["columns"]) == (
        "01 · Data collection", "quality summary", 2, 3)


def test_run_without_tables_gives_a_contents_sheet_only(tmp_path: Path) -> None:
    path = write_tables_xlsx(tmp_path, tmp_path / "out.xlsx")
    assert load_workbook(path).sheetnames == ["Contents"]
    assert sheet_names(tmp_path) == {}


def test_a_table_longer_than_the_limit_is_left_to_its_csv(tmp_path: Path, monkeypatch) -> None:
    import cvmkit.report.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 5)
    run = tmp_path / "run"
    write_table(run, "01_data_collection", "quality_flags",
                pd.DataFrame({"resp_id": [f"R{i}" for i in range(8)], "speeder": [False] * 8}))
    write_table(run, "01_data_collection", "quality_summary",
                pd.DataFrame({"check": ["speeder"], "n": [0]}))
    path = write_tables_xlsx(run)
    wb = load_workbook(path)
    ws = wb["01 quality_flags"]
    assert ws["A2"].value == ("source: tables/01_data_collection__quality_flags.csv "
                              "(8 rows × 2 columns)")
    assert "tables/01_data_collection__quality_flags.csv" in ws["A3"].value
    assert ws.max_row == 3  # no rows copied
    contents = pd.read_excel(path, sheet_name="Contents", header=2).set_index("sheet")
    assert contents.loc["01 quality_flags", "rows"] == 8
    assert "only in the CSV file" in contents.loc["01 quality_flags", "note"]
    assert pd.isna(contents.loc["01 quality_summary", "note"])
    got = pd.read_excel(path, sheet_name="01 quality_summary", header=3)
    assert got.to_dict("list") == {"check": ["speeder"], "n": [0]}


def test_text_starting_with_an_equals_sign_stays_text(tmp_path: Path) -> None:
    run = tmp_path / "run"
    write_table(run, "05_value_economics", "quotes",
                pd.DataFrame({"quote": ["=HYPERLINK(\"http://x\")", "fine"], "n": [1, 2]}))
    path = write_tables_xlsx(run)
    ws = load_workbook(path)["05 quotes"]
    assert ws["A5"].data_type == "s" and ws["A5"].value == "=HYPERLINK(\"http://x\")"
    assert ws["B5"].value == 1
