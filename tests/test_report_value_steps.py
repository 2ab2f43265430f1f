"""The needs-based segments, sentiment, wave changes and management's view in the client documents.

On the demo (the shared batch, tests/_shared_runs.py) each of the four has its section in
``report.html`` — led by the executive summary's own sentence, with its chart and a small table
— its part in the summary and its slide in ``deck.pptx``; management's disagreements are shown
with the one recommended action of each attribute.  The sentences are checked on their own
below; the minimal study, which has none of the inputs, is checked in tests/test_any_study.py.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from _shared_runs import demo_batch

from cvmkit.actions import read_actions
from cvmkit.report.client import VERDICT_LABELS, finding_sections
from cvmkit.summary import executive_summary, summarize_management, summarize_sentiment

NEW = {"segments": "Needs-based segments", "sentiment": "What customers complain about",
       "change": "What changed since the last wave",
       "management": "Management's view against the customers'"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    batch = demo_batch(tmp_path_factory)
    assert batch.ok_runs, batch.stdout + batch.stderr
    return batch.ok_runs[0]


def _section(page: str, key: str) -> str:
    m = re.search(rf'<section id="finding-{key}" class="([^"]*)" data-section="{key}">(.*?)'
                  r"</section>", page, flags=re.S)
    assert m, f"no section {key}"
    return m.group(1) + " " + m.group(2)


def test_demo_report_has_the_four_sections_led_by_the_summary(run: Path) -> None:
    page = (run / "report.html").read_text(encoding="utf-8")
    summary = executive_summary(run)
    for key, title in NEW.items():
        sec = _section(page, key)
        assert "not-covered" not in sec and f"<h2>{html.escape(title)}</h2>" in sec
        first = summary.loc[summary.covered & (summary.part == key), "sentence"].iloc[0]
        assert f'<p class="lead">{html.escape(first)}' in sec
        assert sec.count('class="report-figure"') == 1, key
        assert 'class="report-table"' in sec, key
        assert f'data-part="{key}"' in page  # stated in the executive summary too
    contents = page[page.index('<nav id="contents"'):page.index("</nav>")]
    assert all(f'href="#finding-{k}"' in contents for k in NEW)


def test_demo_tables_read_for_a_manager(run: Path) -> None:
    secs = {s["key"]: s for s in finding_sections(run)}
    seg, _, _, _ = secs["segments"]["table"]
    assert seg["share"].sum() == pytest.approx(100, abs=1.5)  # each rounded to a whole per cent
    assert seg["values_most"].str.len().gt(0).all()
    change, _, _, _ = secs["change"]["table"]
    assert len(change) >= 1 and not change["label"].str.contains("_").any()
    themes, _, _, _ = secs["sentiment"]["table"]
    assert themes["reach_negative"].is_monotonic_decreasing
    assert themes["reach_negative"].between(0, 100).all()
    mgmt, _, _, _ = secs["management"]["table"]
    assert len(mgmt) >= 1 and set(mgmt["verdict"]) <= set(VERDICT_LABELS.values())


def test_management_table_shows_each_attributes_one_action(run: Path) -> None:
    actions = read_actions(run).set_index("label")["action_label"]
    mgmt = {s["key"]: s for s in finding_sections(run)}["management"]["table"][0]
    for r in mgmt.itertuples():
        assert r.action_label == actions[r.label], r.label


def test_demo_deck_has_a_slide_for_each_with_its_chart_and_numbers(run: Path) -> None:
    from pptx import Presentation

    deck = Presentation(str(run / "deck.pptx"))
    slides = {s.shapes.title.text: s for s in deck.slides if s.shapes.title is not None}
    for title in NEW.values():
        slide = slides[title]
        assert any(sh.shape_type == 13 for sh in slide.shapes), title  # the chart, a picture
        notes = slide.notes_slide.notes_text_frame.text
        assert re.search(r"\d", notes), title


# ---------------------------------------------------------------------- the sentences alone
def test_management_sentence_names_beliefs_not_actions() -> None:
    res = {"management_finding": "x", "management_disagreements": [
        {"attribute": "a", "measure": "performance", "verdict": "overrated"},
        {"attribute": "b", "measure": "performance", "verdict": "underrated"},
        {"attribute": "c", "measure": "importance", "verdict": "blind spot"}]}
    [s] = summarize_management(res, "Northwind", {"a": "Speed", "b": "Price", "c": "Support"})
    assert s == ("Customers care more about Support than management thinks (a blind spot); "
                 "management believes Northwind does better on Speed than its customers say; "
                 "management believes Northwind does worse on Price than its customers say.")
    for word in ("improve", "priority", "overkill", "saving", "focus"):
        assert word not in s.lower()
    agrees = summarize_management({"management_finding": "y", "management_disagreements": []})
    assert agrees and "agrees" in agrees[0]
    assert summarize_management(None) == [] and summarize_management({}) == []


def test_sentiment_without_themes_falls_back_to_the_share_negative() -> None:
    assert summarize_sentiment({"sentiment_finding": "Themes."}) == ["Themes."]
    [s] = summarize_sentiment({"sentiment_share_negative": 0.25, "sentiment_mean": -0.1})
    assert s.startswith("25% of the open-ended answers are negative") and "-0.10" in s
    assert summarize_sentiment({"sentiment_mean": 0.1}) == [] and summarize_sentiment(None) == []


def test_no_new_sentence_contradicts_the_action_frame(run: Path) -> None:
    summary = executive_summary(run)
    new = summary[summary.part.isin(list(NEW))]["sentence"]
    text = " ".join(new)
    for word in ("overkill", "priority", "improve", "concentrate", "saving"):
        assert word not in text.lower(), word
    assert not pd.isna(new).any()


def test_unstable_segments_show_no_chart_or_table(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    from cvmkit.io import write_figure, write_results, write_table

    nb = "06_segments_and_change"
    sentence = ("The customers' answers about what matters do not split them into stable "
                "groups: one segment fits them best.")
    write_results(tmp_path, nb, {"needs_segments_finding": sentence, "needs_segments_ari": 0.9})
    write_table(tmp_path, nb, "segment_bic", pd.DataFrame(
        {"k": [1, 2], "bic": [10.0, 12.0], "best": [True, False]}))
    write_table(tmp_path, nb, "segment_sizes", pd.DataFrame(
        {"segment": ["Segment 1", "Segment 2"], "n": [60, 40], "share": [0.6, 0.4]}))
    fig, ax = plt.subplots()
    write_figure(tmp_path, nb, "segment_needs", fig)
    plt.close(fig)
    sec = {s["key"]: s for s in finding_sections(tmp_path)}["segments"]
    assert sec["covered"] and sec["sentences"] == [sentence]
    assert sec["figures"] == [] and sec["table"] is None
    # stable segments (BIC best above one, refits agreeing) are shown
    write_table(tmp_path, nb, "segment_bic", pd.DataFrame(
        {"k": [1, 2], "bic": [12.0, 10.0], "best": [False, True]}))
    sec = {s["key"]: s for s in finding_sections(tmp_path)}["segments"]
    assert len(sec["figures"]) == 1 and sec["table"] is not None


def _change_run(run: Path, drivers: bool = True) -> None:
    import json

    from cvmkit.io import write_results, write_table

    nb = "06_segments_and_change"
    (run / "study.json").write_text(json.dumps({
        "brand": {"name": "Northwind"},
        "attributes": [{"id": "a", "label": "Speed"}, {"id": "b", "label": "Price"},
                       {"id": "c", "label": "Support"}]}), encoding="utf-8")
    write_results(run, nb, {"change_finding": "Between the waves, Northwind's rating on Speed "
                            "rose by 0.50 points and the share of Price in explaining the "
                            "overall rating fell by 8 percentage points."})
    write_table(run, nb, "performance_changes", pd.DataFrame({
        "attribute": ["a", "b"], "brand": ["Northwind", "Northwind"], "wave_a": 1,
        "wave_b": 2, "mean_a": [6.0, 7.0], "mean_b": [6.5, 7.0], "difference": [0.5, 0.0],
        "lower": [0.2, -0.3], "upper": [0.8, 0.3], "p_holm": [0.001, 1.0],
        "changed": [True, False]}))
    if drivers:
        write_table(run, nb, "driver_changes", pd.DataFrame({
            "driver": ["b", "c"], "wave_a": 1, "wave_b": 2, "share_a": [20.0, 10.0],
            "share_b": [12.0, 11.0], "difference": [-8.0, 1.0], "lower": [-12.0, -2.0],
            "upper": [-4.0, 4.0], "p_value": [0.001, 0.6], "p_holm": [0.002, 0.6],
            "changed": [True, False]}))


def test_change_table_lists_the_significant_driver_share_changes(tmp_path: Path) -> None:
    from cvmkit.report.client import CHANGE_MEASURES, small_table_html

    _change_run(tmp_path)
    sec = {s["key"]: s for s in finding_sections(tmp_path)}["change"]
    assert sec["covered"]
    frame, cols, cap, _ = sec["table"]
    assert frame["label"].tolist() == ["Speed", "Price"]
    assert frame["measure"].tolist() == [CHANGE_MEASURES["rating"], CHANGE_MEASURES["driver"]]
    price = frame.set_index("label").loc["Price"]
    assert price["brand"] == "Northwind"  # the shares explain the focal brand's rating
    assert (price["mean_a"], price["mean_b"], price["difference"]) == (20.0, 12.0, -8.0)
    assert (price["lower"], price["upper"]) == (-12.0, -4.0)
    page = small_table_html(frame, cols, cap)
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert headers[:3] == ["Attribute", "What moved", "Brand"]
    assert not any("_" in h for h in headers)
    assert "Support" not in page  # not significant


def test_change_table_without_driver_changes_holds_the_ratings(tmp_path: Path) -> None:
    _change_run(tmp_path, drivers=False)
    frame = {s["key"]: s for s in finding_sections(tmp_path)}["change"]["table"][0]
    assert frame["label"].tolist() == ["Speed"]


def test_deck_change_slide_notes_list_driver_share_changes(tmp_path: Path) -> None:
    from pptx import Presentation

    from cvmkit.report.deck import build_deck

    _change_run(tmp_path)
    deck = Presentation(str(build_deck(tmp_path)))
    slide = next(s for s in deck.slides if s.shapes.title is not None
                 and s.shapes.title.text == NEW["change"])
    notes = slide.notes_slide.notes_text_frame.text
    line = next(x for x in notes.splitlines() if x.startswith("Attribute: Price"))
    assert "What moved: Share of importance (%)" in line and "Brand: Northwind" in line
    assert "Speed" in notes and "Support" not in notes
