"""Sentiment with VADER: its authors' published examples, masking, groups, planted theme."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, DEMO

from cvmkit.errors import DataError
from cvmkit.sentiment import score_sentiment, sentiment_summary, theme_sentiment
from cvmkit.study import load_study


def test_published_examples() -> None:
    ref = pd.read_csv(DATA / "vader_readme" / "examples.csv")
    got = score_sentiment(ref["text"])
    assert got["compound"].to_numpy() == pytest.approx(ref["compound"].to_numpy(), abs=5e-4)
    same = ref["proportions_checked"].astype(bool).to_numpy()
    for col in ("neg", "neu", "pos"):
        assert got.loc[same, col].to_numpy() == pytest.approx(ref.loc[same, col].to_numpy(),
                                                              abs=5e-4), col


def test_personal_data_masked_before_scoring() -> None:
    s = pd.Series(["Great service, write to jo.bloggs@example.com", None, ""])
    t = score_sentiment(s)
    assert "example.com" not in t["text"].iloc[0] and "[email]" in t["text"].iloc[0]
    assert t["label"].iloc[0] == "positive"
    assert t["compound"].iloc[1:].isna().all() and t["label"].iloc[1:].isna().all()
    with pytest.raises(DataError):
        score_sentiment(["not a series"])


def test_summary_by_group_with_intervals() -> None:
    d = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40,
                      "t": ["I love it, wonderful"] * 40 + ["Awful, terrible service"] * 40})
    s = score_sentiment(d["t"])
    t = sentiment_summary(d, s, "g")
    a, b = t.set_index("group").loc["a"], t.set_index("group").loc["b"]
    assert a["share_negative"] == 0 and b["share_negative"] == 1
    assert a["mean"] > 0.5 > -0.5 > b["mean"]
    mixed = sentiment_summary(d.iloc[::3], s.iloc[::3])
    assert mixed["negative_lower"].iloc[0] < mixed["share_negative"].iloc[0] \
        < mixed["negative_upper"].iloc[0]


def test_planted_negative_theme_recovered() -> None:
    study = load_study(DEMO / "study.yaml")
    data = pd.read_csv(DEMO / "responses.csv", usecols=["why_score"])
    truth = json.loads((DEMO / "truth.json").read_text())
    t = theme_sentiment(data, "why_score", study)
    assert t.sort_values("mean")["theme"].iloc[0] == truth["themes"]["most_negative"]
    assert set(t["theme"]) == {th.id for th in study.codeframe}
    assert list(t["rank"]) == list(range(1, len(t) + 1))
    assert np.all(np.diff(t["reach_negative"].to_numpy()) <= 0)
