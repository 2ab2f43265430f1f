"""``deck.pptx``: the client report's story as slides, for the consultant presenting it.

The deck holds the same words as ``report.html`` (:mod:`cvmkit.report.client`), from the same
frames: a title slide (client, title, date, logo, accent colour), the executive summary, one
slide per finding — its finding as the slide's headline, its chart (the driver shares as a
native, editable PowerPoint bar chart, and so are the loyalty groups by segment; the other
charts as pictures), every number of the
finding in the speaker notes — and the recommended actions as a table.

Anything a study or a respondent wrote is text in the deck, never markup: python-pptx escapes
it for XML, and characters XML cannot hold are dropped; no text becomes a link or a field.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .client import ReportStory

__all__ = ["DECK_FILE", "build_deck"]

DECK_FILE = "deck.pptx"
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ACTION_ROWS = 6  # rows of the action table per slide


def _text(value: Any) -> str:
    """``value`` as plain text a slide can hold (no XML-invalid characters)."""
    return _XML_BAD.sub("", "" if value is None else str(value))


def _rgb(color: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(color.lstrip("#").upper())


def _title(slide, text: str, accent: str, size: int = 26) -> None:
    from pptx.util import Emu, Pt

    shape = slide.shapes.title
    shape.text = _text(text)
    shape.left, shape.top, shape.width, shape.height = (Emu(457200), Emu(228600),
                                                         Emu(8229600), Emu(914400))
    for p in shape.text_frame.paragraphs:
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = True
            r.font.color.rgb = _rgb(accent)
    shape.text_frame.word_wrap = True


def _textbox(slide, left, top, width, height, lines: list[str], size: int = 16,
             bold_first: bool = False):
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for k, line in enumerate(lines):
        p = tf.paragraphs[0] if k == 0 else tf.add_paragraph()
        p.text = _text(line)
        p.space_after = Pt(6)
        for r in p.runs:
            r.font.size = Pt(size)
            r.font.bold = bold_first and k == 0
    return box


def _notes(slide, lines: list[str]) -> None:
    slide.notes_slide.notes_text_frame.text = _text("\n".join(lines))


def _driver_chart(slide, table: pd.DataFrame, accent: str, left, top, width, height) -> bool:
    """The driver shares as a native bar chart; False when the table has no shares."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Pt

    if not {"label", "share"} <= set(table.columns):
        return False
    t = table.dropna(subset=["share"]).head(12).iloc[::-1]
    if not len(t):
        return False
    data = CategoryChartData()
    data.categories = [_text(x) for x in t["label"]]
    data.add_series("Share of the explained variation (%)",
                    [round(float(v), 1) for v in t["share"]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_CLUSTERED, left, top, width, height,
                                   data).chart
    chart.has_legend = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = '0.0"%"'
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(10)
    plot.series[0].format.fill.solid()
    plot.series[0].format.fill.fore_color.rgb = _rgb(accent)
    chart.category_axis.tick_labels.font.size = Pt(10)
    chart.value_axis.tick_labels.font.size = Pt(10)
    return True


def _nps_chart(slide, run: Path, left, top, width, height) -> bool:
    """Promoters, passives and detractors by segment as a native 100% stacked bar chart; False
    when the run has no NPS by segment."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Pt

    from ..plots._style import BLUE, LIGHT_GREY, VERMILLION
    from ._common import read_table
    from .client import _find

    path = _find(run, "tables", "05", "nps_by_segment", ".csv")
    t = read_table(path) if path is not None else None
    groups = ("detractors", "passives", "promoters")
    if t is None or not set(groups) <= set(t.columns) or t.shape[1] < 1:
        return False
    key = t.columns[0]
    data = CategoryChartData()
    data.categories = [_text(x) for x in t[key]]
    for g in groups:
        data.add_series(g.capitalize(), [round(100 * float(v), 1) for v in t[g]])
    chart = slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED_100, left, top, width, height,
                                   data).chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.number_format = '0"%"'
    plot.data_labels.number_format_is_linked = False
    plot.data_labels.font.size = Pt(10)
    for series, colour in zip(plot.series, (VERMILLION, LIGHT_GREY, BLUE)):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = _rgb(colour)
    return True


def _table_lines(frame: pd.DataFrame, cols: tuple[tuple[str, str], ...]) -> list[str]:
    from ._common import _fmt

    pairs = [(c, h) for c, h in cols if c in frame.columns]
    return ["; ".join(f"{h}: {_fmt(v)}" for (c, h), v in zip(pairs, row))
            for row in frame[[c for c, _ in pairs]].itertuples(index=False)]


def build_deck(run_dir: str | Path, *, client_name: str | None = None,
               report_title: str | None = None, report_date: str | date | None = None,
               logo_path: str | Path | None = None, accent_color: str | None = None,
               story: ReportStory | None = None) -> Path:
    """Write ``deck.pptx`` into a run directory, beside ``report.html``.

    Parameters are those of :func:`cvmkit.report.build_report`, and ``story``, the run's
    :func:`cvmkit.report.client.report_story` when already read (as the report reads it).

    Returns
    -------
    Path
        ``run_dir/deck.pptx``.

    Examples
    --------
    >>> build_deck("reports/demo/20260101-120000", accent_color="teal")  # doctest: +SKIP
    PosixPath('reports/demo/20260101-120000/deck.pptx')
    """
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    from ..io.artifacts import atomic_write_bytes
    from ._common import _accent, _date_text, cover_names
    from .client import report_story

    run = Path(run_dir)
    client, title = cover_names(run, client_name, report_title)
    accent = _accent(accent_color)
    summary, actions, sections = story if story is not None else report_story(run)

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(10), Inches(5.625)
    blank, title_only = prs.slide_layouts[6], prs.slide_layouts[5]

    # the title slide
    s = prs.slides.add_slide(blank)
    band = s.shapes.add_shape(1, 0, 0, prs.slide_width, Inches(0.35))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(accent)
    band.line.fill.background()
    if logo_path and Path(logo_path).is_file():
        s.shapes.add_picture(str(logo_path), Inches(0.6), Inches(0.8), height=Inches(0.9))
    box = _textbox(s, Inches(0.6), Inches(2.0), Inches(8.8), Inches(2.6),
                   [client.upper(), title, _date_text(report_date)], size=18)
    paras = box.text_frame.paragraphs
    for r in paras[0].runs:
        r.font.color.rgb, r.font.bold, r.font.size = _rgb(accent), True, Pt(16)
    for r in paras[1].runs:
        r.font.bold, r.font.size = True, Pt(32)

    # the executive summary: the first sentence of each part
    s = prs.slides.add_slide(title_only)
    _title(s, "Executive summary", accent)
    covered = summary[summary["covered"] & (summary["part"] != "sample")]
    firsts = [g["sentence"].iloc[0] for _, g in covered.groupby("part", sort=False)]
    _textbox(s, Inches(0.5), Inches(1.25), Inches(9), Inches(4.2),
             [f"• {x}" for x in firsts] or ["None of the analyses ran for this study."],
             size=14 if len(firsts) <= 5 else 12 if len(firsts) <= 7 else 10)
    _notes(s, covered["sentence"].tolist())

    # the recommended actions
    if len(actions):
        for start in range(0, len(actions), ACTION_ROWS):
            part = actions.iloc[start:start + ACTION_ROWS]
            s = prs.slides.add_slide(title_only)
            more = f" ({start // ACTION_ROWS + 1})" if len(actions) > ACTION_ROWS else ""
            _title(s, f"Recommended actions{more}", accent)
            shape = s.shapes.add_table(len(part) + 1, 3, Inches(0.5), Inches(1.2),
                                       Inches(9), Inches(0.3) * (len(part) + 1))
            table = shape.table
            table.columns[0].width, table.columns[1].width = Inches(2.2), Inches(1.8)
            table.columns[2].width = Inches(5.0)
            for j, head in enumerate(("Attribute", "Recommendation", "Why")):
                table.cell(0, j).text = head
                table.cell(0, j).fill.solid()
                table.cell(0, j).fill.fore_color.rgb = _rgb(accent)
            for i, r in enumerate(part.itertuples(index=False), start=1):
                for j, v in enumerate((r.label, r.action_label, r.reasons)):
                    table.cell(i, j).text = _text(v)
            for row in table.rows:
                for cell in row.cells:
                    for p in cell.text_frame.paragraphs:
                        for run_ in p.runs:
                            run_.font.size = Pt(9)
            _notes(s, [f"{r.label}: {r.action_label}. {r.reasons}"
                       for r in part.itertuples(index=False)])

    # one slide per finding
    for sec in sections:
        s = prs.slides.add_slide(title_only)
        _title(s, sec["title"], accent, size=22)
        lead = sec["sentences"][0] if sec["sentences"] else ""
        # a long finding (several segments, several disagreements) takes a smaller font and
        # pushes the chart down rather than running into it
        size = 13 if len(lead) <= 190 else 11
        lines = max(2, math.ceil(len(lead) / (95 if size == 13 else 118)))
        lead_h = 0.24 * lines if size == 13 else 0.2 * lines
        _textbox(s, Inches(0.5), Inches(1.0), Inches(9), Inches(lead_h), [lead], size=size,
                 bold_first=True)
        notes = list(sec["sentences"])
        top = Inches(max(1.9, 1.0 + lead_h + 0.15))
        height = Inches(5.45) - top
        placed = False
        if sec["table"] is not None:
            frame, cols, cap, _ = sec["table"]
            notes += [f"{cap}:"] + _table_lines(frame, cols)
            if sec["key"] == "drivers":
                placed = _driver_chart(s, frame, accent, Inches(0.5), top, Inches(9), height)
        if sec["key"] == "loyalty" and sec["covered"]:
            placed = _nps_chart(s, run, Inches(0.5), top, Inches(9), height)
        if not placed and sec["figures"]:
            from PIL import Image

            chart = sec["figures"][0]
            with Image.open(chart.source()) as im:
                w, h = im.size
            width = min(Inches(9), int(height * w / h))
            pic_h = int(width * h / w)
            s.shapes.add_picture(chart.source(), int((prs.slide_width - width) / 2), top,
                                 width=Emu(width), height=Emu(pic_h))
        _notes(s, notes)

    buf = io.BytesIO()
    prs.save(buf)
    return atomic_write_bytes(run / DECK_FILE, buf.getvalue())
