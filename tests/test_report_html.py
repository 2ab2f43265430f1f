"""report.html built from a small hand-made run directory: what goes in, what stays out."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import (  # noqa: E402
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from cvmkit.errors import DataError  # noqa: E402
from cvmkit.io import write_figure, write_results, write_table  # noqa: E402
from cvmkit.report import build_report, collect_sections, sheet_names  # noqa: E402
from cvmkit.study import load_study  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "study.yaml"
NB03 = "03_driver_regression"


def _figure(title: str):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [1, 2])
    ax.set_title(title)
    return fig


def _executed_03(path: Path) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = new_code_cell('run_dir = "../reports/lab"')
    params.metadata["tags"] = ["parameters"]
    fig_cell = new_code_cell('SECRET_CODE = 1\nwrite_figure(run_dir, NB, "importance", fig)')
    fig_cell.outputs = [
        new_output("stream", name="stdout", text="PRINTED_TEXT\n"),
        new_output("display_data", data={"text/markdown": "**Taste** leads the drivers.",
                                          "text/plain": "<IPython.core.display.Markdown>"}),
        new_output("display_data", data={"text/html": "<table>SECRET_HTML</table>",
                                          "text/plain": "frame"}),
        new_output("error", ename="ValueError", evalue="TRACEBACK_TEXT", traceback=[]),
    ]
    widget = new_code_cell("display(widgets.VBox([choice, view]))")
    widget.outputs = [new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                     "version_minor": 0},
        "text/plain": "VBox()"})]
    truth = new_code_cell('write_figure(run_dir, NB, "truth", fig)')
    truth.outputs = [new_output("display_data", data={"text/markdown": "TRUTH_FINDING"})]
    wrote = new_code_cell("write_results(run_dir, NB, results)")
    wrote.outputs = [new_output("display_data", data={
        "text/markdown": "Wrote 5 results to `/somewhere/results/03.json`."})]
    skipped = new_markdown_cell("A cell the author keeps out: SKIPPED_CELL.")
    skipped.metadata["tags"] = ["report-skip"]
    nb.cells = [
        new_markdown_cell("# 03 · Driver regression: what drives value\n\nWhy drivers matter.\n\n"
                          "Change the parameters below to run it on your own study."),
        params,
        new_markdown_cell("## 1 · Relative importance\n\nShapley shares of R²."),
        fig_cell,
        skipped,
        new_markdown_cell("## 2 · Models\n\nThe coefficients."),
        new_code_cell('write_table(run_dir, NB, "importance", table)'),
        new_markdown_cell("### Explore a segment\n\nPick a segment: WIDGET_INTRO."),
        widget,
        new_markdown_cell("## 3 · Checking against the planted truth (demo study only)\n\n"
                          "TRUTH_LESSON"),
        truth,
        new_markdown_cell("### A sub-part of the check\n\nTRUTH_SUBPART"),
        new_markdown_cell("## 4 · Results for the report"),
        wrote,
        new_markdown_cell("### Results written for the summary\n\n`results/03.json`: "
                          "`RESULTS_DOC_KEYS`."),
    ]
    nbformat.write(nb, str(path))


@pytest.fixture
def run(tmp_path: Path) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    load_study(DEMO).to_json(run / "study.json")
    write_results(run, "01_data_collection", {"n_clean": 1135})
    write_results(run, NB03, {"top_drivers": ["taste", "speed"],
                              "shares": {"taste": 30.0, "speed": 20.0},
                              "intervals": {"taste": [25.0, 35.0], "speed": [15.0, 25.0]}})
    write_table(run, NB03, "importance", pd.DataFrame(
        {"attribute": ["taste", "speed"], "share": [0.3, 0.2], "n": [1000, 1000]}))
    write_table(run, "01_data_collection", "big",
                pd.DataFrame({f"c{j}": range(40) for j in range(12)}))
    write_figure(run, NB03, "importance", _figure("importance"))
    write_figure(run, NB03, "truth", _figure("truth"))
    write_figure(run, "04_value_maps", "ipa", _figure("ipa"))
    plt.close("all")
    _executed_03(run / f"{NB03}.ipynb")
    return run


def _page(run: Path, **kw) -> str:
    return build_report(run, **kw).read_text(encoding="utf-8")


def test_page_is_self_contained(run: Path) -> None:
    page = _page(run, appendix="full")
    assert "<script" not in page.lower()
    assert re.search(r'http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                     r"img-src data:;", page)
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//)""", page)
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page
    srcs = re.findall(r'<img src="([^"]+)"', page)
    assert len(srcs) == 3 and all(s.startswith("data:image/png;base64,") for s in srcs)
    embedded = {base64.b64decode(s.split(",", 1)[1]) for s in srcs}
    on_disk = {p.read_bytes() for p in (run / "figures").glob("*.png")
               if "truth" not in p.name}  # the demo-only check stays out of the page
    assert embedded == on_disk


def test_contents_link_to_every_section_and_heading(run: Path) -> None:
    page = _page(run, appendix="full")
    targets = re.findall(r'<a href="#([^"]+)"', page)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert targets and set(targets) <= ids
    sections = re.findall(r'<section id="([^"]+)" class="report-section[^"]*" '
                          r'data-section="([^"]+)"', page)
    assert [s[1] for s in sections] == ["summary", "actions", "drivers", "needs", "segments",
                                        "value", "loyalty", "sentiment", "price", "change",
                                        "management", "appendix"]
    steps = re.findall(r'class="appendix-step" data-section="([^"]+)"', page)
    assert steps == ["01_data_collection", NB03, "04_value_maps"]
    assert "1 · Relative importance" in page[page.index('id="appendix"'):]


def test_narrative_without_code_or_lab_notes(run: Path) -> None:
    page = _page(run, appendix="full")
    for hidden in ("SECRET_CODE", "PRINTED_TEXT", "SECRET_HTML", "TRACEBACK_TEXT",
                   "SKIPPED_CELL", "RESULTS_DOC_KEYS", "Change the parameters", "run_dir",
                   "WIDGET_INTRO", "Explore a segment", "TRUTH_LESSON", "TRUTH_FINDING",
                   "TRUTH_SUBPART", "planted truth", "Results for the report", "Wrote 5",
                   f'data-figure="{NB03}__truth"'):
        assert hidden not in page, hidden
    assert "Driver regression: what drives value" in page
    # the notebook's own reading of its results stays in the notebook: the report's findings
    # and recommended actions come from the summary, which reconciles every analysis
    assert "leads the drivers" not in page
    computed = [b.html for s in collect_sections(run) if s.notebook == NB03 for b in s.blocks]
    assert any("<strong>Taste</strong> leads the drivers." in b for b in computed)
    # the figure sits after the cell that wrote it, the table after its own cell
    section = page[page.index(f'data-section="{NB03}"'):]
    order = [section.index(s) for s in ("Shapley shares", f'data-figure="{NB03}__importance"',
                                        "The coefficients", f'data-table="{NB03}__importance"')]
    assert order == sorted(order)


def test_sections_from_artefacts_alone(run: Path) -> None:
    sections = {s.notebook: s for s in collect_sections(run)}
    assert sections["04_value_maps"].title == "Value maps"
    assert sections["04_value_maps"].figures == ["ipa"]
    assert sections[NB03].figures == ["importance", "truth"]
    assert sections[NB03].tables == ["importance"]
    assert [b.name for b in sections[NB03].blocks if b.kind == "figure"] == ["importance"]
    assert [h for _, h in sections[NB03].headings] == ["1 · Relative importance", "2 · Models"]


def test_long_tables_are_cut_with_a_pointer_to_the_workbook(run: Path) -> None:
    page = _page(run, appendix="full")
    block = re.search(r'data-table="01_data_collection__big">(.*?)</p></div>', page, re.S)
    assert block is not None
    rows = re.findall(r"<tr>", block.group(1))
    assert len(rows) == 1 + 15  # header + first 15 rows
    assert "Showing the first 15 of 40 rows and first 10 of 12 columns" in block.group(1)
    assert f"“{sheet_names(run)['01_data_collection__big']}” of tables.xlsx" in block.group(1)


def test_cover_from_parameters(run: Path, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    fig = _figure("logo")
    fig.savefig(logo)
    plt.close(fig)
    page = _page(run, client_name="Bean & Co", report_title="Value 2026",
                 report_date="March 2026", logo_path=logo, accent_color="teal")
    assert '<p class="client">Bean &amp; Co</p>' in page
    assert "<h1>Value 2026</h1>" in page and "March 2026" in page
    assert "--accent: #008080;" in page
    src = re.search(r'<img class="logo" src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(src) == logo.read_bytes()


def test_cover_defaults_to_the_study(run: Path) -> None:
    page = _page(run)
    assert '<p class="client">Acme Coffee</p>' in page
    assert "<h1>Coffee shops — customer value study 2026</h1>" in page
    assert "--accent: #1f5f8b;" in page


def test_summary_and_cards_come_from_results(run: Path) -> None:
    page = _page(run)
    summary = page[page.index('id="summary"'):page.index('id="actions"')]
    assert ("Acme&#x27;s overall value is driven most by Great-tasting coffee (30.0% of the "
            "explained variance, 95% interval 25.0–35.0%) and Fast service (20.0%, "
            "15.0–25.0%).") in summary
    assert '<span class="value">Great-tasting coffee</span>' in summary
    assert '<span class="value">1,135</span>' in summary
    loyalty = page[page.index('id="finding-loyalty"'):page.index('id="finding-price"')]
    assert "This analysis did not run for this study." in loyalty


@pytest.mark.parametrize("kw, match", [
    ({"accent_color": "not-a-colour"}, "accent_color: 'not-a-colour' is not a colour"),
    ({"logo_path": "missing-logo.png"}, "logo_path: image file 'missing-logo.png' does not"),
])
def test_bad_report_parameters(run: Path, kw: dict, match: str) -> None:
    with pytest.raises(DataError, match=match):
        build_report(run, **kw)


def test_a_long_table_is_shown_from_its_head_and_counted(tmp_path, monkeypatch):
    import cvmkit.report.html as report_html

    run = tmp_path / "run"
    write_table(run, "01_data_collection", "quality_flags",
                pd.DataFrame({"resp_id": [f"R{i}" for i in range(40)],
                              "flag": [i % 2 for i in range(40)]}))
    read = []
    real = pd.read_csv
    monkeypatch.setattr(report_html.pd, "read_csv", lambda *a, **k: read.append(k) or real(*a, **k))
    frame = report_html.read_table(run / "tables" / "01_data_collection__quality_flags.csv", 15)
    assert len(frame) == 15 and frame.attrs["n_rows"] == 40
    assert read and all("nrows" in k for k in read)  # never parsed whole
    monkeypatch.setattr(report_html, "MAX_SHEET_ROWS", 20)
    _, note = report_html._table_html(frame, "01 quality_flags", "quality flags",
                                      "tables/01_data_collection__quality_flags.csv")
    assert "first 15 of 40 rows" in note
    assert "tables/01_data_collection__quality_flags.csv (too long for tables.xlsx)" in note


@pytest.mark.parametrize("appendix", ["short", "none"])
def test_the_short_appendix_holds_no_analysis_step(run: Path, appendix: str) -> None:
    page = _page(run, appendix=appendix)
    assert 'class="appendix-step"' not in page and "Shapley shares" not in page
    assert ('id="appendix"' in page) == (appendix == "short")


def test_the_appendix_is_one_of_three(run: Path) -> None:
    with pytest.raises(DataError, match="appendix: expected one of short, full, none"):
        build_report(run, appendix="long")


def test_the_run_parameter_chooses_the_appendix(run: Path) -> None:
    """``cvmkit run -p appendix=…`` reaches the report through the run's manifest."""
    page = _page(run, manifest={"run_id": "x", "parameters": {"appendix": "full"}})
    assert 'class="appendix-step"' in page
    assert 'id="appendix"' not in _page(run, manifest={"parameters": {"appendix": "none"}})
