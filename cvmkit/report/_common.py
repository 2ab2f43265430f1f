"""What every client document of a run reads and shows the same way: its tables, numbers,
images, colours, date and study details."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from ._csv import count_rows, read_head

#: The content-security policy of ``report.html``: nothing but inline styles and ``data:``
#: images, so even a stray link in a notebook's markdown cannot load anything.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")


def _data_uri(path: Path) -> str:
    mime = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}.get(
        path.suffix.lower())
    if mime is None:
        raise DataError(f"image '{path}': expected a .png, .jpg, .gif, .svg or .webp file")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


#: Largest logo accepted, in bytes (a cover logo is a few kilobytes).


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 100:
            return f"{value:,.1f}"
        if abs(value) >= 1:
            return f"{value:.2f}"
        return f"{value:.3f}"
    return str(value)


def read_table(path: str | Path, rows: int | None = None) -> pd.DataFrame | None:
    """A run's table (its first ``rows`` rows when given), or ``None`` when there is nothing to
    show.

    A missing file, an empty one (no columns to parse), an unreadable one and a table of no
    rows all give ``None``: a step that had nothing to tabulate leaves no table in the report.
    With ``rows``, the frame's ``attrs["n_rows"]`` is the number of rows of the whole table,
    counted without parsing it (a per-respondent table of a large study is never read whole
    to show its first rows).
    """
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size == 0:
            return None
        frame = pd.read_csv(p) if rows is None else read_head(p, rows + 1)
        if len(frame) and frame.shape[1]:
            frame.attrs["n_rows"] = (count_rows(p) if rows is not None and len(frame) > rows
                                     else len(frame))
            if rows is not None:
                frame = frame.iloc[:rows]
    except (OSError, ValueError, pd.errors.EmptyDataError, pd.errors.ParserError):
        return None
    return frame if len(frame) and frame.shape[1] else None


def _accent(color: str | None) -> str:
    from matplotlib.colors import is_color_like, to_hex

    if color is None:
        return "#1f5f8b"
    if not isinstance(color, str) or not is_color_like(color):
        raise DataError(f"accent_color: {color!r} is not a colour (expected e.g. '#1f5f8b' or "
                        "'teal')")
    return to_hex(color)


def _study_meta(run: Path) -> dict[str, Any]:
    p = run / "study.json"
    if p.is_file():
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
    return {}


def cover_names(run: Path, client_name: str | None, report_title: str | None
                ) -> tuple[str, str]:
    """The client's name and the title a report or deck shows: the ones given, else the
    study's ``client`` and ``title``."""
    study = _study_meta(run)
    client = client_name if client_name is not None else study.get("client") or ""
    title = (report_title if report_title is not None
             else study.get("title") or "Customer value study")
    return client, title


def _date_text(value: str | date | None) -> str:
    if value is None:
        value = date.today()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)
