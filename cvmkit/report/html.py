"""``report.html``: the whole run on one self-contained page, for a client.

The page is built from what the run directory holds:

* the **executed notebooks** (``NN_name.ipynb``, kept by the pipeline) give each section its
  narrative: the markdown cells and the sentences the notebook computed (its ``text/markdown``
  outputs).  Code, printed output, warnings, raw HTML outputs and widgets are left out.  Where a
  run has no executed copy of a notebook (a notebook run on its own in JupyterLab), the markdown
  of the source notebook in ``notebooks_dir`` is used instead, when given;
* ``figures/<notebook>__<name>.png`` are embedded as ``data:`` URIs, each placed after the cell
  that wrote it (found from the ``write_figure`` call in the cell's source) or at the end of its
  section;
* ``tables/<notebook>__<name>.csv`` are shown as HTML tables (long tables cut to their first
  rows, with a pointer to the sheet of ``tables.xlsx`` that holds them whole);
* ``results/*.json`` give the executive summary (:mod:`cvmkit.summary`);
* ``manifest.json`` (when present) gives the run id, seed and versions of the footer.

The page makes no request of its own: no script, no web font, no external style sheet, and a
``Content-Security-Policy`` meta tag that forbids anything but inline styles and ``data:``
images, so even a stray link in a notebook's markdown cannot load anything.

Notebook cells tagged ``report-skip`` (or ``remove-cell``, ``parameters``) are left out, as are
the parts of a notebook that are for its user rather than the client — a part headed "Results
for the report", "What this notebook writes", "Hand-over" or "… (demo study only)", down to the
next heading of the same level, with its figures and tables — a markdown cell that only
introduces an interactive widget (a page cannot show one), a computed sentence about where files
were written, and any paragraph that talks to the person running the notebook (about its
parameters, the run directory or JupyterLab).
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..capabilities import Capability
from ..errors import CvmkitError, DataError
from ..escaping import inert_markdown
from ..sections import first_unmet
from ._csv import count_rows, read_head
from .xlsx import MAX_SHEET_ROWS

__all__ = ["REPORT_FILE", "Section", "build_report", "collect_sections", "render_report"]

REPORT_FILE = "report.html"
SUMMARY_NOTEBOOK = "07_report"
_NB_RE = re.compile(r"^(\d{2})_([\w\-]+)$")
_SKIP_TAGS = {"report-skip", "remove-cell", "parameters", "injected-parameters"}
#: The tag of the markdown cell the pipeline puts in place of a part the study cannot have.
_SKIPPED_TAG = "cvmkit-skipped"
#: Analyses a client is not told were not run: an unweighted sample is the ordinary case, and
#: the check against a simulated study's planted truth is a lesson, not a finding.
_UNSAID = {"weights", "truth"}
#: Headings of the parts of a notebook that are for its user, not for the client: the
#: notebook's own bookkeeping (the results it writes) and checks against the demo's truth.
_SKIP_HEADING_RE = re.compile(
    r"^(?:\d+\s*[·.:\-–—]\s*)?(results (written|for the (summary|report))|what this notebook "
    r"writes|hand-?over\b|.*\(demo( study)? only\)|checking against the planted truth)",
    re.I)
_HEADING_RE = re.compile(r"^\s*(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
_LAB_ONLY_RE = re.compile(
    r"\bparameters?\b[^.]*\b(below|above|cell)\b|\brun_dir\b|JupyterLab|\bpapermill\b|"
    r"\bnbval\b|`write_(results|table|figure)`",
    re.I,
)
_CALL_RE = {
    kind: re.compile(rf"write_{kind}\(\s*[^,()]+,\s*[^,()]+,\s*[rbfu]?([\"'])(.+?)\1", re.S)
    for kind in ("figure", "table")
}
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")
MAX_ROWS = 15
MAX_COLS = 10


@dataclass
class Block:
    """One piece of a section: narrative HTML, a figure or a table."""

    kind: str  # "html" | "figure" | "table"
    html: str = ""
    name: str = ""


@dataclass
class Section:
    """A section of the report: one notebook's narrative, figures and tables."""

    notebook: str
    number: str
    title: str
    anchor: str
    blocks: list[Block] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (anchor, text)
    figures: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- markdown
def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", re.sub(r"<[^>]+>", "", text).lower()).strip("-") or "part"


class _Markdown:
    """Markdown to HTML with headings shifted below the section title and given anchors."""

    def __init__(self, anchor: str, shift: int = 1) -> None:
        import mistune

        self.headings: list[tuple[int, str, str]] = []
        owner = self

        class Renderer(mistune.HTMLRenderer):
            def heading(self, text: str, level: int, **attrs: Any) -> str:
                new = min(level + shift, 6)
                hid = f"{anchor}-{_slug(text)}"
                taken = {h[1] for h in owner.headings}
                k = 2
                base = hid
                while hid in taken:
                    hid = f"{base}-{k}"
                    k += 1
                owner.headings.append((level, hid, text))
                return f'<h{new} id="{hid}">{text}</h{new}>\n'

        self._md = mistune.create_markdown(renderer=Renderer(escape=False),
                                           plugins=["table", "strikethrough"])

    def __call__(self, text: str) -> str:
        return str(self._md(text))


def _drop_lab_paragraphs(text: str) -> str:
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(p for p in paragraphs
                       if p.lstrip().startswith("#") or not _LAB_ONLY_RE.search(p))


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _markdown_outputs(cell: Any) -> list[str]:
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") in ("display_data", "execute_result"):
            md = o.get("data", {}).get("text/markdown")
            if md:  # computed from the study's and respondents' text: shown, never run
                out.append(inert_markdown("".join(md) if isinstance(md, list) else str(md)))
    return out


_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_WIDGET_SRC_RE = re.compile(r"\bwidgets\.|\binteract(ive)?\(|_explorer\(")


def _about_files(text: str, run: Path) -> bool:
    """Whether a computed sentence is about the run's files (where things were written)."""
    return (str(run.resolve()) in text or ".partial" in text or "run_dir" in text
            or bool(re.match(r"\s*Wrote\b", text)))


def _introduces_widget(cells: list[Any], k: int) -> bool:
    """Whether markdown cell ``k`` introduces an interactive widget, which a page cannot show.

    True when the next code cell shows a widget (or, unexecuted, builds one) and leaves
    nothing a reader of the page would see: no sentence, no figure or table written.
    """
    nxt = next((c for c in cells[k + 1:] if c.cell_type == "code"), None)
    if nxt is None:
        return False
    outputs = nxt.get("outputs", [])
    shows_widget = any(_WIDGET_MIME in o.get("data", {}) for o in outputs)
    src = _source(nxt)
    builds_widget = not outputs and bool(_WIDGET_SRC_RE.search(src))
    writes = _CALL_RE["figure"].search(src) or _CALL_RE["table"].search(src)
    return (shows_widget or builds_widget) and not _markdown_outputs(nxt) and not writes


def _title_from(text: str, fallback: str) -> tuple[str, str]:
    """The notebook's H1 (without its ``NN ·`` prefix) and the markdown after it."""
    m = re.match(r"\s*#\s+(.+?)\s*(\n|$)", text)
    if not m:
        return fallback, text
    title = re.sub(r"^\s*\d{1,2}\s*[·.:\-–—]\s*", "", m.group(1)).strip()
    return title or fallback, text[m.end():]


def _human(name: str) -> str:
    s = name.replace("_", " ").replace("-", " ").strip()
    return s[:1].upper() + s[1:]


# ---------------------------------------------------------------------- figures and tables
def _data_uri(path: Path) -> str:
    mime = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
            ".gif": "image/gif", ".svg": "image/svg+xml", ".webp": "image/webp"}.get(
        path.suffix.lower())
    if mime is None:
        raise DataError(f"image '{path}': expected a .png, .jpg, .gif, .svg or .webp file")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


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


def _table_html(frame: pd.DataFrame, sheet: str | None, caption: str,
                source: str | None = None) -> tuple[str, str]:
    n_rows = int(frame.attrs.get("n_rows", len(frame)))
    n_cols = frame.shape[1]
    shown = frame.iloc[:MAX_ROWS, :MAX_COLS]
    head = "".join(f"<th scope=\"col\">{html.escape(_human(str(c)))}</th>" for c in shown.columns)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(
        shown[c]) for c in shown.columns]
    body = []
    for row in shown.itertuples(index=False):
        cells = "".join(
            f"<td class=\"num\">{html.escape(_fmt(v))}</td>" if num
            else f"<td>{html.escape(_fmt(v))}</td>"
            for v, num in zip(row, numeric))
        body.append(f"<tr>{cells}</tr>")
    note = []
    if n_rows > MAX_ROWS:
        note.append(f"first {MAX_ROWS} of {n_rows:,} rows")
    if n_cols > MAX_COLS:
        note.append(f"first {MAX_COLS} of {n_cols} columns")
    if n_rows > MAX_SHEET_ROWS and source:
        where = f"in the file {html.escape(source)} (too long for tables.xlsx)"
    else:
        where = (f"in sheet “{html.escape(sheet)}” of tables.xlsx" if sheet
                 else "in tables.xlsx")
    note_html = (f"<p class=\"table-note\">Showing the {' and '.join(note)}; the whole table is "
                 f"{where}.</p>" if note else
                 f"<p class=\"table-note\">Also {where}.</p>")
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"), note_html


# ---------------------------------------------------------------------- sections
def _notebook_names(run: Path, notebooks_dir: Path | None) -> list[str]:
    names: set[str] = set()
    for p in run.glob("*.ipynb"):
        if _NB_RE.match(p.stem):
            names.add(p.stem)
    for sub in ("figures", "tables"):
        for p in (run / sub).glob("*__*"):
            nb = p.name.split("__", 1)[0]
            if _NB_RE.match(nb):
                names.add(nb)
    return sorted(names)


def _load_notebook(run: Path, name: str, notebooks_dir: Path | None) -> tuple[Any, bool]:
    import nbformat

    executed = run / f"{name}.ipynb"
    if executed.is_file():
        return nbformat.read(str(executed), as_version=4), True
    if notebooks_dir is not None and (notebooks_dir / f"{name}.ipynb").is_file():
        return nbformat.read(str(notebooks_dir / f"{name}.ipynb"), as_version=4), False
    return None, False


def collect_sections(run_dir: str | Path, notebooks_dir: str | Path | None = None,
                     sheets: dict[str, str] | None = None,
                     exclude: tuple[str, ...] = (SUMMARY_NOTEBOOK,)) -> list[Section]:
    """The sections of the report, one per notebook that left something in the run.

    Parameters
    ----------
    run_dir : str or Path
        The run directory.
    notebooks_dir : str or Path, optional
        Where to find a notebook's markdown when the run holds no executed copy of it.
    sheets : dict, optional
        ``{table file stem: sheet name}`` of ``tables.xlsx``, named in the table notes.
    exclude : tuple of str
        Notebooks that get no section of their own (the summary notebook).

    Returns
    -------
    list of Section
    """
    from ..summary import run_capabilities

    run = Path(run_dir)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else None
    counter = [0]
    caps = run_capabilities(run)
    return [_section(run, name, nb_dir, sheets or {}, counter, caps)
            for name in _notebook_names(run, nb_dir) if name not in exclude]


def _unmet(cell: Any, caps: dict[str, Capability] | None, where: str) -> Capability | None:
    """The first capability a cell's ``requires-`` tags name that the study lacks, if any."""
    if not caps:
        return None
    try:
        return first_unmet(cell, caps, where)
    except CvmkitError:  # a tag naming no capability: keep the cell rather than fail the page
        return None


def _section(run: Path, name: str, nb_dir: Path | None, sheets: dict[str, str],
             counter: list[int], caps: dict[str, Capability] | None = None) -> Section:
    number, stem = _NB_RE.match(name).groups()
    anchor = f"s{number}-{stem.replace('_', '-')}"
    figures = sorted(p.stem.split("__", 1)[1] for p in (run / "figures").glob(f"{name}__*.png")
                     if p.stat().st_size > 0)
    frames = {p.stem.split("__", 1)[1]: read_table(p, MAX_ROWS)
              for p in (run / "tables").glob(f"{name}__*.csv")}
    tables = sorted(t for t, f in frames.items() if f is not None)
    nb, executed = _load_notebook(run, name, nb_dir)
    md = _Markdown(anchor)
    section = Section(name, number, _human(stem), anchor, figures=figures, tables=tables)
    placed: set[tuple[str, str]] = set()

    def add_figure(fig: str) -> None:
        counter[0] += 1
        uri = _data_uri(run / "figures" / f"{name}__{fig}.png")
        alt = html.escape(f"{section.title}: {_human(fig)}")
        section.blocks.append(Block("figure", (
            f"<figure class=\"report-figure\" data-figure=\"{name}__{fig}\">"
            f"<img src=\"{uri}\" alt=\"{alt}\">"
            f"<figcaption>Figure {counter[0]} · {html.escape(_human(fig))}</figcaption>"
            "</figure>"), fig))
        placed.add(("figure", fig))

    def add_table(tab: str) -> None:
        frame = frames[tab]
        table, note = _table_html(frame, sheets.get(f"{name}__{tab}"), _human(tab),
                                  f"tables/{name}__{tab}.csv")
        section.blocks.append(Block("table", (
            f"<div class=\"report-table\" data-table=\"{name}__{tab}\">"
            f"<div class=\"scroll\">{table}</div>{note}</div>"), tab))
        placed.add(("table", tab))

    said: set[str] = set()  # analyses not run, each said once per section

    def not_run(cap: Capability) -> None:
        if cap.name in _UNSAID or cap.name in said:
            return
        said.add(cap.name)
        section.blocks.append(Block("html", f"<p class=\"not-run\"><em>"
                                            f"{_inline(cap.plain_sentence)}</em></p>"))

    first_md = True
    skip_level: int | None = None  # inside a part left out, below a heading of this level
    cells = list(nb.cells) if nb is not None else []
    for k, cell in enumerate(cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _SKIP_TAGS:
            continue
        if _SKIPPED_TAG in tags and caps:  # the pipeline's sentences for parts it left out
            if skip_level is None:
                for c in caps.values():
                    if not c.available and c.sentence in _source(cell):
                        not_run(c)
            continue
        unmet = _unmet(cell, caps, name)
        if unmet is not None:  # a part the study lacks: its sentence once, no artefacts
            if cell.cell_type == "code":
                src = _source(cell)
                for kind in ("figure", "table"):
                    placed.update((kind, m.group(2)) for m in _CALL_RE[kind].finditer(src))
            if skip_level is None:
                not_run(unmet)
            continue
        if cell.cell_type == "markdown":
            text = _source(cell)
            if first_md:
                first_md = False
                section.title, text = _title_from(text, section.title)
            heading = _HEADING_RE.search(text)
            if heading is not None:
                level = len(heading.group(1))
                if skip_level is not None and level <= skip_level:
                    skip_level = None
                if skip_level is None and _SKIP_HEADING_RE.match(heading.group(2)):
                    skip_level = level
            if skip_level is not None or _introduces_widget(cells, k):
                continue
            text = _drop_lab_paragraphs(text)
            if text.strip():
                section.blocks.append(Block("html", md(text)))
        elif cell.cell_type == "code":
            src = _source(cell)
            if skip_level is not None:  # its figures and tables stay out of the page too
                for kind in ("figure", "table"):
                    placed.update((kind, m.group(2)) for m in _CALL_RE[kind].finditer(src))
                continue
            if executed:
                for out in _markdown_outputs(cell):
                    if not _about_files(out, run):
                        section.blocks.append(Block("html", f"<div class=\"finding\">{md(out)}"
                                                            "</div>"))
            for kind, items, adder in (("figure", figures, add_figure),
                                       ("table", tables, add_table)):
                for m in _CALL_RE[kind].finditer(src):
                    if m.group(2) in items and (kind, m.group(2)) not in placed:
                        adder(m.group(2))
    for fig in figures:
        if ("figure", fig) not in placed:
            add_figure(fig)
    for tab in tables:
        if ("table", tab) not in placed:
            add_table(tab)
    section.headings = [(hid, re.sub(r"<[^>]+>", "", text))
                        for level, hid, text in md.headings if level == 2]
    return section


# ---------------------------------------------------------------------- the page
_CSS = """
:root { --accent: %(accent)s; --ink: #1d2327; --muted: #5f6b73; --rule: #d9dee2; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; }
header.cover { padding: 2.5rem 3rem 2rem; border-top: 8px solid var(--accent);
  background: #f6f8f9; display: flex; gap: 2rem; align-items: center; }
header.cover img.logo { max-height: 72px; max-width: 220px; }
header.cover .client { margin: 0; color: var(--accent); font-weight: 600; letter-spacing: .04em;
  text-transform: uppercase; font-size: .9rem; }
header.cover h1 { margin: .2rem 0 .3rem; font-size: 2rem; line-height: 1.2; }
header.cover .date { margin: 0; color: var(--muted); }
.layout { display: flex; align-items: flex-start; max-width: 1280px; margin: 0 auto; }
nav#contents { position: sticky; top: 0; flex: 0 0 260px; max-height: 100vh; overflow: auto;
  padding: 1.5rem 1rem 2rem 1.5rem; font-size: .9rem; border-right: 1px solid var(--rule); }
nav#contents h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em;
  color: var(--muted); margin: 0 0 .6rem; }
nav#contents ol { list-style: none; margin: 0; padding: 0; }
nav#contents ol ol { padding-left: .9rem; margin: .2rem 0 .5rem; font-size: .85rem; }
nav#contents li { margin: .25rem 0; }
nav#contents a { color: var(--ink); text-decoration: none; }
nav#contents a:hover { color: var(--accent); text-decoration: underline; }
main { flex: 1 1 auto; min-width: 0; padding: 1.5rem 3rem 3rem; }
section.report-section { padding-top: .5rem; margin-bottom: 2.5rem; }
section.report-section > h2 { font-size: 1.55rem; border-bottom: 3px solid var(--accent);
  padding-bottom: .3rem; }
h3 { font-size: 1.2rem; margin-top: 1.8rem; color: var(--accent); }
h4, h5, h6 { font-size: 1.02rem; margin-top: 1.4rem; }
.finding { border-left: 4px solid var(--accent); background: #f6f8f9; padding: .4rem 1rem;
  margin: 1rem 0; }
.finding p { margin: .4rem 0; }
.at-a-glance { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0 1.5rem; padding: 0; }
.at-a-glance li { list-style: none; flex: 1 1 180px; border: 1px solid var(--rule);
  border-top: 4px solid var(--accent); padding: .6rem .8rem; }
.at-a-glance .value { display: block; font-size: 1.35rem; font-weight: 650; }
.at-a-glance .label { display: block; color: var(--muted); font-size: .85rem; }
.summary-part p { margin: .35rem 0; }
.not-run { color: var(--muted); font-size: .9rem; }
.not-run ul { margin: .2rem 0 0; padding-left: 1.2rem; }
.not-run li { margin: .15rem 0; }
figure.report-figure { margin: 1.5rem 0; text-align: center; }
figure.report-figure img { max-width: 100%%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
.report-table { margin: 1.2rem 0; }
.report-table .scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .86rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid var(--accent); background: #f6f8f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-note { color: var(--muted); font-size: .8rem; margin: .3rem 0 0; }
footer { border-top: 1px solid var(--rule); color: var(--muted); font-size: .8rem;
  padding: 1rem 3rem 2rem; }
code { font-size: .9em; background: #f1f3f4; padding: 0 .2em; }
@media print {
  nav#contents { display: none; }
  section.report-section { break-before: page; }
  .layout { display: block; }
}
"""


def _accent(color: str | None) -> str:
    from matplotlib.colors import is_color_like, to_hex

    if color is None:
        return "#1f5f8b"
    if not isinstance(color, str) or not is_color_like(color):
        raise DataError(f"accent_color: {color!r} is not a colour (expected e.g. '#1f5f8b' or "
                        "'teal')")
    return to_hex(color)


def _summary_html(run: Path, study_brand: str | None) -> tuple[str, list[tuple[str, str]]]:
    from ..summary import at_a_glance, executive_summary

    summary = executive_summary(run)
    glance = at_a_glance(run)
    parts = []
    headings: list[tuple[str, str]] = []
    if len(glance):
        cards = "".join(
            f"<li><span class=\"value\">{html.escape(str(r.value))}</span>"
            f"<span class=\"label\">{html.escape(str(r.label))}</span></li>"
            for r in glance.itertuples(index=False))
        parts.append(f"<ul class=\"at-a-glance\">{cards}</ul>")
    covered = summary[summary["covered"]] if len(summary) else summary
    for part, group in (covered.groupby("part", sort=False) if len(covered) else []):
        hid = f"summary-{_slug(part)}"
        heading = group["heading"].iloc[0]
        headings.append((hid, heading))
        sentences = "".join(f"<p>{html.escape(s)}</p>" for s in group["sentence"])
        parts.append(f"<div class=\"summary-part\" data-part=\"{html.escape(part)}\">"
                     f"<h3 id=\"{hid}\">{html.escape(heading)}</h3>{sentences}</div>")
    missing = summary[~summary["covered"]] if len(summary) else summary
    if len(missing):
        items = "".join(
            f"<li><strong>{html.escape(h)}</strong> — {_inline(_sentence(s))}</li>"
            for h, s in zip(missing["heading"], missing["sentence"]))
        parts.append(f"<div class=\"not-run\" data-part=\"not-covered\"><p>Not covered by this "
                     f"run:</p><ul>{items}</ul></div>")
    if not len(covered):
        parts.insert(0, "<p>None of the analyses the summary draws on ran in this run, so there "
                        "is nothing to summarise yet.</p>")
    return "".join(parts), headings


_CODE_SPAN_RE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Plain text as HTML, escaped, with its `code spans` (a study file's keys) set as code."""
    return _CODE_SPAN_RE.sub(r"<code>\1</code>", html.escape(str(text)))


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = str(text).strip()
    if not text:
        return text
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def render_report(run_dir: str | Path, *, client_name: str | None = None,
                  report_title: str | None = None, report_date: str | date | None = None,
                  logo_path: str | Path | None = None, accent_color: str | None = None,
                  notebooks_dir: str | Path | None = None,
                  manifest: dict[str, Any] | None = None) -> str:
    """The HTML of the report of a run (see :func:`build_report`)."""
    from .xlsx import sheet_names

    cvmkit_version = _version()

    run = Path(run_dir)
    study = _study_meta(run)
    client = client_name if client_name is not None else study.get("client") or ""
    title = (report_title if report_title is not None
             else study.get("title") or "Customer value study")
    when = _date_text(report_date)
    accent = _accent(accent_color)
    logo = ""
    if logo_path:
        p = Path(logo_path)
        if not p.is_file():
            raise DataError(f"logo_path: image file '{p}' does not exist")
        logo = f"<img class=\"logo\" src=\"{_data_uri(p)}\" alt=\"{html.escape(client)} logo\">"
    if manifest is None and (run / "manifest.json").is_file():
        manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    sheets = sheet_names(run)
    sections = collect_sections(run, notebooks_dir=notebooks_dir, sheets=sheets)
    summary, summary_heads = _summary_html(run, None)

    toc = ["<li><a href=\"#summary\">Executive summary</a>"]
    if summary_heads:
        toc.append("<ol>" + "".join(f"<li><a href=\"#{h}\">{html.escape(t)}</a></li>"
                                    for h, t in summary_heads) + "</ol>")
    toc.append("</li>")
    body = [f"<section id=\"summary\" class=\"report-section\" data-section=\"summary\">"
            f"<h2>Executive summary</h2>{summary}</section>"]
    for s in sections:
        label = f"{int(s.number)} · {s.title}"
        sub = ("<ol>" + "".join(f"<li><a href=\"#{h}\">{t}</a></li>" for h, t in s.headings)
               + "</ol>") if s.headings else ""
        toc.append(f"<li><a href=\"#{s.anchor}\">{html.escape(label)}</a>{sub}</li>")
        blocks = "\n".join(b.html for b in s.blocks) or (
            "<p class=\"not-run\">This step wrote no narrative, tables or figures.</p>")
        body.append(f"<section id=\"{s.anchor}\" class=\"report-section\" "
                    f"data-section=\"{s.notebook}\"><h2>{html.escape(label)}</h2>\n{blocks}"
                    "</section>")
    foot = [f"Prepared with cvmkit {html.escape(cvmkit_version)}"]
    if manifest:
        foot.append(f"run {html.escape(str(manifest.get('run_id', run.name)))}")
        if manifest.get("seed") is not None:
            foot.append(f"seed {html.escape(str(manifest['seed']))}")
    foot.append("every table is in tables.xlsx; every figure as PNG and SVG in figures/")
    head_title = html.escape(f"{title} — {client}" if client else title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cvmkit {html.escape(cvmkit_version)}">
<title>{head_title}</title>
<style>{_CSS % {"accent": accent}}</style>
</head>
<body>
<header class="cover">{logo}<div>
<p class="client">{html.escape(client)}</p>
<h1>{html.escape(title)}</h1>
<p class="date">{html.escape(when)}</p>
</div></header>
<div class="layout">
<nav id="contents" aria-label="Contents"><h2>Contents</h2><ol>{''.join(toc)}</ol></nav>
<main>
{chr(10).join(body)}
</main>
</div>
<footer>{' · '.join(foot)}.</footer>
</body>
</html>
"""


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("cvmkit")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "(development)"


def _study_meta(run: Path) -> dict[str, Any]:
    p = run / "study.json"
    if p.is_file():
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
    return {}


def _date_text(value: str | date | None) -> str:
    if value is None:
        value = date.today()
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def build_report(run_dir: str | Path, *, client_name: str | None = None,
                 report_title: str | None = None, report_date: str | date | None = None,
                 logo_path: str | Path | None = None, accent_color: str | None = None,
                 notebooks_dir: str | Path | None = None,
                 manifest: dict[str, Any] | None = None) -> Path:
    """Write ``report.html`` into a run directory.

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

    page = render_report(run_dir, client_name=client_name, report_title=report_title,
                         report_date=report_date, logo_path=logo_path, accent_color=accent_color,
                         notebooks_dir=notebooks_dir, manifest=manifest)
    return atomic_write_text(Path(run_dir) / REPORT_FILE, page)
