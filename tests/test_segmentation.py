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


def _three_blobs(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = np.vstack([rng.normal(0, 1, (60, 3)), rng.normal(2.5, 0.7, (50, 3)),
                   rng.normal([4, 0, 2], 1, (40, 3))])
    return np.round(z), rng.integers(1, 5, len(z))  # whole-point answers, integer weights


@pytest.mark.parametrize("seed", [3, 8])
def test_weighted_mixture_equals_sklearn_on_replicated_rows(seed) -> None:
    """An integer weight is that many copies of the respondent: from the same start, the
    weighted EM gives scikit-learn's fit on the replicated rows."""
    from sklearn.mixture import GaussianMixture

    from cvmkit.segmentation import _ROUNDING_VAR, _weighted_gaussian_mixture

    z, w = _three_blobs(seed)
    rep = np.repeat(z, w, axis=0)
    k = 3
    start = (np.array([0.3, 0.3, 0.4]), z[[0, 70, 130]] + 0.1, np.ones((k, 3)))
    ref = GaussianMixture(k, covariance_type="diag", reg_covar=_ROUNDING_VAR, tol=1e-8,
                          max_iter=1000, weights_init=start[0], means_init=start[1],
                          precisions_init=1 / start[2]).fit(rep)
    gm = _weighted_gaussian_mixture(z, w, k, reg_covar=_ROUNDING_VAR, tol=1e-8,
                                    max_iter=1000, init=start)
    assert gm.converged and gm.n_iter == ref.n_iter_
    np.testing.assert_allclose(gm.weights, ref.weights_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gm.means, ref.means_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gm.covariances, ref.covariances_, rtol=0, atol=1e-10)
    assert gm.loglik == pytest.approx(ref.score(rep) * len(rep), rel=1e-12)
    assert gm.lower_bound == pytest.approx(ref.lower_bound_, rel=1e-12)
    np.testing.assert_allclose(gm.predict_proba(z), ref.predict_proba(z), atol=1e-10)
    # the k-means start: unit weights give scikit-learn's own fit from the same seed
    ones = _weighted_gaussian_mixture(z, None, k, n_init=2, random_state=5,
                                      reg_covar=_ROUNDING_VAR, tol=1e-3)
    own = GaussianMixture(k, covariance_type="diag", n_init=2, random_state=5,
                          reg_covar=_ROUNDING_VAR, tol=1e-3).fit(z)
    np.testing.assert_allclose(ones.means, own.means_, atol=1e-10)
    assert ones.loglik == pytest.approx(own.score(z) * len(z), rel=1e-12)


def test_weighted_mixture_in_segments_and_bic() -> None:
    """With varying weights the mixture is weighted (no warning): the weights move the mixing
    proportions, and the BIC counts Kish's effective sample size."""
    import warnings

    from cvmkit.segmentation import _fit

    rng = np.random.default_rng(6)
    x = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(6, 1, (150, 2))])
    w = np.r_[np.full(150, 0.5), np.full(150, 1.5)]
    df = pd.DataFrame(x, columns=["a", "b"]).assign(w=w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seg = needs_segments(df, ["a", "b"], k=2, method="gmm", weights="w", seed=0)
        t = segment_bic(df, ["a", "b"], k_range=[1, 2, 3], method="gmm", weights="w", seed=0)
    assert int(t.loc[t["best"], "k"].iloc[0]) == 2
    # the heavier blob is the larger segment by weight, as its mean posterior says
    assert seg.loc[150:, "segment"].eq("Segment 1").all()
    assert float(np.dot(w, seg["Segment 1"]) / w.sum()) == pytest.approx(0.75, abs=0.01)
    f = _fit(x, w, 2, "gmm", 0, 2)
    n_eff = w.sum() ** 2 / (w ** 2).sum()
    assert f.n == pytest.approx(n_eff)
    assert f.loglik == pytest.approx(f.model.loglik * n_eff / w.sum())
    assert f.bic == pytest.approx(-2 * f.loglik + f.n_par * np.log(n_eff))
    # equal weights: the unweighted fit and BIC, whatever the weights' scale
    a, b = _fit(x, np.full(300, 2.0), 2, "gmm", 0, 2), _fit(x, np.ones(300), 2, "gmm", 0, 2)
    assert a.bic == pytest.approx(b.bic) and a.n == 300


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
