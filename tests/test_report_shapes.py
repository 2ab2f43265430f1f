"""The summary and the report on studies not shaped like the demo.

Each test builds a small run directory by hand — a neutral study (one brand, no competitors,
Kano pairs, stated importance, prices, segments, waves, weights or NPS), its
``capabilities.json``, results with null keys or none at all, empty tables — and checks that the
report builds, that a part the study cannot have says so in the capability's one sentence, and
that no demo wording and no empty slot reaches the page.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from cvmkit.capabilities import Capability  # noqa: E402
from cvmkit.io import write_figure, write_results, write_table  # noqa: E402
from cvmkit.report import build_report, sheet_names, write_tables_xlsx  # noqa: E402
from cvmkit.sections import write_capabilities  # noqa: E402
from cvmkit.study import Study  # noqa: E402
from cvmkit.summary import (  # noqa: E402
    at_a_glance,
    executive_summary,
    run_capabilities,
    summarize_sample,
)

#: Words of the demo study that must never reach the page of another study.
DEMO_WORDS = re.compile(
    r"\b(acme|beanco|roastly|daily grind|coffee|shops?|café|cafe|barista|espresso|latte|"
    r"pastr(y|ies)|taste|hygien\w*|freshness|wi-?fi|ambience|connoisseurs?|commuters?|budget|"
    r"regions?|age bands?)\b", re.I)
#: Signs of a sentence with an empty slot.
EMPTY_SLOT = re.compile(r"(?<=[a-z,;:] )None\b|\bNaN\b|\bnan\b|against\s*[;,.]|\(\s*\)|\s:\s*\.")

LABELS = {"reliability": "Reliability", "ease": "Ease of use", "support": "Helpful support"}


def _study(tmp: Path, **extra) -> Study:
    raw = {"title": "Service study 2026", "client": "Northwind Ltd", "brand": "Northwind",
           "scales": {"r": {"min": 1, "max": 10}},
           "attributes": [{"id": a, "label": lab, "performance": a, "scale": "r"}
                          for a, lab in LABELS.items()],
           "outcomes": {"value": {"column": "overall", "scale": "r"}}, **extra}
    return Study.from_dict(raw, root=tmp)


def _text(page: str) -> str:
    """The words a reader sees: no style sheet, no embedded images, no tags."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"data:[^\"']+", "", page)
    page = re.sub(r"</?(code|em|strong|a)\b[^>]*>", "", page)  # inline: part of a sentence
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ¶ ", page).split()))


def _plain(sentence: str) -> str:
    """A sentence as the page shows it: `code spans` become code, the backticks go."""
    return sentence.replace("`", "")


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [1, 2])
    return fig


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """A one-brand study without competitors, Kano, importance, prices, segments, waves,
    weights or NPS: notebook 05 wrote nothing, 02 only nulls, one table is an empty file."""
    run = tmp_path / "run"
    run.mkdir()
    study = _study(tmp_path)
    study.to_json(run / "study.json")
    write_capabilities(run, study.capabilities())
    write_results(run, "01_data_collection", {
        "n_raw": 503, "n_clean": 500, "n_excluded": 3, "excluded_by_check": {"duplicate": 3},
        "exclusion_checks": ["duplicate"], "flagged_not_excluded": {"speeder": 12},
        "numbered_rows": True, "design_effect": 1.0, "effective_n": 500.0, "waves": []})
    write_results(run, "02_needs_vs_wants", {"needs": None, "wants": [], "kano_categories": None,
                                             "segment_kano_differences": None})
    write_results(run, "03_driver_regression", {
        "top_drivers": ["ease", "reliability"], "shares": {"ease": 41.0, "reliability": 35.0},
        "intervals": {"ease": [35.0, 47.0], "reliability": None}, "r2": 0.61,
        "outcome": "value", "p_top_outranks_second": None, "segment_differences": None})
    write_results(run, "04_value_maps", {
        "concentrate_here": ["Ease of use"], "keep_up": ["Reliability"], "act_on": None,
        "possible_overkill": [], "competitors_ahead": None, "value_map_position": None,
        "relative_quality": None, "value_zones": None})
    (run / "tables").mkdir(exist_ok=True)
    (run / "tables" / "01_data_collection__sample_profile.csv").write_text("")
    (run / "tables" / "03_driver_regression__segment_differences.csv").write_text(
        "driver,segment_a,segment_b,difference\n")
    write_table(run, "03_driver_regression", "importance", pd.DataFrame(
        {"driver": ["ease", "reliability"], "share": [41.0, 35.0]}))
    (run / "figures").mkdir(exist_ok=True)
    (run / "figures" / "01_data_collection__sample_profile.png").write_bytes(b"")
    write_figure(run, "03_driver_regression", "importance", _figure())
    plt.close("all")
    return run


def test_report_builds_and_says_what_was_not_run(run: Path) -> None:
    caps = run_capabilities(run)
    assert not caps["competitors"] and not caps["nps"] and not caps["weights"]
    summary = executive_summary(run)
    said = summary.groupby("part")["sentence"].apply(list).to_dict()
    assert said["value_map"] == [caps["value_map"].plain_sentence]
    assert said["loyalty"] == [caps["nps"].plain_sentence]
    assert said["price"] == [caps["van_westendorp"].plain_sentence]
    assert said["needs"] == ["notebook 02 wrote none of the numbers this part needs"]
    assert said["drivers"][0] == (
        "Northwind's overall value is driven most by Ease of use (41.0% of the explained "
        "variance, 95% interval 35.0–47.0%) and Reliability (35.0%).")
    assert said["focus"] == [
        "Concentrate on Ease of use: customers rate it as important and Northwind performs "
        "below par there.", "Keep up the good work on Reliability."]
    assert not summary.set_index("part").loc["value_map", "covered"]

    xlsx = write_tables_xlsx(run)
    assert set(sheet_names(run)) == {"03_driver_regression__importance"}
    assert xlsx.is_file()
    page = build_report(run).read_text(encoding="utf-8")
    text = _text(page)
    for sentence in (caps["value_map"].plain_sentence, caps["nps"].plain_sentence):
        assert _plain(sentence) in text
    assert not DEMO_WORDS.search(text), DEMO_WORDS.search(text)
    assert not EMPTY_SLOT.search(text), EMPTY_SLOT.search(text)
    assert 'data-figure="01_data_collection__sample_profile"' not in page
    assert 'data-table="01_data_collection__sample_profile"' not in page
    assert 'data-table="03_driver_regression__segment_differences"' not in page
    assert 'data-figure="03_driver_regression__importance"' in page


def test_exclusions_are_stated_and_weighting_only_when_declared(run: Path) -> None:
    summary = executive_summary(run)
    sample = summary.loc[summary.part == "sample", "sentence"].tolist()
    assert sample == [
        "The analysis uses 500 of the 503 respondents in the survey export.",
        "3 were excluded: 3 duplicate submissions.",
        "The export carries no respondent id, so a duplicate is a row that repeats an earlier "
        "one in every answer, its open-ended answer or interview length included.",
        "Other quality flags were counted but the respondents kept, as the study does not "
        "exclude on them: 12 speeders (too fast to have read the questions)."]
    page = build_report(run).read_text(encoding="utf-8")
    summary_text = _text(page[page.index('id="summary"'):page.index('id="actions"')])
    assert "weight" not in summary_text.lower()
    glance = at_a_glance(run).set_index("label")["value"].to_dict()
    assert glance == {"respondents analysed": "500", "respondents excluded": "3",
                      "top driver": "Ease of use"}

    results = {"n_raw": 800, "n_clean": 800, "n_excluded": 0, "excluded_by_check": {},
               "design_effect": 1.25, "effective_n": 640.0}
    weighted = {"weights": Capability("weights", "Weighting", True)}
    assert summarize_sample(results, weighted) == [
        "The analysis uses all 800 respondents in the survey export; none was excluded.",
        "Responses are weighted as the study specifies; the weighting costs precision (design "
        "effect 1.25), so the 800 respondents carry the information of about 640 unweighted "
        "ones."]
    unweighted = {"weights": Capability("weights", "Weighting", False, "no weights")}
    assert summarize_sample(results, unweighted) == summarize_sample(results, None)[:1]


def test_missing_null_and_broken_results(run: Path) -> None:
    (run / "results" / "02_needs_vs_wants.json").write_text("null")
    (run / "results" / "03_driver_regression.json").write_text("{not json")
    (run / "results" / "04_value_maps.json").unlink()
    (run / "results" / "01_data_collection.json").write_text("[1, 2]")
    summary = executive_summary(run)
    assert not summary["covered"].any()
    said = summary.set_index("part")["sentence"].to_dict()
    assert said["drivers"] == "notebook 03 did not run"
    assert said["focus"] == "notebook 04 did not run"
    text = _text(build_report(run).read_text(encoding="utf-8"))
    assert "None of the analyses the summary draws on ran for this study." in text
    assert not EMPTY_SLOT.search(text)


def test_a_run_with_no_results_at_all(tmp_path: Path) -> None:
    run = tmp_path / "empty"
    run.mkdir()
    summary = executive_summary(run)
    assert not summary["covered"].any() and at_a_glance(run).empty
    assert run_capabilities(run) is None
    text = _text(build_report(run).read_text(encoding="utf-8"))
    assert "None of the analyses the summary draws on ran" in text
    assert "Customer value study" in text
    write_tables_xlsx(run)


def test_capabilities_come_from_the_study_without_capabilities_json(run: Path) -> None:
    (run / "capabilities.json").unlink()
    caps = run_capabilities(run)
    assert caps is not None and not caps["competitors"] and caps["drivers"]
    said = executive_summary(run).set_index("part")["sentence"].to_dict()
    assert said["value_map"] == caps["value_map"].plain_sentence


def test_capabilities_json_decides_over_the_results(run: Path) -> None:
    """Results a study should not have (left over, or guessed) are not summarised."""
    write_results(run, "05_value_economics", {
        "nps": 20.0, "nps_ci_low": 10.0, "nps_ci_high": 30.0,
        "nps_trend": {"from": None, "to": None, "change": 5.0},
        "nps_by_segment": {"A": 10.0, "B": 30.0}, "acceptable_range": {"low": 1, "high": 2}})
    write_results(run, "04_value_maps", {
        "concentrate_here": [], "keep_up": ["Reliability"],
        "act_on": [{"action": "improve", "label": "Ease of use", "gap_to_best": -1.0,
                    "best_competitor": None}],
        "competitors_ahead": {}, "value_map_position": "better value"})
    write_results(run, "02_needs_vs_wants", {"needs": ["ease"], "wants": None})
    summary = executive_summary(run)
    said = summary.groupby("part")["sentence"].apply(list).to_dict()
    caps = run_capabilities(run)
    assert said["loyalty"] == [caps["nps"].plain_sentence]
    assert said["price"] == [caps["van_westendorp"].plain_sentence]
    assert said["value_map"] == [caps["value_map"].plain_sentence]
    assert said["focus"] == [
        "No important attribute falls short: Northwind has nothing in the 'concentrate here' "
        "quadrant.", "Keep up the good work on Reliability."]
    assert said["needs"] == ["The basic needs — expected as a matter of course, punished when "
                             "missing — are Ease of use."]
    text = " ".join(summary.loc[summary.covered, "sentence"])
    assert "competitor" not in text.lower() and "wave" not in text.lower()

    # the same results with NPS, waves and segments declared are summarised in full
    raw = json.loads((run / "capabilities.json").read_text())
    for name in ("nps", "waves", "segments"):
        raw[name]["available"] = True
    (run / "capabilities.json").write_text(json.dumps(raw))
    loyalty = executive_summary(run).query("part == 'loyalty'")["sentence"].tolist()
    assert loyalty == ["Northwind's Net Promoter Score is +20 (95% interval +10 to +30).",
                       "Between the last two waves it rose by 5 points.",
                       "By segment it ranges from +10 (A) to +30 (B)."]


def test_sections_the_study_cannot_have_leave_one_sentence(run: Path) -> None:
    """Cells tagged requires-<name> that the study lacks stay out of the page, figures too."""
    nb = new_notebook()
    intro = new_markdown_cell("# 02 · Needs vs wants\n\nWhich attributes are needs.")
    kano_head = new_markdown_cell("## 1 · Kano\n\nKANO_METHOD_TEXT")
    kano_code = new_code_cell('write_figure(run_dir, NB, "kano_shares", fig)')
    kano_code.outputs = [new_output("display_data", data={"text/markdown": "KANO_FINDING"})]
    for c in (kano_head, kano_code):
        c.metadata["tags"] = ["requires-kano"]
    weights = new_markdown_cell("## 2 · Weights\n\nWEIGHTING_TEXT")
    weights.metadata["tags"] = ["requires-weights"]
    pr = new_markdown_cell("## 3 · Penalty–reward\n\nPENALTY_TEXT")
    nb.cells = [intro, kano_head, kano_code, weights, pr]
    nbformat.write(nb, str(run / "02_needs_vs_wants.ipynb"))
    write_figure(run, "02_needs_vs_wants", "kano_shares", _figure())
    plt.close("all")
    page = build_report(run, appendix="full").read_text(encoding="utf-8")
    text = _text(page)
    caps = run_capabilities(run)
    assert text.count(_plain(caps["kano"].plain_sentence)) == 1
    for gone in ("KANO_METHOD_TEXT", "KANO_FINDING", "WEIGHTING_TEXT", "Weighting — not run"):
        assert gone not in text
    assert "PENALTY_TEXT" in text
    assert 'data-figure="02_needs_vs_wants__kano_shares"' not in page

    # the pipeline's own sentence (a pruned notebook) is shown once, the weights one not at all
    skipped = new_markdown_cell(f"*{caps['kano'].sentence}* *{caps['weights'].sentence}*")
    skipped.metadata["tags"] = ["cvmkit-skipped"]
    nb.cells = [intro, skipped, pr]
    nbformat.write(nb, str(run / "02_needs_vs_wants.ipynb"))
    text = _text(build_report(run, appendix="full").read_text(encoding="utf-8"))
    assert text.count(_plain(caps["kano"].plain_sentence)) == 1
    assert "Weighting — not run" not in text


def _ipa_table(ease: tuple[float, float], support: tuple[float, float]) -> pd.DataFrame:
    """A one-brand importance–performance table: performance intervals (lower, upper) of
    Ease of use and Helpful support around the crosshair at 7; Reliability clearly above."""
    lower = [7.8, ease[0], support[0]]
    upper = [8.2, ease[1], support[1]]
    perf = [(lo + hi) / 2 for lo, hi in zip(lower, upper)]
    imp = [35.0, 40.0, 25.0]
    quadrant = ["Keep up the good work" if i > 100 / 3 and p > 7 else
                "Concentrate here" if i > 100 / 3 else
                "Possible overkill" if p > 7 else "Low priority" for i, p in zip(imp, perf)]
    return pd.DataFrame({
        "segment": "All", "attribute": list(LABELS), "label": list(LABELS.values()),
        "brand": "Northwind", "importance": imp, "importance_source": "stated",
        "performance": perf, "performance_lower": lower, "performance_upper": upper,
        "performance_cross": 7.0, "importance_cross": 100 / 3, "quadrant": quadrant,
        "priority": [i / 10 - p for i, p in zip(imp, perf)], "diagonal_slope": 1.0})


@pytest.mark.parametrize("ease, support, title", [
    ((5.8, 6.2), (6.8, 7.4), "One attribute to improve first: Ease of use"),
    ((6.8, 7.2), (6.9, 7.3), "No important attribute falls short; one strength to maintain: "
                             "Reliability"),
])
def test_the_map_title_states_the_actions_of_this_study(run: Path, ease, support,
                                                        title: str) -> None:
    """The importance–performance map of a one-brand study is titled with its own finding, in
    its own words: an attribute whose interval covers the line is not named, whatever quadrant
    its point falls in."""
    from cvmkit.report.client import finding_sections

    write_table(run, "04_value_maps", "ipa", _ipa_table(ease, support))
    write_figure(run, "04_value_maps", "ipa", _figure())
    plt.close("all")
    value = {s["key"]: s for s in finding_sections(run)}["value"]
    [chart] = value["figures"]
    assert chart.title == title and chart.png[:4] == b"\x89PNG"
    page = build_report(run, deck=False).read_text(encoding="utf-8")
    assert f'alt="{html.escape(title)}"' in page
    assert not DEMO_WORDS.search(title)
    focus = executive_summary(run).query("part == 'focus'")["sentence"].tolist()
    if title.startswith("One"):
        assert focus[0] == "Improve first: Ease of use."
    else:  # Ease of use sits in the "concentrate here" quadrant, but on the line
        assert "Ease of use" not in title + " ".join(focus)
        assert focus == ["Maintain Northwind's strength on Reliability."]
