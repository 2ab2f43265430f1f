"""One recommended action per attribute, reconciled once, and the summary saying the same.

The report says it too: the importance–performance map's title is the actions' headline, and
no sentence of the report — the full appendix included — names an attribute with another
action than its own.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from _shared_runs import demo_batch

from cvmkit.actions import ACTIONS, actions_headline, read_actions, recommend_actions
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


def _acts(*actions: str) -> pd.DataFrame:
    return pd.DataFrame({"label": [f"Item {i}" for i in range(1, len(actions) + 1)],
                         "action": list(actions)})


@pytest.mark.parametrize("actions, headline", [
    (("improve", "on par", "save"), "One attribute to improve first: Item 1"),
    (("improve", "improve", "maintain"), "Two attributes to improve first: Item 1 and Item 2"),
    (("improve",) * 4, "Four attributes to improve first: Item 1, Item 2, Item 3 and Item 4"),
    (("improve",) * 5, "Five attributes to improve first: Item 1, Item 2, Item 3 and 2 more"),
    (("improve",) * 12, "12 attributes to improve first: Item 1, Item 2, Item 3 and 9 more"),
    (("defend", "maintain"), "Nothing to improve first; one attribute to defend where a "
                             "competitor is ahead: Item 1"),
    (("defend", "defend"), "Nothing to improve first; two attributes to defend where "
                           "competitors are ahead: Item 1 and Item 2"),
    (("maintain", "on par", "differentiate"), "No important attribute falls short; one "
                                              "strength to maintain: Item 1"),
    (("on par", "save", "deprioritise", "differentiate"),
     "No attribute stands out as a priority"),
])
def test_the_headline_states_the_most_urgent_action(actions, headline) -> None:
    assert actions_headline(_acts(*actions)) == headline


def test_no_headline_without_actions() -> None:
    assert actions_headline(_acts()) is None
    assert actions_headline(recommend_actions(None)) is None


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


def test_the_map_title_is_the_actions_headline(demo_run: Path) -> None:
    """The map in the report and the deck carries the actions' finding, which names exactly
    the attributes the summary says to improve first."""
    import html

    from pptx import Presentation

    from cvmkit.report.client import finding_sections

    acts = read_actions(demo_run)
    headline = actions_headline(acts)
    improve = acts.loc[acts.action == "improve", "label"].tolist()
    assert improve and headline.endswith(": " + re.sub(r", ([^,]+)$", r" and \1",
                                                        ", ".join(improve)))
    said = executive_summary(demo_run)
    assert f"Improve first: {headline.split(': ', 1)[1]}." in said["sentence"].tolist()
    value = {s["key"]: s for s in finding_sections(demo_run)}["value"]
    chart = value["figures"][0]
    assert chart.stem == "ipa" and chart.title == headline
    assert chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    page = (demo_run / "report.html").read_text(encoding="utf-8")
    assert 'data-figure="04_value_maps__ipa"><img src="data:image/png;base64,' in page
    assert f'alt="{html.escape(headline)}"' in page
    deck = Presentation(str(demo_run / "deck.pptx"))
    blobs = [sh.image.blob for slide in deck.slides for sh in slide.shapes
             if sh.shape_type == 13]  # pictures
    assert chart.png in blobs  # the slide shows the same drawing


#: Words that say what to do with an attribute, and the actions each may name.
_ACTION_WORDS = {
    r"\bimprove\b|\bconcentrate\b|\bpriorit(y|ies)\b|\bgaps? to close\b": {"improve"},
    r"\bdefend\b": {"defend"},
    r"\bmaintain\b|\bkeep up\b": {"maintain", "defend"},
    r"\boverkill\b|\bsaving\b|\bsave\b": {"save"},
    r"\blow priority\b|\bdeprioriti[sz]e\b": {"deprioritise"},
}
_QUADRANT_LIST = re.compile(r"(Concentrate here|Keep up the good work|Possible overkill|"
                            r"Low priority)\s*:|concentrate on\b", re.I)


def _sentences(page: str) -> list[str]:
    """The report's text, one sentence (or table cell) at a time."""
    import html

    page = re.sub(r"<(style|figure)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"</?(code|em|strong|a|span)\b[^>]*>", "", page)
    cells = [html.unescape(" ".join(c.split())) for c in re.split(r"<[^>]+>", page)]
    return [s for c in cells for s in re.split(r"(?<=[.;!?])\s+", c) if s.strip()]


def _contradictions(page: str, acts: pd.DataFrame) -> list[str]:
    action = dict(zip(acts["label"], acts["action"]))
    labels = sorted(action, key=len, reverse=True)
    out = []
    for s in _sentences(page):
        kinds = [allowed for word, allowed in _ACTION_WORDS.items() if re.search(word, s, re.I)]
        if len(kinds) != 1:
            continue
        rest, named = s, []
        for lab in labels:  # longest first, so no label is found inside a longer one
            if lab in rest:
                named.append(lab)
                rest = rest.replace(lab, " ")
        out += [f"{lab} ({action[lab]}): {s}" for lab in named if action[lab] not in kinds[0]]
    return out


@pytest.mark.parametrize("appendix", ["full", "short"])
def test_no_sentence_of_the_report_contradicts_an_action(demo_run: Path, appendix: str) -> None:
    """Every appendix level: no quadrant list of the map, and every sentence naming an
    attribute with what to do with it names that attribute's own action."""
    from cvmkit.report import render_report

    acts = read_actions(demo_run)
    page = render_report(demo_run, appendix=appendix)
    body = page[page.index("<main>"):]
    assert not _QUADRANT_LIST.search(" ".join(_sentences(body))), _QUADRANT_LIST.search(
        " ".join(_sentences(body)))
    assert _contradictions(body, acts) == []
    assert "04_value_maps__act_on" not in page and ">Quadrant</th>" not in page
    if appendix == "full":  # the map's method and table are still there
        assert 'data-section="04_value_maps"' in page
        assert 'data-table="04_value_maps__ipa"' in page
        assert "four quadrants" in page


def test_the_contradiction_detector_sees_one() -> None:
    acts = pd.DataFrame({"label": ["Speed", "Price"], "action": ["on par", "improve"]})
    page = "<p>Improve first: Speed and Price.</p><p>Maintain Price.</p><td>Speed</td>"
    assert _contradictions(page, acts) == ["Speed (on par): Improve first: Speed and Price.",
                                           "Price (improve): Maintain Price."]
