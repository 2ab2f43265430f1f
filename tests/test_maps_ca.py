"""Correspondence analysis against FactoMineR, plus its defining properties."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chi2_contingency

from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.maps import ca_eigenvalues, correspondence_analysis

TOL = 1e-10


@pytest.fixture(scope="module")
def smoke(test_data) -> pd.DataFrame:
    return pd.read_csv(test_data / "smoke.csv", index_col=0)


def _coords(points: pd.DataFrame, kind: str, k: int) -> np.ndarray:
    return points.loc[points["kind"] == kind, [f"dim{j + 1}" for j in range(k)]].to_numpy()


def _match_signs(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Flip each axis of ``ours`` to agree with ``ref`` (CA axes are defined up to sign)."""
    return ours * np.sign(np.sum(ours * ref, axis=0))


def test_eigenvalues_match_factominer(smoke, test_data):
    ref = pd.read_csv(test_data / "smoke_ca_eigenvalues.csv", index_col=0)
    ev = ca_eigenvalues(smoke)
    assert len(ev) == len(ref) == 3
    np.testing.assert_allclose(ev["eigenvalue"], ref["eigenvalue"], rtol=0, atol=TOL)
    np.testing.assert_allclose(ev["percent"], ref["percentage of variance"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(ev["cumulative_percent"],
                               ref["cumulative percentage of variance"], rtol=0, atol=1e-9)


def test_principal_coordinates_match_factominer(smoke, test_data):
    rows = pd.read_csv(test_data / "smoke_ca_row_coord.csv", index_col=0)
    cols = pd.read_csv(test_data / "smoke_ca_col_coord.csv", index_col=0)
    pts = correspondence_analysis(smoke)
    assert pts.loc[pts["kind"] == "row", "point"].tolist() == rows.index.tolist()
    assert pts.loc[pts["kind"] == "column", "point"].tolist() == cols.index.tolist()
    f = _coords(pts, "row", 3)
    g = _coords(pts, "column", 3)
    sign = np.sign(np.sum(f * rows.to_numpy(), axis=0))
    np.testing.assert_allclose(f * sign, rows.to_numpy(), rtol=0, atol=TOL)
    # the same sign flip must serve the columns: rows and columns share their axes
    np.testing.assert_allclose(g * sign, cols.to_numpy(), rtol=0, atol=TOL)


def test_total_inertia_is_chi_square_over_n(smoke):
    chi2 = chi2_contingency(smoke.to_numpy(), correction=False)[0]
    assert ca_eigenvalues(smoke)["eigenvalue"].sum() == pytest.approx(
        chi2 / smoke.to_numpy().sum(), abs=1e-14)


def test_contributions_and_cos2(smoke):
    pts = correspondence_analysis(smoke)
    ev = ca_eigenvalues(smoke)["eigenvalue"].to_numpy()
    for kind in ("row", "column"):
        block = pts[pts["kind"] == kind]
        for j in range(3):
            assert block[f"ctr{j + 1}"].sum() == pytest.approx(100.0, abs=1e-10)
        # cos² over all axes sums to one for active points
        cos2 = block[["cos2_1", "cos2_2", "cos2_3"]].sum(axis=1)
        np.testing.assert_allclose(cos2, 1.0, atol=1e-12)
        # inertia of a cloud is the total inertia
        assert block["inertia"].sum() == pytest.approx(ev.sum(), abs=1e-14)
    # masses are the margins
    n = smoke.to_numpy().sum()
    np.testing.assert_allclose(pts.loc[pts["kind"] == "row", "mass"],
                               smoke.sum(axis=1) / n, atol=1e-15)


def test_supplementary_row_equal_to_an_active_row_lands_on_it(smoke):
    sup = smoke.loc[["JE"]].rename(index={"JE": "copy of JE"}) * 3  # profiles ignore scale
    pts = correspondence_analysis(smoke, supplementary_rows=sup, supplementary_row_kind="ideal")
    active = _coords(pts[pts["point"] == "JE"], "row", 3)
    projected = _coords(pts, "ideal", 3)
    np.testing.assert_allclose(projected, active, atol=1e-13)
    got = pts[pts["kind"] == "ideal"]
    assert not got["active"].iloc[0]
    assert np.isnan(got["ctr1"].iloc[0])  # supplementary points contribute nothing
    np.testing.assert_allclose(got[["cos2_1", "cos2_2", "cos2_3"]].sum(axis=1), 1.0,
                               atol=1e-12)


def test_supplementary_column(smoke):
    sup = smoke[["heavy"]].rename(columns={"heavy": "heavy again"})
    pts = correspondence_analysis(smoke, supplementary_columns=sup)
    np.testing.assert_allclose(_coords(pts, "supplementary column", 3),
                               _coords(pts[pts["point"] == "heavy"], "column", 3), atol=1e-13)


def test_n_dims_and_labels(smoke):
    pts = correspondence_analysis(smoke, n_dims=2, row_kind="staff", column_kind="smoking",
                                  labels={"SM": "Senior managers"})
    assert "dim3" not in pts and "dim2" in pts
    assert pts.loc[pts["point"] == "SM", "label"].item() == "Senior managers"
    assert set(pts["kind"]) == {"staff", "smoking"}
    with pytest.raises(AnalysisError, match="n_dims"):
        correspondence_analysis(smoke, n_dims=0)


def test_caller_table_untouched(smoke):
    before = smoke.copy()
    correspondence_analysis(smoke, supplementary_rows=smoke.iloc[:1])
    pd.testing.assert_frame_equal(smoke, before)


# ------------------------------------------------------------------ bad input
def test_empty_row_is_a_flagged_omission(smoke):
    t = smoke.copy()
    t.loc["XX"] = 0
    with pytest.warns(CvmkitWarning, match="row 'XX' is empty"):
        pts = correspondence_analysis(t)
    xx = pts[pts["point"] == "XX"]
    assert len(xx) == 1 and np.isnan(xx["dim1"].item())
    assert "empty row" in xx["note"].item()
    # the rest is exactly the analysis without that row
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clean = correspondence_analysis(smoke)
    np.testing.assert_allclose(_coords(pts, "row", 3)[:5], _coords(clean, "row", 3), atol=1e-14)


def test_all_missing_row_is_a_flagged_omission(smoke):
    t = smoke.astype(float)
    t.loc["YY"] = np.nan
    with pytest.warns(CvmkitWarning, match="row 'YY' is empty"):
        ev = ca_eigenvalues(t)
    np.testing.assert_allclose(ev["eigenvalue"], ca_eigenvalues(smoke)["eigenvalue"], atol=1e-15)


def test_missing_cell_is_an_error(smoke):
    t = smoke.astype(float)
    t.loc["JM", "light"] = np.nan
    with pytest.raises(DataError, match=r"cell \('JM', 'light'\) is missing"):
        correspondence_analysis(t)


def test_negative_cell_is_an_error(smoke):
    t = smoke.copy()
    t.loc["SE", "none"] = -1
    with pytest.raises(DataError, match=r"\('SE', 'none'\).*non-negative"):
        correspondence_analysis(t)


def test_too_small_or_flat_tables():
    with pytest.raises(AnalysisError, match="at least 2 rows"):
        correspondence_analysis(pd.DataFrame({"a": [1.0], "b": [2.0]}))
    flat = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 4.0]}, index=["x", "y"])
    with pytest.raises(AnalysisError, match="no inertia"):
        correspondence_analysis(flat)


def test_non_numeric_column():
    t = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=["r", "s"])
    with pytest.raises(DataError, match="column 'b' is not numeric"):
        correspondence_analysis(t)


# ------------------------------------------------------------------ properties
tables = arrays(np.float64, st.tuples(st.integers(3, 6), st.integers(3, 5)),
                elements=st.integers(1, 40).map(float))


@settings(max_examples=40, deadline=None)
@given(tables, st.floats(0.1, 50))
def test_scaling_the_table_changes_nothing(a, factor):
    t = pd.DataFrame(a, index=[f"r{i}" for i in range(a.shape[0])],
                     columns=[f"c{j}" for j in range(a.shape[1])])
    try:
        p1 = correspondence_analysis(t)
    except AnalysisError:  # an independent table has no inertia at all
        return
    p2 = correspondence_analysis(t * factor)
    k = sum(c.startswith("dim") for c in p1.columns)
    np.testing.assert_allclose(_coords(p2, "row", k), _coords(p1, "row", k), atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(tables)
def test_transposing_swaps_rows_and_columns(a):
    t = pd.DataFrame(a, index=[f"r{i}" for i in range(a.shape[0])],
                     columns=[f"c{j}" for j in range(a.shape[1])])
    try:
        p = correspondence_analysis(t)
    except AnalysisError:
        return
    pt = correspondence_analysis(t.T)
    ev, evt = ca_eigenvalues(t)["eigenvalue"], ca_eigenvalues(t.T)["eigenvalue"]
    np.testing.assert_allclose(ev, evt, atol=1e-12)
    k = sum(c.startswith("dim") for c in p.columns)
    rows, cols_t = _coords(p, "row", k), _coords(pt, "column", k)
    np.testing.assert_allclose(np.abs(rows), np.abs(cols_t), atol=1e-9)
    # the barycentric (transition) relation: rows are weighted means of column standard coords
    g = _coords(p, "column", k)
    prof = (t.to_numpy() / t.to_numpy().sum(axis=1, keepdims=True))
    np.testing.assert_allclose(prof @ (g / np.sqrt(ev.to_numpy()[:k])), rows, atol=1e-9)
