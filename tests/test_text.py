"""Open-ended feedback: masking adversarial strings, coding, incidence, suggestions, demo."""

from __future__ import annotations

import json
import re
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cvmkit.errors import CvmkitWarning, DataError, StudySpecError
from cvmkit.metrics import nps_group
from cvmkit.plots import plot_theme_incidence
from cvmkit.text import (
    code_verbatims,
    example_quotes,
    mask_quote,
    suggest_themes,
    theme_incidence,
    themes_table,
)

# An independent, deliberately blunt detector: any '@' (after Unicode normalisation), an
# "at ... dot" spelling, or seven digits with at most three non-digits between neighbours.
_AT = re.compile(r"@|[\[({<]\s*at\s*[\])}>]|\bat\b\s*\w+\s*(?:\.|\bdot\b)\s*\w+", re.I)
_DIGITS = re.compile(r"\d(?:\D{0,3}\d){6,}")


def _leaks(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text)
    t = re.sub("[\u200b-\u200f\u2060\ufeff\u00ad]", "", t)
    return _AT.findall(t) + _DIGITS.findall(t)


ADVERSARIAL = [
    "mail me: john.doe+tag@example.co.uk thanks",
    "JOHN.DOE@EXAMPLE.COM please",
    "john at example dot com",
    "john [at] example [dot] com",
    "john [ at ] example [ dot ] com",
    "john(at)example(dot)com",
    "john {at} example {dot} com",
    "john <at> example <dot> org",
    "john (a) example . com",
    "john @ example . com",
    "<john@example.com>",
    "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    "jo\u200bhn@exa\u200bmple.com",
    "john@localhost",
    "john@@example.com",
    "call +44 (0)20 7946 0958 today",
    "07700-900-123",
    "0 7 7 0 0 9 0 0 1 2 3",
    "(555) 123-4567",
    "555.123.4567",
    "+1-555-123-4567 ext. 89",
    "tel:+447700900123",
    "０７７００ ９００１２３",
    "07700\u200b900123",
    "077 00 90 01 23",
    "Ring 07700/900/123 after 5",
    "two numbers: 07700900123, 020 7946 0958.",
    "Email me at dev.ahmed64@example.com",
]


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_no_email_or_phone_survives_masking(text):
    out = mask_quote(text)
    assert _leaks(out) == [], (text, out)
    assert "[email]" in out or "[phone]" in out


def test_text_without_personal_data_is_left_alone():
    for text in ("It cost £3.50 and I waited 10 minutes in 2024",
                 "Thanks for the coffee", "option (a) is better", "Open 7 days, 6am to 8pm"):
        assert mask_quote(text) == text


def test_declared_and_self_declared_names_are_masked():
    out = mask_quote("grace BROWN was lovely, ask for Grace", names=["Grace Brown"])
    assert "grace" not in out.lower() and "brown" not in out.lower()
    assert mask_quote("My name is Tariq Silva and I love it") == \
        "My name is [name] and I love it"
    assert mask_quote("Lovely staff - Grace Brown") == "Lovely staff - [name]"
    assert mask_quote("Great. Regards, Quinn") == "Great. Regards, [name]"
    assert mask_quote(pd.Series(["Cheers Maya!", None])).tolist()[0] == "Cheers [name]!"


# --------------------------------------------------------------------------- coding
CF = [{"id": "app", "label": "Mobile app", "patterns": [r"\bapp\b"], "quadrant": "does"},
      {"id": "staff", "label": "Staff", "patterns": ["staff", r"barista"], "quadrant": "feels"}]


def _comments() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "seg": ["a", "a", "a", "b", "b", "b"],
        "why": ["The APP crashed", "Lovely baristas and a good app", "fine", None,
                "Staff were rude, call 07700 900123", "   "]})


def test_code_verbatims_by_hand():
    coded = code_verbatims(_comments(), CF, columns=["why"], id_column="id", keep=["seg"])
    assert coded["id"].tolist() == [1, 2, 3, 5]          # empty answers left out
    assert coded["app"].tolist() == [True, True, False, False]
    assert coded["staff"].tolist() == [False, True, False, True]
    assert coded["n_themes"].tolist() == [1, 2, 0, 1]
    assert coded["coded"].tolist() == [True, True, False, True]
    assert coded["text"].iloc[3] == "Staff were rude, call [phone]"


def test_pattern_that_does_not_compile_is_named():
    bad = [*CF, {"id": "price", "patterns": ["cheap", "(expens"]}]
    with pytest.raises(StudySpecError, match=r"codeframe\[2\]\.patterns\[1\]: pattern '\(expens'"):
        code_verbatims(_comments(), bad, columns=["why"])
    with pytest.raises(StudySpecError, match="duplicate theme"):
        themes_table([CF[0], CF[0]])
    with pytest.raises(DataError, match="'nope' not in data"):
        code_verbatims(_comments(), CF, columns=["nope"])


def test_theme_incidence_by_hand_with_wilson_interval():
    coded = code_verbatims(_comments(), CF, columns=["why"], keep=["seg"])
    out = theme_incidence(coded, CF).set_index("theme")
    assert out.loc["app", ["n", "mentions"]].tolist() == [4, 2]
    assert out.loc["app", "incidence"] == pytest.approx(0.5)
    # Wilson 95% for 2 of 4: centre .5, half-width 1.96·sqrt(.0625 + z²/64) / (1 + z²/4)
    z = stats.norm.ppf(0.975)
    half = z * np.sqrt(0.25 / 4 + z**2 / 64) / (1 + z**2 / 4)
    assert out.loc["app", "ci_low"] == pytest.approx(0.5 - half)
    assert out.loc["app", "ci_high"] == pytest.approx(0.5 + half)
    assert out.loc["(uncoded)", "incidence"] == pytest.approx(0.25)
    by = theme_incidence(coded, CF, by="seg", include_uncoded=False)
    assert by.set_index(["seg", "theme"]).loc[("b", "staff"), "incidence"] == 1.0
    unit = theme_incidence(coded.assign(w=1.0), CF, weights="w")
    pd.testing.assert_frame_equal(unit, theme_incidence(coded, CF))


def test_empty_group_is_flagged():
    coded = code_verbatims(_comments(), CF, columns=["why"], keep=["seg"])
    coded["seg"] = pd.Categorical(coded["seg"], categories=["a", "b", "c"])
    with pytest.warns(CvmkitWarning, match="no comments where seg = 'c'"):
        out = theme_incidence(coded, CF, by="seg")
    assert (out.loc[out["seg"] == "c", "n"] == 0).all()


def test_quotes_are_masked_and_reproducible():
    coded = code_verbatims(_comments(), CF, columns=["why"])
    a = example_quotes(coded, CF, n=1, seed=4)
    b = example_quotes(coded, CF, n=1, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert all(_leaks(q) == [] for q in a["quote"])


# --------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo(tmp_path_factory, repo):
    from cvmkit.io import open_run

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CvmkitWarning)
        data, study = open_run(tmp_path_factory.mktemp("run"),
                               study_path=repo / "data" / "demo" / "study.yaml")
    truth = json.loads((repo / "data" / "demo" / "truth.json").read_text())
    data = data.assign(nps_group=nps_group(data[study.outcome_column("nps")]))
    coded = code_verbatims(data, study, keep=["segment", "wave", "nps_group", "weight"])
    return data, study, truth, coded


def test_demo_theme_frequencies_recovered_within_intervals(demo):
    _, study, truth, coded = demo
    out = theme_incidence(coded, study).set_index("theme")
    for theme, share in truth["themes"]["incidence"].items():
        assert out.loc[theme, "ci_low"] <= share <= out.loc[theme, "ci_high"], theme
    # by NPS group: 18 planted shares, each inside its interval at a family-wise 95% level
    level = 1 - 0.05 / 18
    by = theme_incidence(coded, study, by="nps_group", confidence=level,
                         include_uncoded=False).set_index(["nps_group", "theme"])
    for theme, groups in truth["themes"]["incidence_by_nps_group"].items():
        for group, share in groups.items():
            row = by.loc[(group, theme)]
            assert row["ci_low"] <= share <= row["ci_high"], (theme, group)


def test_demo_uncoded_theme_is_suggested(demo):
    _, study, truth, coded = demo
    sug = suggest_themes(coded, study, n_themes=5, seed=1)
    assert sug["top_terms"].str.contains(truth["themes"]["uncoded_theme"]).any()
    again = suggest_themes(coded, study, n_themes=5, seed=1)
    pd.testing.assert_frame_equal(sug, again)


def test_no_demo_text_shown_contains_an_email_or_phone(demo):
    data, study, _, coded = demo
    raw_has = data["why_score"].str.contains("@").sum()
    shown = [*coded["text"], *example_quotes(coded, study, n=5, seed=0)["quote"],
             *example_quotes(coded, study, n=3, seed=1, by="nps_group")["quote"],
             *suggest_themes(coded, study, n_themes=5, seed=1)["example"],
             *suggest_themes(coded, study, n_themes=4, seed=1, unit="comment")["example"]]
    assert raw_has == 0  # the data-collection step masked them already
    assert [t for t in shown if _leaks(t)] == []
    # and coding the raw, unmasked export shows none either
    from cvmkit.io import read_responses

    raw = read_responses(study.data_path)
    coded_raw = code_verbatims(raw, study)
    assert raw["why_score"].str.contains("@example.com").any()
    assert [t for t in coded_raw["text"] if _leaks(t)] == []


def test_incidence_plot(demo):
    _, study, _, coded = demo
    table = theme_incidence(coded, study, by="nps_group", include_uncoded=False)
    ax = plot_theme_incidence(table, by="nps_group")
    assert len([p for p in ax.patches if p.get_gid() == "bar"]) == 18
    assert [t.get_text() for t in ax.get_yticklabels()][0] == study.codeframe[0].label


# ------------------------------------------------------------------ patterns that cannot hang
def test_a_catastrophic_pattern_codes_a_long_comment_at_once():
    import time

    d = pd.DataFrame({"why": ["a" * 50_000 + "!", "aaa", "fine"]})
    cf = [{"id": "redos", "patterns": ["(a+)+$"]}, {"id": "alt", "patterns": ["(a|aa)*b"]}]
    start = time.monotonic()
    coded = code_verbatims(d, cf, columns=["why"])
    assert time.monotonic() - start < 5
    assert coded["redos"].tolist() == [False, True, False]


@pytest.mark.parametrize("pattern, text, hit", [
    (r"\bété", "un été chaud", True),
    (r"\bété", "unété", False),
    (r"цена\b", "высокая цена!", True),
    (r"цена\b", "ценах", False),
    (r"\bstaff\b", "The STAFF were kind", True),
    (r"\bprices?\b", "the price went up", True),
    (r"\w+ly\b", "Ünlüly done", True),
    (r"[\w-]+@", "jo-b@x", True),
])
def test_safe_patterns_keep_unicode_words(pattern, text, hit):
    from cvmkit._patterns import compile_pattern

    assert bool(compile_pattern(pattern).search(text)) is hit


@pytest.mark.parametrize("pattern, why", [
    (r"(?<=not )good", "look-behind"),
    (r"(?!bad)\w+", "look-ahead"),
    (r"(\w)\1", "back-references"),
    ("(unclosed", "not a valid regular expression"),
    ("x" * 1001, "more than the 1000"),
])
def test_patterns_the_safe_engine_cannot_take_are_named(pattern, why):
    cf = [{"id": "t", "patterns": ["fine", pattern]}]
    with pytest.raises(StudySpecError) as info:
        code_verbatims(pd.DataFrame({"q": ["x"]}), cf, columns=["q"])
    assert "codeframe[0].patterns[1]" in str(info.value) and why in str(info.value)


def test_without_re2_a_nested_repeat_is_refused():
    from cvmkit._patterns import _nested_repeat

    assert _nested_repeat("(a+)+$") and _nested_repeat("(a|aa)*") and _nested_repeat(r"(\w+\s?)*")
    assert not any(_nested_repeat(p) for p in (r"\bapp\b", "flavou?r", "(?:ab)+c", "a{1,3}b+"))
