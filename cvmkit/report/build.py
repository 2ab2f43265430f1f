"""Building the client documents of a run: ``report.html`` and, beside it, ``deck.pptx``."""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import DataError
from ._common import _accent, _data_uri, _date_text, cover_names
from .client import ReportStory, render_client_report, report_story
from .deck import build_deck
from .html import REPORT_FILE, check_logo

__all__ = ["build_report", "render_report"]


def render_report(run_dir: str | Path, *, client_name: str | None = None,
                  report_title: str | None = None, report_date: str | date | None = None,
                  logo_path: str | Path | None = None, accent_color: str | None = None,
                  notebooks_dir: str | Path | None = None,
                  manifest: dict[str, Any] | None = None, appendix: str | None = None,
                  story: ReportStory | None = None) -> str:
    """The HTML of the report of a run (see :func:`build_report`; ``story``: the run's
    :func:`cvmkit.report.client.report_story`, when already read)."""
    run = Path(run_dir)
    client, title = cover_names(run, client_name, report_title)
    when = _date_text(report_date)
    accent = _accent(accent_color)
    logo = ""
    if logo_path:
        p = Path(logo_path)
        if not p.is_file():
            raise DataError(f"logo_path: image file '{p}' does not exist")
        check_logo(p)
        logo = f"<img class=\"logo\" src=\"{_data_uri(p)}\" alt=\"{html.escape(client)} logo\">"
    if manifest is None and (run / "manifest.json").is_file():
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    if appendix is None:
        params = (manifest or {}).get("parameters") or {}
        appendix = str(params.get("appendix") or "short")
    foot = [html.escape(title)]
    if manifest:
        foot.append(f"reference {html.escape(str(manifest.get('run_id', run.name)))}")
    foot.append("every table is in tables.xlsx, every chart in figures/")
    return render_client_report(run, title=title, client=client, when=when, logo_html=logo,
                                accent=accent, appendix=appendix, notebooks_dir=notebooks_dir,
                                footer=" · ".join(foot) + ".", story=story)


def build_report(run_dir: str | Path, *, client_name: str | None = None,
                 report_title: str | None = None, report_date: str | date | None = None,
                 logo_path: str | Path | None = None, accent_color: str | None = None,
                 notebooks_dir: str | Path | None = None,
                 manifest: dict[str, Any] | None = None, appendix: str | None = None,
                 deck: bool = True) -> Path:
    """Write ``report.html`` (:mod:`cvmkit.report.client`) and, beside it, ``deck.pptx``
    (:mod:`cvmkit.report.deck`) into a run directory.

    Parameters
    ----------
    run_dir : str or Path
        The run directory (see the module docstring for what is read from it).
    client_name, report_title : str, optional
        Shown on the cover (default: the study's ``client`` and ``title``).
    report_date : str or date, optional
        Shown on the cover (default: today).
    logo_path : str or Path, optional
        An image (PNG, JPEG, GIF, SVG or WebP) shown on the cover, embedded in the page.
    accent_color : str, optional
        Any matplotlib colour (``"#1f5f8b"``, ``"teal"``) for rules, headings and the cover.
    notebooks_dir : str or Path, optional
        Source notebooks, for narrative when the run holds no executed copy.
    manifest : dict, optional
        The run's manifest (default: ``manifest.json`` of the run, if any).
    appendix : {"short", "full", "none"}, optional
        How much method and detail the appendix holds (default: the run's ``appendix``
        parameter, else ``"short"``).
    deck : bool
        Also write ``deck.pptx``, the same story as slides.

    Returns
    -------
    Path
        ``run_dir/report.html``.

    Examples
    --------
    >>> from cvmkit.report import build_report
    >>> build_report("reports/demo/20260101-120000", accent_color="teal")  # doctest: +SKIP
    PosixPath('reports/demo/20260101-120000/report.html')
    """
    from ..io.artifacts import atomic_write_text

    story = report_story(run_dir)  # told by the page and the deck alike: read once
    page = render_report(run_dir, client_name=client_name, report_title=report_title,
                         report_date=report_date, logo_path=logo_path, accent_color=accent_color,
                         notebooks_dir=notebooks_dir, manifest=manifest, appendix=appendix,
                         story=story)
    if deck:
        build_deck(run_dir, client_name=client_name, report_title=report_title,
                   report_date=report_date, logo_path=logo_path, accent_color=accent_color,
                   story=story)
    return atomic_write_text(Path(run_dir) / REPORT_FILE, page)
