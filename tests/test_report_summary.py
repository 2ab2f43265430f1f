"""The executive summary: exact sentences from given numbers, parts left out when their
notebook did not run, and — on the demo study — the planted truth told back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _shared_runs import demo_batch

from cvmkit.io import write_results
from cvmkit.study import load_study
from cvmkit.summary import (
    at_a_glance,
    executive_summary,
    summarize_drivers,
    summarize_focus,
    summarize_loyalty,
    summarize_needs,
    summarize_price,
    summarize_value_map,
)

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
LABELS = {"taste": "Taste", "speed": "Speed", "app": "App", "hygiene": "Hygiene"}


# ---------------------------------------------------------------------- each part
def test_drivers_with_intervals_certainty_and_segments() -> None:
    res = {"top_drivers": ["hygiene", "taste", "speed"], "r2": 0.8713, "outcome": "value",
           "shares": {"hygiene": 13.85, "taste": 12.61, "speed": 11.01, "app": 7.4},
           "intervals": {"hygiene": [11.75, 15.99], "taste": [10.96, 14.33],
                         "speed": [9.61, 12.70]},
           "p_top_outranks_second": 0.755,
           "segment_differences": [
               {"driver": "speed", "segment_a": "Commuters", "segment_b": "Connoisseurs",
                "difference": 10.9},
               {"driver": "taste", "segment_a": "Commuters", "segment_b": "Connoisseurs",
                "difference": -11.0}]}
    assert summarize_drivers(res, "Acme", LABELS) == [
        "Acme's overall value is driven most by Hygiene (13.8% of the explained variance, 95% "
        "interval 11.8–16.0%), Taste (12.6%, 11.0–14.3%) and Speed (11.0%, 9.6–12.7%).",
        "Together the attributes explain 87% of the variation in overall value ratings (R²).",
        "Hygiene's lead over Taste is not settled: it comes first in only 76% of bootstrap "
        "samples, so treat the top drivers as a group.",
        "Drivers differ between segments for Speed and Taste: most of all, Taste weighs 11.0 "
        "points less for Commuters than for Connoisseurs.",
    ]


def test_drivers_as_fractions_and_without_intervals() -> None:
    res = {"top_drivers": ["taste"], "shares": {"taste": 0.4}}
    assert summarize_drivers(res, "Acme", LABELS, outcome="value") == [
        "Acme's overall value is driven most by Taste (40.0% of the explained variance)."]
    assert summarize_drivers({**res, "outcome": "csat"}, "Acme", LABELS) == [
        "Acme's overall satisfaction is driven most by Taste (40.0% of the explained variance)."]
    assert summarize_drivers(res, "Acme", LABELS) == [
        "Acme's overall rating is driven most by Taste (40.0% of the explained variance)."]
    assert summarize_drivers({"r2": 0.5}, "Acme") == []


def test_focus_and_possible_overkill_cut_to_three() -> None:
    res = {"concentrate_here": ["Hygiene"], "keep_up": [],
           "possible_overkill": ["A", "B", "C", "D", "E"],
           "act_on": [{"action": "defend", "label": "Taste", "gap_to_best": 0.5,
                       "best_competitor": "BeanCo"},
                      {"action": "improve", "label": "Hygiene", "gap_to_best": -1.43,
                       "best_competitor": "BeanCo"}]}
    assert summarize_focus(res, "Acme") == [
        "Concentrate on Hygiene: customers rate it as important and Acme performs below par "
        "there.",
        "The gaps to close: Hygiene (1.4 points behind BeanCo).",
        "A, B, C and 2 more get more effort than customers' priorities justify (possible "
        "overkill): a place to save rather than spend.",
    ]
    assert summarize_focus({"concentrate_here": [], "keep_up": ["Taste"]}, "Acme") == [
        "No important attribute falls short: Acme has nothing in the 'concentrate here' "
        "quadrant.", "Keep up the good work on Taste."]
    # empty quadrants everywhere: the analysis did not run, nothing is said
    assert summarize_focus({"concentrate_here": [], "keep_up": None}, "Acme") == []


def test_needs_are_unmet_only_where_a_competitor_is_ahead() -> None:
    res = {"needs": ["hygiene", "speed"], "wants": ["app"]}
    maps = {"competitors_ahead": {"Hygiene": ["BeanCo", "Roastly"], "Taste": ["BeanCo"]}}
    assert summarize_needs(res, "Acme", LABELS, maps) == [
        "Unmet need: Hygiene (BeanCo and Roastly ahead). Customers take it for granted and "
        "punish a shortfall, and Acme falls short.",
        "Acme keeps up with its competitors on the other basic need: Speed.",
        "App could differentiate: customers do not expect it, so doing well there delights "
        "more than falling short disappoints.",
    ]
    # without notebook 04 the needs are named, not judged
    assert summarize_needs(res, "Acme", LABELS, None)[0] == (
        "The basic needs — expected as a matter of course, punished when missing — are "
        "Hygiene and Speed.")


def test_value_map_zone_and_company() -> None:
    res = {"value_map_position": "worse value", "relative_quality": 0.97,
           "relative_price": 1.08, "value_zones": {"Acme": "worse value", "B": "better value"}}
    assert summarize_value_map(res, "Acme") == [
        "On the customer value map Acme offers worse value: customers see its quality at 0.97 "
        "times the market average and its price at 1.08 times.",
        "No competitor shares that zone."]


@pytest.mark.parametrize("trend, sentence", [
    ({"from": "1", "to": "2", "change": -3.2, "ci_low": -9.0, "ci_high": 2.6},
     "Between wave 1 and wave 2 it fell by 3 points (95% interval −9 to +3): within sampling "
     "noise, not yet a trend."),
    ({"from": "1", "to": "2", "change": 14.1, "ci_low": 3.7, "ci_high": 24.6},
     "Between wave 1 and wave 2 it rose by 14 points (95% interval +4 to +25): a real change, "
     "not sampling noise."),
])
def test_loyalty_trend_verdict(trend: dict, sentence: str) -> None:
    res = {"nps": -4.6, "nps_ci_low": -10.2, "nps_ci_high": 1.0, "nps_trend": trend,
           "nps_by_segment": {"A": 1.0, "B": -12.4}}
    assert summarize_loyalty(res, "Acme") == [
        "Acme's Net Promoter Score is −5 (95% interval −10 to +1).", sentence,
        "By segment it ranges from −12 (B) to +1 (A)."]


def test_price_range_and_points() -> None:
    res = {"acceptable_range": {"low": 2.0953, "high": 4.3931}, "optimal_price": 3.0587,
           "revenue_max_price": 3.1}
    assert summarize_price(res, "Acme", currency="£") == [
        "Customers find prices between £2.10 and £4.39 acceptable (the range of acceptable "
        "prices, Van Westendorp).",
        "Resistance to price is lowest at about £3.06.",
        "These prices are interpolated between the prices customers named themselves; none was "
        "put to them.",
        "Expected revenue is highest at about £3.10, a price interpolated from customers' "
        "answers rather than one they were asked about (Newton–Miller–Smith)."]


# ---------------------------------------------------------------------- assembling
def test_parts_of_notebooks_that_did_not_run_are_left_out(tmp_path: Path) -> None:
    load_study(DEMO / "study.yaml").to_json(tmp_path / "study.json")
    write_results(tmp_path, "02_needs_vs_wants", {"needs": ["hygiene"], "wants": []})
    write_results(tmp_path, "05_value_economics", {"n_respondents": 10})
    summary = executive_summary(tmp_path)
    covered = summary[summary.covered]
    assert covered["part"].tolist() == ["needs"]
    assert covered["sentence"].tolist() == [
        "The basic needs — expected as a matter of course, punished when missing — are Clean, "
        "hygienic shop."]
    missing = summary[~summary.covered].set_index("part")["sentence"].to_dict()
    assert missing == {
        "sample": "notebook 01 did not run",
        "drivers": "notebook 03 did not run", "focus": "notebook 04 did not run",
        "value_map": "notebook 04 did not run",
        "loyalty": "notebook 05 wrote none of the numbers this part needs",
        "price": "notebook 05 wrote none of the numbers this part needs",
        **dict.fromkeys(["segments", "sentiment", "change", "management"],
                        "notebook 06 did not run")}
    assert at_a_glance(tmp_path).empty


# ---------------------------------------------------------------------- on the demo
@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    batch = demo_batch(tmp_path_factory)
    assert batch.ok_runs, batch.stdout + batch.stderr
    return batch.ok_runs[0]


def test_demo_summary_covers_every_part(demo_run: Path) -> None:
    summary = executive_summary(demo_run)
    assert summary["covered"].all(), summary[~summary.covered]
    assert summary["part"].unique().tolist() == ["sample", "drivers", "focus", "needs", "value_map",
                                                 "loyalty", "price", "segments", "sentiment",
                                                 "change", "management"]
    saved = json.loads((demo_run / "results" / "07_report.json").read_text())
    assert saved["summary"] == summary["sentence"].tolist()
    assert saved["parts_not_covered"] == []


def test_demo_summary_tells_the_planted_truth(demo_run: Path) -> None:
    truth = json.loads((DEMO / "truth.json").read_text())
    study = load_study(DEMO / "study.yaml")
    label = {a.id: a.label for a in study.attributes}
    text = executive_summary(demo_run).groupby("part")["sentence"].apply(" ".join)
    weak = [label[a] for a in truth["focal_weaknesses"]]
    # the planted weaknesses are what to concentrate on, and the unmet needs
    assert text["focus"].startswith("Improve first:")
    assert all(w in text["focus"].split(".")[0] for w in weak)
    unmet = text["needs"].split("Customers take")[0]
    assert unmet.startswith("Unmet needs:") and all(w in unmet for w in weak)
    # the planted value-map zone and NPS rise
    assert f"offers {truth['value_zones'][truth['focal_brand']]}" in text["value_map"]
    assert truth["nps"]["change"] > 0 and "it rose by" in text["loyalty"]
    assert "a real change" in text["loyalty"]
    # the first-named driver is one of the planted top four
    top = sorted(truth["driver_weights"], key=truth["driver_weights"].get, reverse=True)[:4]
    first = text["drivers"].split("driven most by ")[1].split(" (")[0]
    assert first in [label[a] for a in top]
