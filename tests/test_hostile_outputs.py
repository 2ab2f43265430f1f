"""Hostile content stays inert in every output; analysis edge cases end in a note, not a crash.

The runs are those of tests/_hostile_runs.py (one batch of two studies, made once):

* every HTML output of the hostile run (``report.html`` and the per-notebook exports) is loaded
  in headless Chromium, and the DOM is searched for the elements the study's labels, brand,
  segment values and comments tried to inject (script, style, form, iframe, an element with an
  ``on…`` handler, a ``javascript:`` link): none may exist, no injected script may have run,
  and the hostile text must be shown as text;
* ``tables.xlsx`` is opened and every cell beginning with ``=``, ``+``, ``-`` or ``@`` must be
  stored as text, never as a formula;
* the code frame's ``(a+)+$`` pattern met a 5,000-character comment made to trigger it and the
  run finished (RE2, see cvmkit/_patterns.py);
* the edge-case run (150 respondents, every NPS answer 10, a segment of two) finished, with a
  sentence where a comparison could not be made.

An SVG logo holding anything but drawing is refused before it reaches the report.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest
from _hostile_runs import FORMULAS, SCRIPT, STYLE, hostile_runs
from test_report_browser import CHROMIUM, Browser, needs_chromium

from cvmkit.errors import DataError
from cvmkit.report.html import check_logo


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    return hostile_runs(tmp_path_factory)


def _page_text(page: Path) -> str:
    """An HTML page's text, or the XML inside a PowerPoint deck."""
    if page.suffix == ".pptx":
        with zipfile.ZipFile(page) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                             if n.endswith(".xml"))
    return page.read_text(encoding="utf-8")


def test_hostile_labels_stay_text_in_every_html_output(runs):
    """A label, brand name, segment value and comment holding HTML are shown, never run (the
    file's text; the DOM of each page is checked in a browser below)."""
    run = runs["hostile"]
    deck = [run / "deck.pptx"] if (run / "deck.pptx").is_file() else []
    for page in [run / "report.html", *deck, *sorted(run.glob("0*.html"))]:
        text = _page_text(page)
        # JSON data blocks (widget state) hold the text as data, with "</" escaped
        assert "</script" not in "".join(re.findall(
            r'<script type="application/[^"]*json">(.*?)</script>', text, re.S))
        text = re.sub(r'<script type="application/[^"]*json">.*?</script>', "", text,
                      flags=re.S)
        for element in ("<script>document", "<style>main", "<img src=x", "<b onmouseover",
                        "<form action", "<iframe src", "<svg onload"):
            assert element not in text, f"{page.name} carries {element}"


#: What an injected element looks like in the DOM (executable scripts only: JSON data blocks
#: of widget state are data, not code).
_INJECTED = """(() => {
  const found = [];
  const executable = s => ['', 'text/javascript', 'application/javascript', 'module']
      .includes((s.getAttribute('type') || '').toLowerCase());
  for (const s of document.querySelectorAll('script'))
    if (executable(s) && /pwned|alert\\(/.test(s.textContent)) found.push('script');
  for (const s of document.querySelectorAll('style'))
    if (/display:\\s*none\\}body/.test(s.textContent)) found.push('style');
  for (const sel of ['form', 'iframe', 'input[name=a]', 'img[src=x]', 'b[onmouseover]',
                     'svg[onload]', 'a[href^="javascript:"]', 'embed', 'object'])
    for (const el of document.querySelectorAll(sel)) found.push(sel);
  for (const el of document.querySelectorAll('*'))
    for (const a of el.attributes)
      if (a.name.startsWith('on') && /alert|pwned/.test(a.value))
        found.push(el.tagName.toLowerCase() + '[' + a.name + ']');
  return {found, title: document.title,
          hidden: getComputedStyle(document.body).display === 'none',
          text: document.body.innerText};
})()"""


@pytest.fixture(scope="session")
def pages(runs, tmp_path_factory):
    """The DOM check of every HTML output of the hostile run: {file name: result}."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    run = runs["hostile"]
    files = [run / "report.html", *sorted(run.glob("0*.html"))]
    browser = Browser(tmp_path_factory.mktemp("hostile_browser") / "profile")
    try:
        out = {}
        for page in files:
            browser.load(page.resolve().as_uri())
            out[page.name] = browser.evaluate(_INJECTED)
    finally:
        browser.close()
    return out


@needs_chromium
def test_every_html_output_exists(pages) -> None:
    assert "report.html" in pages and len(pages) >= 6, sorted(pages)


@needs_chromium
def test_no_injected_element_in_any_html_output(pages) -> None:
    for name, state in pages.items():
        assert state["found"] == [], f"{name}: injected {sorted(set(state['found']))}"
        assert state["title"] != "pwned", f"{name}: an injected script ran"
        assert not state["hidden"], f"{name}: an injected style hid the page"


@needs_chromium
def test_hostile_text_is_shown_as_text(pages) -> None:
    text = pages["report.html"]["text"]
    assert "<script>" in text or "<style>" in text, text[:500]
    assert any(SCRIPT in s["text"] or STYLE in s["text"] for s in pages.values())


def test_no_formula_in_the_workbook(runs) -> None:
    from openpyxl import load_workbook

    path = runs["hostile"] / "tables.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in z.read(n).decode("utf-8") or "<f " in z.read(n).decode("utf-8")
                       for n in sheets)
    wb = load_workbook(path)
    risky = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"
                    risky.append(cell.value)
    assert any(v.startswith(FORMULAS[0][:10]) for v in risky), "the hostile labels are shown"


def test_the_backtracking_pattern_did_not_hang(runs) -> None:
    manifest = json.loads((runs["hostile"] / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    coded = runs["hostile"] / "tables"
    assert any(coded.glob("05_value_economics__theme*.csv"))


def _outputs(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"{nb_path.name}: {o.get('ename')}"
            parts.append(o.get("text", "") if isinstance(o.get("text"), str)
                         else "".join(o.get("text", [])))
            md = (o.get("data") or {}).get("text/markdown", "")
            parts.append(md if isinstance(md, str) else "".join(md))
    return "\n".join(parts)


def test_edge_cases_end_in_notes_not_exceptions(runs) -> None:
    run = runs["edge"]
    assert json.loads((run / "manifest.json").read_text())["status"] == "ok"
    assert (run / "report.html").is_file()
    five = _outputs(run / "05_value_economics.ipynb")
    assert "No comments from detractors" in five
    two = _outputs(run / "02_needs_vs_wants.ipynb")
    assert "segment 'Tiny'" in two


# ------------------------------------------------------------------ the logo
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ' \
       'width="10" height="10">{}</svg>'


@pytest.mark.parametrize("body, found", [
    ('<script>alert(1)</script>', "<script>"),
    ('<rect onload="alert(1)" width="5" height="5"/>', "onload="),
    ('<foreignObject><iframe src="http://x"/></foreignObject>', "<foreignobject>"),
    ('<a xlink:href="javascript:alert(1)"><rect/></a>', "<a>"),
    ('<image href="http://example.invalid/track.png"/>', "<image>"),
    ('<style>@import url(http://x)</style>', "<style>"),
    ('<rect style="fill:url(http://example.invalid/x)"/>', "style="),
    ('<use href="other.svg#x"/>', "<use>"),
])
def test_an_active_svg_logo_is_refused(tmp_path: Path, body: str, found: str) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(_SVG.format(body), encoding="utf-8")
    with pytest.raises(DataError) as info:
        check_logo(logo)
    assert "logo_path" in str(info.value) and found in str(info.value), str(info.value)


def test_an_svg_with_entities_is_refused(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
                    + _SVG.format("&a;"), encoding="utf-8")
    with pytest.raises(DataError, match="DOCTYPE or entity"):
        check_logo(logo)


def test_a_plain_svg_logo_is_accepted(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(_SVG.format('<defs><linearGradient id="g"/></defs>'
                                '<rect width="5" height="5" fill="url(#g)"/>'
                                '<text x="1" y="9">ACME</text>'), encoding="utf-8")
    check_logo(logo)


@needs_chromium
def test_the_dom_check_sees_injections(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>ok</p><form action='x'></form>"
                    "<img src=x onerror=\"document.title='pwned'\">"
                    "<script>document.title='pwned'</script></body></html>", encoding="utf-8")
    browser = Browser(tmp_path / "profile")
    try:
        browser.load(page.as_uri())
        state = browser.evaluate(_INJECTED)
    finally:
        browser.close()
    assert {"form", "script", "img[src=x]", "img[onerror]"} <= set(state["found"])
    assert state["title"] == "pwned"


def test_an_active_svg_logo_stops_a_run_before_any_notebook(tmp_path: Path) -> None:
    from cvmkit.pipeline.run import _check_report_options

    logo = tmp_path / "logo.svg"
    logo.write_text(_SVG.format('<script>alert(1)</script>'), encoding="utf-8")
    with pytest.raises(DataError, match="logo_path"):
        _check_report_options({"logo_path": str(logo)}, tmp_path / "study.yaml")
