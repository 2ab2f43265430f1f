"""One recommended action per attribute, reconciled once, and the summary saying the same."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from _shared_runs import demo_batch

from cvmkit.actions import ACTIONS, read_actions, recommend_actions
from cvmkit.summary import executive_summary


def _ipa(**cols) -> pd.DataFrame:
    base = {"attribute": ["a"], "label": ["A"], "importance": [30.0], "performance": [6.0],
            "performance_lower": [5.8], "performance_upper": [6.2], "performance_cross": [7.0],
            "importance_cross": [20.0]}
    base.update({k: [v] for k, v in cols.items()})
    return pd.DataFrame(base)


def _action(ipa, **kw) -> str:
    return recommend_actions(ipa, **kw)["action"].iloc[0]


def test_the_map_alone() -> None:
    assert _action(_ipa()) == "improve"
    assert _action(_ipa(performance=8.0, performance_lower=7.8, performance_upper=8.2)) == \
        "maintain"
    assert _action(_ipa(importance=10.0, performance=8.0, performance_lower=7.8,
                        performance_upper=8.2)) == "save"
    assert _action(_ipa(importance=10.0)) == "deprioritise"


def test_an_interval_covering_a_line_is_on_par() -> None:
    # below the crosshair as a point, but its interval covers it: neither priority nor overkill
    assert _action(_ipa(performance=6.9, performance_lower=6.6, performance_upper=7.2)) == \
        "on par"
    assert _action(_ipa(importance=10.0, performance=7.1, performance_lower=6.8,
                        performance_upper=7.4)) == "on par"
    # an importance interval covering its line makes the attribute on par too
    interval = pd.DataFrame({"attribute": ["a"], "lower": [15.0], "upper": [32.0]})
    assert _action(_ipa(), importance=interval) == "on par"


def test_a_need_is_never_a_saving_and_a_competitor_ahead_makes_it_a_priority() -> None:
    over = _ipa(importance=10.0, performance=8.0, performance_lower=7.8, performance_upper=8.2)
    needs = pd.DataFrame({"attribute": ["a"], "role": ["need"]})
    ahead = pd.DataFrame({"attribute": ["a", "a"], "brand": ["B", "C"],
                          "verdict": ["superior", "comparable"]})
    assert _action(over, needs=needs) == "maintain"
    par = _ipa(importance=10.0, performance=7.1, performance_lower=6.8, performance_upper=7.4)
    row = recommend_actions(par, needs=needs, benchmark=ahead).iloc[0]
    assert row["action"] == "improve" and row["competitors_ahead"] == "B"
    assert "B significantly ahead" in row["reasons"] and "basic need" in row["reasons"]
    assert _action(over, benchmark=ahead, needs=needs) == "defend"


def test_a_want_is_a_way_to_stand_out() -> None:
    over = _ipa(importance=10.0, performance=8.0, performance_lower=7.8, performance_upper=8.2)
    wants = pd.DataFrame({"attribute": ["a"], "role": ["want"]})
    assert _action(over, needs=wants) == "differentiate"


def test_every_attribute_gets_exactly_one_action_most_urgent_first() -> None:
    ipa = pd.concat([_ipa(attribute=k, label=k.upper(), importance=10.0 + 3 * i,
                          performance=5.0 + 0.3 * i, performance_lower=4.9 + 0.3 * i,
                          performance_upper=5.1 + 0.3 * i) for i, k in enumerate("abcdefgh")],
                    ignore_index=True)
    acts = recommend_actions(ipa)
    assert sorted(acts["attribute"]) == list("abcdefgh")
    assert acts["action"].isin(ACTIONS).all()
    assert acts["order"].is_monotonic_increasing
    assert recommend_actions(ipa.iloc[:0]).empty


# ---------------------------------------------------------------------- on the demo
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    batch = demo_batch(tmp_path_factory)
    assert batch.ok_runs, batch.stdout + batch.stderr
    return batch.ok_runs[0]


def test_the_summary_says_what_the_actions_say(demo_run: Path) -> None:
    acts = read_actions(demo_run)
    action = dict(zip(acts["label"], acts["action"]))
    assert len(acts) == len(set(acts["label"])) == 12
    said = executive_summary(demo_run)
    focus = said.loc[said.part == "focus", "sentence"].tolist()
    needs = said.loc[said.part == "needs", "sentence"].tolist()
    labels = sorted(action, key=len, reverse=True)

    def mentioned(text: str) -> set[str]:
        return {lab for lab in labels if lab in text}

    for s in focus:
        if s.startswith("Improve first:"):
            assert mentioned(s) and all(action[lab] == "improve" for lab in mentioned(s))
        if "possible saving" in s:
            assert all(action[lab] == "save" for lab in mentioned(s))
        if s.startswith("Maintain"):
            assert all(action[lab] == "maintain" for lab in mentioned(s))
    for s in needs:
        if s.startswith("Unmet"):
            unmet = mentioned(s.split("Customers take")[0])
            assert unmet and all(action[lab] == "improve" for lab in unmet)
        if "could differentiate" in s:
            assert all(action[lab] == "differentiate" for lab in mentioned(s))
    # no attribute is both something to improve and a possible saving anywhere in the summary
    text = " ".join(said["sentence"])
    saved = [s for s in said["sentence"] if "possible saving" in s or "overkill" in s]
    assert not any(action[lab] == "improve" for s in saved for lab in mentioned(s)), text


def test_the_report_shows_each_attribute_once_with_its_action(demo_run: Path) -> None:
    page = (demo_run / "report.html").read_text(encoding="utf-8")
    block = page[page.index('data-table="actions"'):]
    block = block[:block.index("</table>")]
    rows = re.findall(r"<tr class=\"action-[^\"]+\"><td>([^<]+)</td><td><strong>([^<]+)", block)
    acts = read_actions(demo_run)
    assert len(rows) == len(acts)
    import html

    assert [(html.unescape(a), b) for a, b in rows] == list(zip(acts["label"],
                                                               acts["action_label"]))
