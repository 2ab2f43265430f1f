"""Each analysis step of a run as a section of the report's full appendix, and the logo check.

The client documents themselves are built by :func:`cvmkit.report.build_report`
(:mod:`cvmkit.report.build`: the client report of :mod:`cvmkit.report.client` and the deck).
This module turns each analysis step of a run into a section for the report's full appendix
(:func:`collect_sections`), from what the run directory holds:

* the **executed notebooks** (``NN_name.ipynb``, kept by the pipeline) give each section its
  narrative: the markdown cells and the sentences the notebook computed (its ``text/markdown``
  outputs; the client report leaves these out, with the part of a notebook that lists the
  attributes to act on, as its recommended actions overrule each notebook's own reading).
  Code, printed output, warnings, raw HTML outputs and widgets are left out.  Where a run has
  no executed copy of a notebook (a notebook run on its own in JupyterLab), the markdown of the
  source notebook in ``notebooks_dir`` is used instead, when given;
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

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..capabilities import Capability
from ..errors import CvmkitError, DataError
from ..escaping import inert_markdown
from ..sections import first_unmet
from ._common import CSP, _data_uri, _fmt, read_table
from .labels import caption
from .xlsx import MAX_SHEET_ROWS

__all__ = ["CSP", "REPORT_FILE", "Section", "check_logo", "collect_sections", "read_table"]

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
#: Headings of the parts that are a notebook's own reading of what to do (notebook 04's list of
#: the attributes to act on, drawn from the map's quadrants): left out with the computed
#: sentences, as the client report's recommended actions overrule them.
_OWN_READING_RE = re.compile(r"^(?:\d+\s*[·.:\-–—]\s*)?(the )?(attributes|what) to act on\b", re.I)
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
_LOGO_BOUND = 2_000_000
#: SVG elements that run code, load other documents or embed foreign content.
_SVG_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener",
               "animate", "set", "animatemotion", "animatetransform", "use", "image", "a",
               "style"}
_SAFE_REF = re.compile(r"#[\w.\-:]*")


def check_logo(path: str | Path) -> None:
    """Refuse a logo that could do more than show a picture.

    A PNG, JPEG, GIF or WebP file is a picture.  An SVG file is a document: it may hold
    scripts, event handlers (``onload=``), style sheets, links and references to other files,
    which a browser runs or loads as soon as the SVG is opened on its own.  An SVG logo is
    accepted only when it is plain drawing: no DOCTYPE or entity, no element of
    ``script``, ``style``, ``foreignObject``, ``a``, ``use``, ``image``, animation …, no
    ``on…`` attribute, no reference other than to an id of its own (``#…``), no ``url(…)``
    other than such a reference.

    Raises
    ------
    DataError
        Naming the file and what was found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "logo.svg"
    >>> _ = p.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    >>> try:
    ...     check_logo(p)
    ... except DataError as exc:
    ...     print("refused:", "event handler (onload=)" in str(exc))
    refused: True
    """
    import xml.etree.ElementTree as ET

    p = Path(path)
    size = p.stat().st_size
    if size > _LOGO_BOUND:
        raise DataError(f"logo_path: '{p}' is {size:,} bytes, more than a logo's "
                        f"{_LOGO_BOUND:,}")
    if p.suffix.lower() != ".svg":
        return
    refuse = (f"logo_path: '{p}' has {{}}; an SVG logo must be plain drawing (or use a PNG)")
    text = p.read_bytes().decode("utf-8", "replace")
    if re.search(r"<!(?:DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise DataError(refuse.format("a DOCTYPE or entity declaration"))
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise DataError(f"logo_path: '{p}' is not a readable SVG file ({exc})") from None
    for el in root.iter():
        tag = str(el.tag).rsplit("}", 1)[-1].lower()
        if tag in _SVG_ACTIVE:
            raise DataError(refuse.format(f"a <{tag}> element"))
        for name, value in el.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise DataError(refuse.format(f"an event handler ({local}=)"))
            if local in ("href", "src") and not _SAFE_REF.fullmatch(value.strip()):
                raise DataError(refuse.format(f"a reference to {value[:60]!r}"))
            urls = re.findall(r"url\(\s*['\"]?([^)'\"]*)", value, re.IGNORECASE)
            if any(not _SAFE_REF.fullmatch(u.strip()) for u in urls) or "@import" in value:
                raise DataError(refuse.format(f"a reference in {local}={value[:60]!r}"))


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
                     exclude: tuple[str, ...] = (SUMMARY_NOTEBOOK,), computed: bool = True,
                     hide_columns: tuple[str, ...] = ()) -> list[Section]:
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
    computed : bool
        Keep the sentences each notebook computed (its ``text/markdown`` outputs).  The
        client report leaves them out (False): they are each notebook's own reading of its
        analysis, which the report's recommended actions may overrule (a quadrant of the
        importance–performance map against an attribute whose interval covers its line).
    hide_columns : tuple of str
        Columns left out of every table shown.

    Returns
    -------
    list of Section
    """
    from ..summary import run_capabilities

    run = Path(run_dir)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else None
    counter = [0]
    caps = run_capabilities(run)
    return [_section(run, name, nb_dir, sheets or {}, counter, caps, computed, hide_columns)
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
             counter: list[int], caps: dict[str, Capability] | None = None,
             computed: bool = True, hide_columns: tuple[str, ...] = ()) -> Section:
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
        cap = caption("figure", fig)
        alt = html.escape(f"{section.title}: {cap}")
        section.blocks.append(Block("figure", (
            f"<figure class=\"report-figure\" data-figure=\"{name}__{fig}\">"
            f"<img src=\"{uri}\" alt=\"{alt}\">"
            f"<figcaption>Figure {counter[0]} · {html.escape(cap)}</figcaption>"
            "</figure>"), fig))
        placed.add(("figure", fig))

    def add_table(tab: str) -> None:
        frame = frames[tab]
        frame = frame.drop(columns=[c for c in hide_columns if c in frame.columns])
        table, note = _table_html(frame, sheets.get(f"{name}__{tab}"), caption("table", tab),
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
                title = heading.group(2)
                if skip_level is None and (_SKIP_HEADING_RE.match(title) or (
                        not computed and _OWN_READING_RE.match(title))):
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
            if executed and computed:
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
_CODE_SPAN_RE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """Plain text as HTML, escaped, with its `code spans` (a study file's keys) set as code."""
    return _CODE_SPAN_RE.sub(r"<code>\1</code>", html.escape(str(text)))
