"""Needs-based segmentation: the latent class fit against flexmix, planted segments recovered,
BIC, stability, membership and profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, DEMO
from sklearn.metrics import adjusted_rand_score

from cvmkit.errors import AnalysisError, DataError
from cvmkit.segmentation import (
    add_segment,
    needs_segments,
    segment_bic,
    segment_profiles,
    segment_sizes,
    segment_stability,
)


@pytest.fixture(scope="module")
def whiskey() -> pd.DataFrame:
    return pd.read_csv(DATA / "lca_whiskey" / "whiskey.csv")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    d = pd.read_csv(DEMO / "responses.csv")
    imp = [c for c in d.columns if c.startswith("imp_")]
    d[imp] = d[imp].replace(99, np.nan)
    return d


def _imp(d: pd.DataFrame) -> list[str]:
    return [c for c in d.columns if c.startswith("imp_")]


@pytest.mark.parametrize("k", [2, 3])
def test_latent_class_fit_matches_flexmix(whiskey, k) -> None:
    items = [c for c in whiskey.columns if c != "Freq"]
    ref = pd.read_csv(DATA / "lca_whiskey" / f"whiskey_lca_k{k}.csv")
    ref_ll = {2: -13371.2182917, 3: -13170.7128844}[k]
    t = segment_bic(whiskey, items, k_range=[k], method="lca", weights="Freq", seed=1,
                    n_init=2, tol=1e-9)
    assert t["loglik"].iloc[0] == pytest.approx(ref_ll, abs=1e-3)
    assert int(t["n_parameters"].iloc[0]) == {2: 43, 3: 65}[k]
    assert t["n"].iloc[0] == len(whiskey)
    seg = needs_segments(whiskey, items, k=k, method="lca", weights="Freq", seed=1, n_init=2,
                         tol=1e-9)
    labels = list(seg["segment"].cat.categories)
    w = whiskey["Freq"].to_numpy(float)
    priors = [float(np.dot(w, seg[c]) / w.sum()) for c in labels]  # mean posterior = prior
    assert sorted(priors) == pytest.approx(sorted(ref["prior"]), abs=1e-4)
    # each class's item probabilities, matched to flexmix's class by its prior
    order = np.argsort(priors)
    ref_sorted = ref.sort_values("prior").reset_index(drop=True)
    for i, j in enumerate(order):
        post = seg[labels[j]].to_numpy() * w
        p_item = (whiskey[items].to_numpy(float) * post[:, None]).sum(axis=0) / post.sum()
        centre = ref_sorted.loc[i, [f"center.{c}" for c in items]].to_numpy(float)
        assert p_item == pytest.approx(centre, abs=1e-3)
    sizes = segment_sizes(whiskey.assign(s=seg["segment"]), "s", weights="Freq")
    assert sizes["share"].sum() == pytest.approx(1.0)


def test_planted_demo_segments_recovered(demo) -> None:
    seg = needs_segments(demo, _imp(demo), k=3, method="lca", seed=2026, n_init=2)
    ok = seg["segment"].notna()
    assert ok.mean() > 0.99
    assert adjusted_rand_score(demo.loc[ok, "segment"], seg.loc[ok, "segment"]) >= 0.7


def test_bic_picks_the_planted_number_and_labels_by_size() -> None:
    rng = np.random.default_rng(3)
    x = np.vstack([rng.normal(0, 1, (200, 3)), rng.normal(4, 1, (120, 3)),
                   rng.normal([0, 4, 8], 1, (80, 3))])
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    for method in ("gmm", "kmeans"):
        t = segment_bic(df, ["a", "b", "c"], k_range=[2, 3, 4], method=method, seed=0)
        assert int(t.loc[t["best"], "k"].iloc[0]) == 3, method
    seg = needs_segments(df, ["a", "b", "c"], k=3, method="gmm", seed=0)
    assert seg["segment"].value_counts().loc[["Segment 1", "Segment 2", "Segment 3"]].tolist() \
        == [200, 120, 80]
    again = needs_segments(df, ["a", "b", "c"], k=3, method="gmm", seed=0)
    assert again.equals(seg)


def test_stability_high_for_clear_segments_low_for_noise() -> None:
    rng = np.random.default_rng(4)
    clear = pd.DataFrame(np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(5, 1, (100, 2))]),
                         columns=["a", "b"])
    noise = pd.DataFrame(rng.normal(0, 1, (200, 2)), columns=["a", "b"])
    hi = segment_stability(clear, ["a", "b"], k=2, method="kmeans", n_boot=5, seed=1)
    lo = segment_stability(noise, ["a", "b"], k=[4], method="kmeans", n_boot=5, seed=1)
    assert hi["ari_mean"].iloc[0] > 0.95
    assert lo["ari_mean"].iloc[0] < hi["ari_mean"].iloc[0]
    assert set(hi.columns) >= {"k", "ari_mean", "ari_lower", "ari_upper", "n_boot"}


def test_profiles_holm_and_categories() -> None:
    df = pd.DataFrame({"seg": ["a"] * 60 + ["b"] * 60,
                       "x": np.r_[np.full(60, 5.0), np.full(60, 1.0)] + np.tile([0, 1], 60),
                       "noise": np.tile([1.0, 2.0, 3.0], 40), "g": ["m", "f"] * 60})
    t = segment_profiles(df, "seg", ["x", "noise", "g"])
    assert set(t["kind"]) == {"mean", "share"}
    assert (t["p_holm"] >= t["p_value"]).all()
    x = t[(t.variable == "x") & (t.segment == "a")].iloc[0]
    assert x["difference"] == pytest.approx(4.0) and x["p_holm"] < 1e-6
    assert (t.loc[t.variable == "noise", "p_holm"] > 0.05).all()


def test_add_segment_and_errors(demo) -> None:
    seg = pd.DataFrame({"segment": pd.Categorical(["S1"] * len(demo))}, index=demo.index)
    out = add_segment(demo, seg, "needs")
    assert "needs" not in demo.columns and (out["needs"] == "S1").all()
    with pytest.raises(DataError, match="already exists"):
        add_segment(out, seg, "needs")
    with pytest.raises(DataError, match="identifier"):
        add_segment(demo, seg, "bad name")
    with pytest.raises(DataError, match="'nope'"):
        segment_bic(demo, ["imp_taste", "nope"], k_range=[2])
    with pytest.raises(AnalysisError, match="method"):
        segment_bic(demo, _imp(demo), k_range=[2], method="magic")
    with pytest.raises(AnalysisError, match="two columns"):
        needs_segments(demo, ["imp_taste"], k=2)


def test_large_samples_are_fitted_on_one_subsample_and_everyone_classified():
    """Above ``subsample`` respondents the BIC curve, the stability check and the final model
    use the same seeded subsample; every respondent still gets a segment, the planted groups are
    recovered, and a category the subsample never saw does not stop the classification."""
    rng = np.random.default_rng(3)
    n = 3000
    truth = rng.integers(0, 2, n)
    x = np.where(truth[:, None] == 0, rng.integers(1, 4, (n, 4)), rng.integers(3, 6, (n, 4)))
    df = pd.DataFrame(x.astype(float), columns=list("abcd"))
    df.loc[0, "a"] = 9.0  # an answer only one respondent gave
    bic = segment_bic(df, list("abcd"), k_range=[1, 2], seed=4, n_init=1, subsample=600)
    assert bic["n"].tolist() == [600, 600] and bic["n_answered"].tolist() == [n, n]
    stab = segment_stability(df, list("abcd"), k=2, seed=4, n_boot=2, subsample=600)
    assert stab["ari_mean"].iloc[0] > 0.8
    seg = needs_segments(df, list("abcd"), k=2, seed=4, n_init=1, subsample=600)
    assert seg["segment"].notna().all()
    assert adjusted_rand_score(truth, seg["segment"].cat.codes) > 0.7
    full = segment_bic(df, list("abcd"), k_range=[1, 2], seed=4, n_init=1, subsample=None)
    assert full["n"].tolist() == [n, n]
