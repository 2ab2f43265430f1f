"""Reading and writing the artefacts of a run directory.

A run directory is the only hand-over between notebooks::

    run_dir/
      clean.parquet  study.json            # written by 01_data_collection
      tables/<notebook>__<name>.csv
      figures/<notebook>__<name>.png|svg
      results/<notebook>.json

Every file is written whole or not at all: it is written to a temporary file beside its target
and renamed into place, so a crash never leaves half a table behind.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._atomic import atomic_write_bytes, atomic_write_text
from ..errors import DataError
from ..study import Study, load_study

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "open_run",
    "read_clean",
    "read_results",
    "read_table",
    "table_path",
    "write_clean",
    "write_figure",
    "write_results",
    "write_table",
]

CLEAN_FILE = "clean.parquet"
STUDY_FILE = "study.json"


def _check_name(kind: str, name: str) -> None:
    if not name or any(ch in name for ch in "/\\:") or name.startswith("."):
        raise DataError(f"{kind} name {name!r} is not a plain file name")


def table_path(run_dir: str | Path, notebook: str, name: str) -> Path:
    """Where ``write_table`` puts table ``name`` of ``notebook``."""
    return Path(run_dir) / "tables" / f"{notebook}__{name}.csv"


def write_table(run_dir: str | Path, notebook: str, name: str, table: pd.DataFrame) -> Path:
    """Write a tidy table as ``tables/<notebook>__<name>.csv``.

    Floats are written with 12 significant digits so that the same inputs always give the same
    bytes.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> p = write_table(tempfile.mkdtemp(), "03_drivers", "demo", pd.DataFrame({"a": [1]}))
    >>> p.name
    '03_drivers__demo.csv'
    """
    _check_name("notebook", notebook)
    _check_name("table", name)
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"table {name!r} of {notebook}: expected a DataFrame, got "
                        f"{type(table).__name__}")
    csv = table.to_csv(index=False, float_format="%.12g", lineterminator="\n")
    return atomic_write_text(table_path(run_dir, notebook, name), csv)


def read_table(run_dir: str | Path, notebook: str, name: str) -> pd.DataFrame | None:
    """Read a table written by :func:`write_table`; ``None`` if that notebook did not write it."""
    p = table_path(run_dir, notebook, name)
    return pd.read_csv(p) if p.is_file() else None


def _inline_backend() -> bool:
    """Whether figures are shown by the notebook's inline backend (the default in Jupyter)."""
    import sys

    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return False
    try:
        backend = mpl.get_backend(auto_select=False)  # matplotlib >= 3.10: None if not chosen
    except TypeError:
        backend = mpl.get_backend()
    return "backend_inline" in str(backend)


def write_figure(run_dir: str | Path, notebook: str, name: str, figure: Any,
                 formats: tuple[str, ...] = ("png", "svg"), dpi: int = 150,
                 show: bool | None = None) -> list[Path]:
    """Save a matplotlib Figure (or the figure of an Axes) as PNG and SVG.

    Each format is drawn once, cropped to the figure's tight bounding box.

    Parameters
    ----------
    run_dir : str or Path
        The run directory.
    notebook, name : str
        The files are ``figures/<notebook>__<name>.<fmt>``.
    figure : matplotlib Figure or Axes
        What to save.
    formats : tuple of str
        The formats, in order.
    dpi : int
        Resolution of the raster formats.
    show : bool, optional
        Show the PNG just written as the cell's output and close the figure, so it is not
        drawn a second time for the notebook.  By default this is done when figures are shown
        by Jupyter's inline backend (and never elsewhere: an interactive backend keeps the
        live figure).

    Returns
    -------
    list of Path
        The paths written.
    """
    import io

    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    _check_name("notebook", notebook)
    _check_name("figure", name)
    fig = figure.get_figure() if hasattr(figure, "get_figure") else figure
    if fig is None or not hasattr(fig, "savefig"):
        raise DataError(f"figure {name!r} of {notebook}: expected a matplotlib Figure or Axes")
    # The tight bounding box, found once for every format (``bbox_inches="tight"`` would draw
    # the figure an extra time per format to find it).
    bbox = fig.get_tightbbox(fig.canvas.get_renderer()).padded(0.1)
    # After ``tight_layout`` a figure keeps a placeholder layout engine, which does nothing but
    # makes ``savefig`` draw the whole figure once more before drawing it for real.
    engine = fig.get_layout_engine()
    placeholder = isinstance(engine, PlaceHolderLayoutEngine)
    if placeholder:
        fig.set_layout_engine(None)
    paths, png = [], None
    try:
        for fmt in formats:
            buf = io.BytesIO()
            meta = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(buf, format=fmt, dpi=dpi, bbox_inches=bbox, metadata=meta)
            if fmt == "png":
                png = buf.getvalue()
            paths.append(atomic_write_bytes(
                Path(run_dir) / "figures" / f"{notebook}__{name}.{fmt}", buf.getvalue()))
    finally:
        if placeholder:
            fig.set_layout_engine(engine)
    if png is not None and (show if show is not None else _inline_backend()):
        _show_png(fig, png, dpi)
    return paths


def _show_png(fig: Any, png: bytes, dpi: int) -> None:
    """Show ``png`` (drawn at ``dpi``) at the size the inline backend shows figures, and close
    ``fig`` so the backend does not draw it again."""
    import struct

    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    width = struct.unpack(">I", png[16:20])[0]  # the PNG header's pixel width
    screen_dpi = float(plt.rcParams["figure.dpi"])
    display(Image(data=png, format="png", width=max(1, round(width * screen_dpi / dpi))))
    plt.close(fig)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    if isinstance(value, (pd.Series,)):
        return _json_safe(value.to_dict())
    if isinstance(value, pd.DataFrame):
        return _json_safe(value.to_dict(orient="records"))
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    return value


def write_results(run_dir: str | Path, notebook: str, results: dict[str, Any]) -> Path:
    """Write the headline numbers of a notebook to ``results/<notebook>.json``.

    Values are converted to plain JSON (NaN becomes ``null``); keys written earlier by the same
    notebook are kept unless overwritten.
    """
    _check_name("notebook", notebook)
    p = Path(run_dir) / "results" / f"{notebook}.json"
    merged = read_results(run_dir, notebook) or {}
    merged.update(_json_safe(results))
    return atomic_write_text(p, json.dumps(merged, indent=2, sort_keys=True,
                                           ensure_ascii=False) + "\n")


def read_results(run_dir: str | Path, notebook: str) -> dict[str, Any] | None:
    """The results a notebook wrote, or ``None`` if it has not run in this run directory."""
    p = Path(run_dir) / "results" / f"{notebook}.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def write_clean(run_dir: str | Path, data: pd.DataFrame, study: Study) -> tuple[Path, Path]:
    """Write the clean data and the study as the hand-over of a run directory, with what the
    study supports on this data (``capabilities.json``, see :mod:`cvmkit.sections`)."""
    import io

    run = Path(run_dir)
    buf = io.BytesIO()
    data.reset_index(drop=True).to_parquet(buf, index=False)
    p1 = atomic_write_bytes(run / CLEAN_FILE, buf.getvalue())
    p2 = atomic_write_text(run / STUDY_FILE, json.dumps(study.to_dict(), indent=2,
                                                        default=str) + "\n")
    from ..sections import write_capabilities

    write_capabilities(run, study.capabilities(data))
    return p1, p2


def read_clean(run_dir: str | Path) -> tuple[pd.DataFrame, Study]:
    """Read the clean data and study written by notebook 01 into ``run_dir``."""
    run = Path(run_dir)
    if not (run / CLEAN_FILE).is_file() or not (run / STUDY_FILE).is_file():
        raise DataError(f"run directory '{run}' has no {CLEAN_FILE} and {STUDY_FILE}: "
                        "run notebook 01_data_collection first")
    return pd.read_parquet(run / CLEAN_FILE), Study.from_json(run / STUDY_FILE)


def open_run(run_dir: str | Path, study_path: str | Path | None = None,
             data_path: str | Path | None = None, seed: int = 2026) -> tuple[pd.DataFrame, Study]:
    """The clean data and study of a run, preparing them first if the run has none yet.

    Notebooks 02–06 start with this call.  In a pipeline run, notebook 01 has already written
    ``clean.parquet``; a notebook opened on its own (in JupyterLab, or under nbval) gets the same
    clean data by running notebook 01's steps with their defaults (:func:`cvmkit.collect.collect`).

    Parameters
    ----------
    run_dir : str or Path
        The run directory.
    study_path : str or Path, optional
        The study file, used only when the run has no clean data yet.
    data_path : str or Path, optional
        The survey data (``None``: the file the study names).
    seed : int
        Passed to the data collection step.

    Returns
    -------
    data : DataFrame
        One row per respondent, with a float ``weight`` column.
    study : Study
    """
    run = Path(run_dir)
    if not (run / CLEAN_FILE).is_file():
        if study_path is None:
            raise DataError(f"run directory '{run}' has no clean data and no study_path was given")
        from ..collect import collect

        result = collect(load_study(study_path), data_path, seed=seed)
        write_clean(run, result.clean, result.study)
    return read_clean(run)
