"""``tables.xlsx``: every table of a run in one workbook, one labelled sheet per table.

The first sheet, *Contents*, lists every table with the step that made it, its sheet, its size
and the CSV file it came from.  Each table's sheet starts with a title row (the step and the
table's name) and the source file, then the table itself with a bold, frozen header row.

A table longer than :data:`MAX_SHEET_ROWS` rows (a per-respondent table of a large study: one
row per respondent is for a program, not for a reader scrolling a sheet) is left to its CSV file:
its sheet holds the title and a line naming the file and its size, and the *Contents* sheet says
so in its ``note`` column.  Such a table is counted, never parsed whole, so the workbook takes
the same time whatever the number of respondents.  Text cells stay text: a cell starting with
``=`` is written as a string, never as a formula.

A table file that is empty (a step that had nothing to tabulate) or unreadable gets no sheet.
Sheet names are at most 31 characters (Excel's limit) and unique: ``"03 importance"`` for
``tables/03_driver_regression__importance.csv``, shortened and numbered where needed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from ..io.artifacts import atomic_write_bytes
from ._csv import count_rows, read_head

__all__ = ["MAX_SHEET_ROWS", "TABLES_FILE", "sheet_names", "write_tables_xlsx"]

TABLES_FILE = "tables.xlsx"
#: The longest table written into a sheet; a longer one is left to its CSV file.
MAX_SHEET_ROWS = 10_000
_INVALID = re.compile(r"[\[\]:*?/\\]")


def _has_rows(path: Path) -> bool:
    """Whether a table file holds at least one row (an empty file has no columns to parse)."""
    try:
        if path.stat().st_size == 0:
            return False
        return len(pd.read_csv(path, nrows=1)) > 0
    except (OSError, ValueError, pd.errors.EmptyDataError, pd.errors.ParserError):
        return False


def _tables(run: Path) -> list[Path]:
    """The run's tables that hold something: empty or unreadable files get no sheet."""
    d = run / "tables"
    return [p for p in sorted(d.glob("*__*.csv")) if _has_rows(p)] if d.is_dir() else []


def sheet_names(run_dir: str | Path) -> dict[str, str]:
    """``{table file stem: sheet name}`` for every table of a run, as in ``tables.xlsx``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from cvmkit.io import write_table
    >>> run = tempfile.mkdtemp()
    >>> _ = write_table(run, "03_driver_regression", "importance", pd.DataFrame({"a": [1]}))
    >>> sheet_names(run)
    {'03_driver_regression__importance': '03 importance'}
    """
    names: dict[str, str] = {}
    taken: set[str] = {"contents"}
    for p in _tables(Path(run_dir)):
        notebook, name = p.stem.split("__", 1)
        number = notebook.split("_", 1)[0]
        base = _INVALID.sub("_", f"{number} {name}")[:31].strip("'")
        sheet, k = base, 2
        while sheet.lower() in taken:
            suffix = f"~{k}"
            sheet = base[: 31 - len(suffix)] + suffix
            k += 1
        taken.add(sheet.lower())
        names[p.stem] = sheet
    return names


def _label(stem: str) -> tuple[str, str]:
    notebook, name = stem.split("__", 1)
    number, _, step = notebook.partition("_")
    return f"{number} · {step.replace('_', ' ').capitalize()}", name.replace("_", " ")


def write_tables_xlsx(run_dir: str | Path, path: str | Path | None = None) -> Path:
    """Write every ``tables/*.csv`` of a run into one workbook.

    Parameters
    ----------
    run_dir : str or Path
        The run directory.
    path : str or Path, optional
        Where to write (default: ``run_dir/tables.xlsx``).

    Returns
    -------
    Path
    """
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    run = Path(run_dir)
    target = Path(path) if path is not None else run / TABLES_FILE
    sheets = sheet_names(run)
    frames: dict[str, pd.DataFrame | None] = {}
    sizes: dict[str, tuple[int, int]] = {}
    for p in _tables(run):
        head = read_head(p, MAX_SHEET_ROWS + 1)
        if len(head) > MAX_SHEET_ROWS:
            frames[p.stem], sizes[p.stem] = None, (count_rows(p), head.shape[1])
        else:
            frames[p.stem], sizes[p.stem] = head, head.shape
    contents = pd.DataFrame(
        [{"sheet": sheets[stem], "step": _label(stem)[0], "table": _label(stem)[1],
          "rows": sizes[stem][0], "columns": sizes[stem][1], "source": f"tables/{stem}.csv",
          "note": "" if frames[stem] is not None else
          f"more than {MAX_SHEET_ROWS:,} rows: only in the CSV file"}
         for stem in frames],
        columns=["sheet", "step", "table", "rows", "columns", "source", "note"],
    )
    buf = io.BytesIO()
    bold = Font(bold=True)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        contents.to_excel(writer, sheet_name="Contents", index=False, startrow=2)
        ws = writer.sheets["Contents"]
        ws["A1"] = "Tables of this run"
        ws["A1"].font = Font(bold=True, size=13)
        ws.freeze_panes = "A4"
        _keep_text(ws, contents, 4)
        for stem, frame in frames.items():
            sheet = sheets[stem]
            step, name = _label(stem)
            if frame is None:
                ws = writer.book.create_sheet(sheet)
                writer.sheets[sheet] = ws
                n_rows, n_cols = sizes[stem]
                ws["A1"] = f"{step} — {name}"
                ws["A1"].font = Font(bold=True, size=13)
                ws["A2"] = (f"source: tables/{stem}.csv ({n_rows:,} rows × {n_cols} columns)")
                ws["A3"] = (f"This table has more than {MAX_SHEET_ROWS:,} rows, so it is not "
                            f"copied into the workbook: open tables/{stem}.csv, which holds "
                            "it whole.")
                continue
            frame.to_excel(writer, sheet_name=sheet, index=False, startrow=3)
            ws = writer.sheets[sheet]
            ws["A1"] = f"{step} — {name}"
            ws["A1"].font = Font(bold=True, size=13)
            ws["A2"] = f"source: tables/{stem}.csv ({len(frame):,} rows)"
            ws.freeze_panes = "A5"
            _keep_text(ws, frame, 5)
            for j, col in enumerate(frame.columns, 1):
                ws.cell(row=4, column=j).font = bold
                width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)])
                ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        ws = writer.sheets["Contents"]
        for j, col in enumerate(contents.columns, 1):
            width = max([len(str(col))] + [len(str(v)) for v in contents[col]])
            ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 60)
        writer.book.properties.creator = "cvmkit"
    return atomic_write_bytes(target, buf.getvalue())


def _keep_text(ws, frame: pd.DataFrame, first_row: int) -> None:
    """Make every text cell of ``frame`` (written from ``first_row`` on) a string cell: openpyxl
    would otherwise store a text starting with ``=`` as a formula."""
    for j, col in enumerate(frame.columns, 1):
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        starts = s.astype("string").str.startswith("=").fillna(False).to_numpy(dtype=bool)
        for i in starts.nonzero()[0]:
            cell = ws.cell(row=first_row + int(i), column=j)
            cell.value = str(s.iloc[int(i)])
            cell.data_type = "s"
