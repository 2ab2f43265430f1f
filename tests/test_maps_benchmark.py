"""Competitive benchmark against scipy's t-tests and statsmodels' sandwich standard errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from test_maps_toy import toy_study

from cvmkit.errors import AnalysisError
from cvmkit.maps import brand_performance, competitive_benchmark


@pytest.fixture(scope="module")
def study():
    return toy_study()


@pytest.fixture(scope="module")
def data(study) -> pd.DataFrame:
    """80 respondents; Beta rated by about 60 % of them, everyone rates Acme and Gamma."""
    rng = np.random.default_rng(20260)
    n = 80
    d = {"rid": [f"r{i}" for i in range(n)], "segment": rng.choice(["S1", "S2"], n)}
    shift = {"acme": 0.0, "beta": 0.6, "gamma": -0.2}
    halo = rng.normal(0, 1, n)
    for a in study.attributes:
        for b in study.brands:
            x = np.clip(np.rint(6 + shift[b.code] + halo + rng.normal(0, 1.4, n)), 1, 10)
            if b.code == "beta":
                x[rng.random(n) < 0.4] = np.nan
            d[a.performance_column(b)] = x
        d[a.importance] = rng.integers(1, 6, n).astype(float)
    d["weight"] = rng.uniform(0.3, 2.5, n)
    return pd.DataFrame(d)


def _row(bm, attribute, brand):
    return bm[(bm["attribute"] == attribute) & (bm["brand"] == brand)].iloc[0]


def test_paired_test_equals_scipy_ttest_rel(data, study):
    bm = competitive_benchmark(data, study, test="paired", correction=None)
    for a in study.attributes:
        for b in study.competitors:
            xf = data[a.performance_column(study.brand)]
            xc = data[a.performance_column(b)]
            ok = xf.notna() & xc.notna()
            ref = stats.ttest_rel(xc[ok], xf[ok])
            r = _row(bm, a.id, b.name)
            assert r["test"] == "paired" and r["n_test"] == ok.sum()
            assert r["statistic"] == pytest.approx(ref.statistic, rel=1e-12)
            assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
            assert r["diff"] == pytest.approx((xc[ok] - xf[ok]).mean(), rel=1e-12)


def test_welch_test_equals_scipy_ttest_ind(data, study):
    bm = competitive_benchmark(data, study, test="welch", correction=None)
    for a in study.attributes:
        for b in study.competitors:
            xf = data[a.performance_column(study.brand)].dropna()
            xc = data[a.performance_column(b)].dropna()
            ref = stats.ttest_ind(xc, xf, equal_var=False)
            r = _row(bm, a.id, b.name)
            assert r["test"] == "welch"
            assert r["statistic"] == pytest.approx(ref.statistic, rel=1e-12)
            assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-10)
            assert r["df"] == pytest.approx(ref.df, rel=1e-12)


def test_auto_pairs_when_raters_overlap(data, study):
    bm = competitive_benchmark(data, study)
    comp = bm[~bm["is_focal"]]
    assert (comp["test"] == "paired").all()  # everyone rated Acme: full overlap


def test_weighted_means_and_paired_test_match_statsmodels_hc1(data, study):
    """A weighted mean's linearisation SE is the HC1 sandwich SE of a WLS intercept."""
    w = data["weight"]
    perf = brand_performance(data, study, weights="weight")
    a = study.attribute("speed")
    col = a.performance_column(study.competitors[0])
    ok = data[col].notna()
    fit = sm.WLS(data.loc[ok, col], np.ones(ok.sum()), weights=w[ok]).fit(cov_type="HC1")
    r = perf[(perf["attribute"] == "speed") & (perf["brand"] == "Beta")].iloc[0]
    assert r["mean"] == pytest.approx(fit.params.iloc[0], rel=1e-12)
    assert r["se"] == pytest.approx(fit.bse.iloc[0], rel=1e-12)
    q = stats.t.ppf(0.975, ok.sum() - 1)
    assert r["upper"] == pytest.approx(fit.params.iloc[0] + q * fit.bse.iloc[0], rel=1e-12)

    bm = competitive_benchmark(data, study, weights="weight", test="paired", correction=None)
    d = data[col] - data[a.performance_column(study.brand)]
    ok = d.notna()
    fit = sm.WLS(d[ok], np.ones(ok.sum()), weights=w[ok]).fit(cov_type="HC1")
    r = _row(bm, "speed", "Beta")
    assert r["diff"] == pytest.approx(fit.params.iloc[0], rel=1e-12)
    assert r["statistic"] == pytest.approx(fit.tvalues.iloc[0], rel=1e-12)
    assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(fit.tvalues.iloc[0]), ok.sum() - 1),
                                         rel=1e-10)


def test_unit_weights_change_nothing(data, study):
    a = competitive_benchmark(data, study)
    b = competitive_benchmark(data, study, weights=np.full(len(data), 2.5))
    pd.testing.assert_frame_equal(a, b)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, written out from its definition."""
    m = len(p)
    order = np.argsort(p)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adj[i] = running
    return adj


def test_holm_correction_and_verdicts(data, study):
    bm = competitive_benchmark(data, study, correction="holm", alpha=0.05)
    comp = bm[~bm["is_focal"]]
    np.testing.assert_allclose(comp["p_adjusted"], _holm(comp["p_value"].to_numpy()), rtol=1e-12)
    for _, r in comp.iterrows():
        if r["p_adjusted"] >= 0.05:
            assert r["verdict"] == "comparable"
        else:
            assert r["verdict"] == ("superior" if r["diff"] > 0 else "inferior")
    assert (bm.loc[bm["is_focal"], "verdict"] == "focal").all()
    # Beta is planted 0.6 above Acme: superior somewhere, never inferior
    beta = comp[comp["brand"] == "Beta"]
    assert (beta["verdict"] == "superior").any() and not (beta["verdict"] == "inferior").any()
    bonf = competitive_benchmark(data, study, correction="bonferroni")
    np.testing.assert_allclose(bonf.loc[~bonf["is_focal"], "p_adjusted"],
                               np.minimum(1, comp["p_value"] * len(comp)), rtol=1e-12)


def test_correction_family_is_per_segment(data, study):
    bm = competitive_benchmark(data, study, by="segment", correction="holm")
    for seg in ("S1", "S2"):
        comp = bm[(bm["segment"] == seg) & ~bm["is_focal"]]
        np.testing.assert_allclose(comp["p_adjusted"], _holm(comp["p_value"].to_numpy()),
                                   rtol=1e-12)


def test_other_focal_brand(data, study):
    bm = competitive_benchmark(data, study, brand="Beta")
    assert bm.loc[bm["is_focal"], "brand"].unique().tolist() == ["Beta"]
    acme = bm[(bm["brand"] == "Acme")]
    assert (acme["verdict"] != "superior").all()  # Acme is planted below Beta


def test_argument_checks(data, study):
    with pytest.raises(AnalysisError, match="test"):
        competitive_benchmark(data, study, test="anova")
    with pytest.raises(AnalysisError, match="correction"):
        competitive_benchmark(data, study, correction="tukey")
    with pytest.raises(AnalysisError, match="alpha"):
        competitive_benchmark(data, study, alpha=5)
    with pytest.raises(AnalysisError, match="level"):
        brand_performance(data, study, level=95)


def test_caller_frame_untouched(data, study):
    before = data.copy()
    competitive_benchmark(data, study, weights="weight", by="segment")
    pd.testing.assert_frame_equal(data, before)
