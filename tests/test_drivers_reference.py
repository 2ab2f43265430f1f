"""Driver analysis against recorded output of R relaimpo, rwa, dominanceanalysis and statsmodels.

Provenance of every file read here is in tests/data/README.md.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cvmkit.drivers import (
    dominance,
    logit_coefficients,
    logit_dominance,
    mcfadden_fits,
    ols_coefficients,
    ordered_logit_coefficients,
    relative_importance,
)
from cvmkit.errors import CvmkitWarning

SWISS_DRIVERS = ["Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality"]
RELAIMPO = ["lmg", "first", "last", "betasq", "pratt", "car"]


@pytest.fixture(scope="module")
def swiss(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "swiss.csv")


@pytest.fixture(scope="module")
def relaimpo(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "swiss_relaimpo.csv").set_index("driver")


def _raw(table: pd.DataFrame, method: str) -> pd.Series:
    return table[table["method"] == method].set_index("driver")["raw"]


@pytest.mark.parametrize("method", RELAIMPO)
def test_swiss_equals_relaimpo(swiss, relaimpo, method):
    t = relative_importance(swiss, "Fertility", SWISS_DRIVERS, methods=RELAIMPO)
    got = _raw(t, method).reindex(relaimpo.index)
    np.testing.assert_allclose(got.to_numpy(), relaimpo[method].to_numpy(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(t["r2"].unique(), relaimpo["R2"].unique(), rtol=0, atol=1e-8)


def test_swiss_shares_are_relaimpo_rela(swiss, relaimpo):
    """Shares are relaimpo's rela = TRUE: each metric over its sum, in per cent."""
    t = relative_importance(swiss, "Fertility", SWISS_DRIVERS, methods=RELAIMPO)
    for m in RELAIMPO:
        ref = 100 * relaimpo[m] / relaimpo[m].sum()
        got = t[t["method"] == m].set_index("driver")["share"].reindex(ref.index)
        np.testing.assert_allclose(got, ref, atol=1e-8)


def test_swiss_integer_weights_equal_replicated_rows(swiss):
    """relaimpo weights through cov.wt: integer weights = rows repeated (see data README)."""
    w = np.random.default_rng(7).integers(1, 5, len(swiss))
    rep = swiss.loc[swiss.index.repeat(w)].reset_index(drop=True)
    weighted = relative_importance(swiss, "Fertility", SWISS_DRIVERS, weights=w)
    repeated = relative_importance(rep, "Fertility", SWISS_DRIVERS)
    np.testing.assert_allclose(weighted["raw"], repeated["raw"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(weighted["r2"], repeated["r2"], rtol=0, atol=1e-12)
    # and the weights really matter
    plain = relative_importance(swiss, "Fertility", SWISS_DRIVERS)
    assert np.abs(weighted["raw"] - plain["raw"]).max() > 1e-3


def test_swiss_weighted_matches_wls(swiss):
    """Weighted R², added-last R² and betas equal a statsmodels WLS fit (lm(weights=) in R)."""
    w = np.random.default_rng(3).uniform(0.2, 3.0, len(swiss))
    x = swiss[SWISS_DRIVERS].to_numpy()
    y = swiss["Fertility"].to_numpy()
    full = sm.WLS(y, sm.add_constant(x), weights=w).fit()
    t = relative_importance(swiss, "Fertility", SWISS_DRIVERS, weights=w,
                            methods=["last", "betasq", "first", "pratt", "lmg"])
    assert t["r2"].iloc[0] == pytest.approx(full.rsquared, abs=1e-10)
    last = _raw(t, "last")
    for j, d in enumerate(SWISS_DRIVERS):
        rest = np.delete(x, j, axis=1)
        r2_rest = sm.WLS(y, sm.add_constant(rest), weights=w).fit().rsquared
        assert last[d] == pytest.approx(full.rsquared - r2_rest, abs=1e-10)

    def wsd(v):
        m = np.average(v, weights=w)
        return np.sqrt(np.average((v - m) ** 2, weights=w))

    beta_std = full.params[1:] * np.array([wsd(x[:, j]) for j in range(5)]) / wsd(y)
    np.testing.assert_allclose(_raw(t, "betasq")[SWISS_DRIVERS], beta_std**2, atol=1e-10)
    r_w = [sm.WLS(y, sm.add_constant(x[:, j]), weights=w).fit().rsquared for j in range(5)]
    np.testing.assert_allclose(_raw(t, "first")[SWISS_DRIVERS], r_w, atol=1e-10)
    # LMG from WLS fits of every subset, averaged over orders (an independent route).
    r2 = {(): 0.0}
    for k in range(1, 6):
        for s in itertools.combinations(range(5), k):
            r2[s] = sm.WLS(y, sm.add_constant(x[:, list(s)]), weights=w).fit().rsquared
    lmg = np.zeros(5)
    perms = list(itertools.permutations(range(5)))
    for order in perms:
        seen: tuple[int, ...] = ()
        for j in order:
            now = tuple(sorted((*seen, j)))
            lmg[j] += r2[now] - r2[seen]
            seen = now
    np.testing.assert_allclose(_raw(t, "lmg")[SWISS_DRIVERS], lmg / len(perms), atol=1e-10)


def test_mtcars_relative_weights_equal_rwa(test_data):
    cars = pd.read_csv(test_data / "mtcars.csv")
    ref = pd.read_csv(test_data / "mtcars_rwa.csv").set_index("driver")
    t = relative_importance(cars, "mpg", list(ref.index), methods="relative_weights")
    got = t.set_index("driver").reindex(ref.index)
    np.testing.assert_allclose(got["raw"], ref["raw_rel_weight"], atol=5e-8)
    np.testing.assert_allclose(got["share"], ref["rescaled_rel_weight"], atol=5e-6)
    assert got["r2"].iloc[0] == pytest.approx(ref["r2"].iloc[0], abs=5e-8)


def test_attitude_dominance_equals_dominanceanalysis(test_data):
    att = pd.read_csv(test_data / "attitude.csv")
    ref = pd.read_csv(test_data / "attitude_dominance.csv").fillna("").set_index("driver")
    drivers = list(ref.index)
    t = relative_importance(att, "rating", drivers, methods=["dominance_general", "first"])
    np.testing.assert_allclose(_raw(t, "dominance_general")[drivers],
                               ref["average_contribution"], atol=5e-4)
    np.testing.assert_allclose(_raw(t, "first")[drivers], ref["r2_alone"], atol=5e-4)
    pairs = dominance(att, "rating", drivers)
    for kind, col in (("complete", "completely_dominates"),
                      ("conditional", "conditionally_dominates"),
                      ("general", "generally_dominates")):
        for d in drivers:
            expected = {x for x in ref.loc[d, col].split(";") if x}
            got = set(pairs[(pairs["driver"] == d) & (pairs[kind] == 1.0)]["other"])
            assert got == expected, (kind, d)
    # dominance is antisymmetric
    both = pairs.merge(pairs, left_on=["driver", "other"], right_on=["other", "driver"])
    for kind in ("complete", "conditional", "general"):
        np.testing.assert_array_equal(both[f"{kind}_x"] + both[f"{kind}_y"], 1.0)


# --------------------------------------------------------------------------- models
@pytest.fixture(scope="module")
def binary_data() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(400, 3))
    x[:, 1] += 0.6 * x[:, 0]
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    df["top"] = (x @ [1.2, -0.6, 0.3] + rng.logistic(size=400) > 0.3).astype(int)
    df["score"] = np.clip(np.round(6 + 1.5 * x[:, 0] - x[:, 1] + rng.normal(size=400)), 0, 10)
    df["w"] = rng.integers(1, 4, 400)
    return df


def test_mcfadden_fits_equal_statsmodels(binary_data):
    x = binary_data[["a", "b", "c"]].to_numpy()
    y = binary_data["top"].to_numpy(float)
    w = binary_data["w"].to_numpy(float)
    fits, bad = mcfadden_fits(x, y, np.ones(len(y)))
    fits_w, _ = mcfadden_fits(x, y, w)
    assert bad == 0 and fits[0] == pytest.approx(0, abs=1e-12)
    null_w = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Binomial(), var_weights=w).fit()
    for mask in range(1, 8):
        cols = [j for j in range(3) if mask >> j & 1]
        xs = sm.add_constant(x[:, cols])
        ref = sm.Logit(y, xs).fit(disp=0, tol=1e-12, maxiter=200)
        assert fits[mask] == pytest.approx(ref.prsquared, abs=1e-8)
        ref_w = sm.GLM(y, xs, family=sm.families.Binomial(), var_weights=w).fit(tol=1e-12)
        assert fits_w[mask] == pytest.approx(1 - ref_w.llf / null_w.llf, abs=1e-8)


def test_logit_dominance_sums_to_pseudo_r2(binary_data):
    t = logit_dominance(binary_data, "top", ["a", "b", "c"])
    full = sm.Logit(binary_data["top"], sm.add_constant(binary_data[["a", "b", "c"]])).fit(
        disp=0, tol=1e-12)
    assert t["raw"].sum() == pytest.approx(full.prsquared, abs=1e-8)
    assert t["share"].sum() == pytest.approx(100)
    assert t.loc[t["rank"] == 1, "driver"].item() == "a"
    pairs = logit_dominance(binary_data, "top", ["a", "b", "c"], table="pairs")
    assert set(pairs.columns) == {"driver", "other", "complete", "conditional", "general"}
    cond = logit_dominance(binary_data, "top", ["a", "b", "c"], table="conditional")
    np.testing.assert_allclose(cond.groupby("driver", sort=False)["contribution"].mean(),
                               t["raw"], atol=1e-12)
    top = logit_dominance(binary_data, "score", ["a", "b", "c"], top_box=9)
    assert top["method"].eq("dominance_general_mcfadden").all()


def test_ols_hc3_by_hand(binary_data):
    """HC3: (X'WX)⁻¹ X'W diag(e²/(1-h)²) W X (X'WX)⁻¹ on the weighted design, computed here."""
    d = binary_data
    t = ols_coefficients(d, "score", ["a", "b", "c"], weights="w")
    x = sm.add_constant(d[["a", "b", "c"]].to_numpy())
    y = d["score"].to_numpy(float)
    w = d["w"].to_numpy(float)
    xs, ys = x * np.sqrt(w)[:, None], y * np.sqrt(w)
    bread = np.linalg.inv(xs.T @ xs)
    beta = bread @ xs.T @ ys
    e = ys - xs @ beta
    h = np.einsum("ij,jk,ik->i", xs, bread, xs)
    cov = bread @ (xs.T * (e / (1 - h)) ** 2) @ xs @ bread
    np.testing.assert_allclose(t["estimate"], beta, atol=1e-10)
    np.testing.assert_allclose(t["std_error"], np.sqrt(np.diag(cov)), atol=1e-10)
    assert list(t["driver"]) == ["(intercept)", "a", "b", "c"]
    assert (t["lower"] < t["estimate"]).all() and (t["estimate"] < t["upper"]).all()


def test_ordered_logit_weights_equal_replicated_rows(binary_data):
    d = binary_data
    weighted = ordered_logit_coefficients(d, "score", ["a", "b", "c"], weights="w")
    rep = d.loc[d.index.repeat(d["w"])]
    repeated = ordered_logit_coefficients(rep, "score", ["a", "b", "c"])
    np.testing.assert_allclose(weighted["estimate"], repeated["estimate"], atol=1e-4)
    assert weighted["r2"].iloc[0] == pytest.approx(repeated["r2"].iloc[0], abs=1e-6)
    # unweighted pseudo-R² as statsmodels computes it
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    codes = np.searchsorted(np.unique(d["score"]), d["score"])
    ref = OrderedModel(codes, d[["a", "b", "c"]].to_numpy(), distr="logit").fit(
        method="bfgs", disp=0, maxiter=5000, gtol=1e-9)
    plain = ordered_logit_coefficients(d, "score", ["a", "b", "c"])
    np.testing.assert_allclose(plain["estimate"][:3], ref.params[:3], atol=1e-5)
    assert plain["r2"].iloc[0] == pytest.approx(ref.prsquared, abs=1e-6)


def test_ordered_logit_matches_statsmodels_ordered_model(binary_data):
    """Estimates and standard errors (model-based, and the weighted pseudo-likelihood's HC0
    sandwich) against statsmodels' ``OrderedModel``, whose log-likelihood is weighted here the
    same way; its derivatives are numerical, hence the tolerances."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    class WeightedOrderedModel(OrderedModel):
        def __init__(self, endog, exog, obs_weights, **kwds):
            super().__init__(endog, exog, **kwds)
            self.obs_weights = obs_weights

        def loglikeobs(self, params):
            return self.obs_weights * super().loglikeobs(params)

    d = binary_data
    x = d[["a", "b", "c"]].to_numpy()
    codes = np.searchsorted(np.unique(d["score"]), d["score"])
    for weights in (None, "w"):
        w = d["w"].to_numpy(float) if weights else np.ones(len(d))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = WeightedOrderedModel(codes, x, w, distr="logit").fit(
                method="bfgs", disp=0, maxiter=5000, gtol=1e-9,
                cov_type="HC0" if weights else "nonrobust")
        t = ordered_logit_coefficients(d, "score", ["a", "b", "c"], weights=weights)
        np.testing.assert_allclose(t["estimate"][:3], ref.params[:3], atol=1e-6)
        np.testing.assert_allclose(t["std_error"][:3], ref.bse[:3], rtol=1e-4)
        # statsmodels holds the first threshold, then the logs of the steps between them
        cuts = np.cumsum(np.r_[ref.params[3], np.exp(ref.params[4:])])
        np.testing.assert_allclose(t["estimate"][3:], cuts, atol=1e-5)
        levels = np.unique(d["score"])
        assert t["driver"][3:].tolist() == [f"(threshold {a:g}|{b:g})"
                                            for a, b in zip(levels[:-1], levels[1:])]
        assert t["std_estimate"][3:].isna().all() and (t["std_error"] > 0).all()
        # their standard errors by the delta method through that transformation
        steps = np.exp(ref.params[4:])
        jac = np.tril(np.ones((len(cuts), len(cuts)))) * np.r_[1.0, steps]
        cov = jac @ np.asarray(ref.cov_params())[3:, 3:] @ jac.T
        np.testing.assert_allclose(t["std_error"][3:], np.sqrt(np.diag(cov)), rtol=1e-4)


def test_ordered_logit_separation_warns():
    d = pd.DataFrame({"a": np.arange(30.0)})
    d["y"] = np.repeat([1, 2, 3], 10)  # the driver orders the outcome perfectly
    with pytest.warns(CvmkitWarning, match="did not converge"):
        ordered_logit_coefficients(d, "y", ["a"])


def test_logit_coefficients_weighted_equal_replicated(binary_data):
    d = binary_data
    weighted = logit_coefficients(d, "top", ["a", "b", "c"], weights="w")
    rep = d.loc[d.index.repeat(d["w"])]
    repeated = logit_coefficients(rep, "top", ["a", "b", "c"])
    np.testing.assert_allclose(weighted["estimate"], repeated["estimate"], atol=1e-8)
    assert weighted["r2"].iloc[0] == pytest.approx(repeated["r2"].iloc[0], abs=1e-10)
    ref = sm.Logit(d["top"], sm.add_constant(d[["a", "b", "c"]])).fit(disp=0)
    plain = logit_coefficients(d, "top", ["a", "b", "c"])
    np.testing.assert_allclose(plain["std_error"], ref.bse, rtol=1e-5)
