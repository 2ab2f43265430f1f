"""Customer economics: CLV by hand, retention and tiers on small tables, bad input, demo."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cvmkit.economics import (
    cac_by_channel,
    clean_transactions,
    clv,
    clv_table,
    clv_to_cac,
    order_metrics,
    pareto_curve,
    read_transactions,
    retention_by_cohort,
    retention_rate,
    transaction_columns,
    transaction_issues,
    value_tiers,
)
from cvmkit.errors import AnalysisError, CvmkitWarning, DataError
from cvmkit.plots import plot_clv, plot_clv_cac, plot_pareto, plot_retention, plot_value_tiers
from cvmkit.simulate.transactions import simulate_transactions, write_transactions


# --------------------------------------------------------------------------- CLV formula
def test_clv_infinite_and_finite_by_hand():
    # m = 100, r = .8, d = .1: q = .8 / 1.1
    q = 0.8 / 1.1
    assert clv(100, 0.8, 0.1) == pytest.approx(100 * 1.1 / 0.3)          # 366.67
    assert clv(100, 0.8, 0.1, timing="end") == pytest.approx(100 * 0.8 / 0.3)  # 266.67
    assert clv(100, 0.8, 0.1, horizon=3) == pytest.approx(100 * (1 + q + q**2))
    assert clv(100, 0.8, 0.1, horizon=3, timing="end") == pytest.approx(100 * (q + q**2 + q**3))
    # a long finite horizon tends to the infinite one
    assert clv(100, 0.8, 0.1, horizon=400) == pytest.approx(clv(100, 0.8, 0.1))
    # no discounting, full retention: every period counts once
    assert clv(10, 1.0, 0.0, horizon=4) == pytest.approx(40)
    assert clv(np.array([10.0, 20.0]), 0.5, 0.0).tolist() == pytest.approx([20.0, 40.0])


def test_clv_bad_parameters():
    with pytest.raises(AnalysisError, match="diverges"):
        clv(10, 1.0, 0.0)
    with pytest.raises(AnalysisError, match="retention"):
        clv(10, 1.2, 0.1, horizon=3)
    with pytest.raises(AnalysisError, match="horizon"):
        clv(10, 0.5, 0.1, horizon=0)
    with pytest.raises(AnalysisError, match="timing"):
        clv(10, 0.5, 0.1, timing="middle")


# --------------------------------------------------------------------------- small tables
def _tx() -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "acquired": ["2022-03-01", "2022-06-01", "2023-02-01", "2023-05-01"],
        "channel": ["web", "web", "shop", "shop"],
        "segment": ["x", "y", "x", "y"]})
    tx = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "c", "c", "c", "d"],
        "date": ["2022-03-01", "2023-01-10", "2023-07-01", "2024-02-02", "2022-06-01",
                 "2022-09-01", "2023-02-01", "2024-03-03", "2024-04-04", "2023-05-01"],
        "amount": [10.0, 20.0, 30.0, 40.0, 5.0, 5.0, 8.0, 12.0, 16.0, 4.0]})
    return tx, customers


def test_retention_by_cohort_by_hand():
    tx, cust = _tx()
    out = retention_by_cohort(tx, cust, end="2024-12-31")
    # cohort 2022 (a, b): 2022 both active; 2023 a only; 2024 a -> retention 1/2 then 1/1
    c22 = out[out["cohort"] == "2022"].set_index("period_index")
    assert c22["active"].tolist() == [2, 1, 1]
    assert c22.loc[1, "retention"] == pytest.approx(0.5)
    assert c22.loc[2, "retention"] == pytest.approx(1.0)
    assert c22["survival"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    # cohort 2023 (c, d): 2024 c only -> 1/2
    c23 = out[out["cohort"] == "2023"].set_index("period_index")
    assert c23.loc[1, ["at_risk", "retained"]].tolist() == [2, 1]


def test_pooled_retention_with_wilson_interval_by_hand():
    tx, cust = _tx()
    out = retention_rate(tx, cust, end="2024-12-31").iloc[0]
    # at risk: 2022->23 a, b; 2023->24 a, c, d; retained: a, a, c -> 3 / 5
    assert (out["at_risk"], out["retained"]) == (5, 3)
    z = 1.959963984540054
    p, n = 0.6, 5
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert out["ci_low"] == pytest.approx(centre - half)
    assert out["ci_high"] == pytest.approx(centre + half)
    assert out["churn"] == pytest.approx(0.4)
    seg = retention_rate(tx, cust, by="segment", end="2024-12-31").set_index("segment")
    assert seg.loc["x", "retention"] == pytest.approx(1.0)      # a: 2/2, c: 1/1
    assert seg.loc["y", "retention"] == pytest.approx(0.0)      # b, d lapse


def test_incomplete_last_period_is_left_out():
    tx, cust = _tx()
    # observation ends mid-2024: 2024 is not a full year, so only 2022 -> 2023 counts
    out = retention_rate(tx, cust, end="2024-06-30").iloc[0]
    assert (out["at_risk"], out["retained"]) == (2, 1)


def test_order_metrics_by_hand():
    tx, cust = _tx()
    out = order_metrics(tx, cust, end="2024-12-31").iloc[0]
    assert out["orders"] == 10 and out["revenue"] == pytest.approx(150.0)
    assert out["aov"] == pytest.approx(15.0)
    # full periods after acquisition: a 2023 (2 orders), a 2024 (1), c 2024 (2) -> 5 / 3
    assert out["frequency"] == pytest.approx(5 / 3)
    assert out["revenue_per_period"] == pytest.approx((20 + 30 + 40 + 12 + 16) / 3)


def test_value_tiers_and_pareto_by_hand():
    tx, _ = _tx()
    # revenue: a 100, c 36, b 10, d 4 (total 150)
    tiers = value_tiers(tx, n_tiers=2)
    assert tiers["revenue"].tolist() == [136.0, 14.0]
    assert tiers["share_of_revenue"].tolist() == pytest.approx([136 / 150, 14 / 150])
    assert tiers["times_bottom"].tolist() == pytest.approx([136 / 14, 1.0])
    curve = pareto_curve(tx, points=5)
    assert curve["share_revenue"].tolist() == pytest.approx([0, 100 / 150, 136 / 150,
                                                             146 / 150, 1.0])
    with pytest.raises(AnalysisError, match="cannot fill"):
        value_tiers(tx, n_tiers=10)


def test_cac_and_clv_to_cac_by_hand():
    _, cust = _tx()
    spend = pd.DataFrame({"year": [2022, 2023], "channel": ["web", "shop"],
                          "spend": [50.0, 30.0]})
    cac = cac_by_channel(cust, spend).set_index("channel")
    assert cac.loc["web", "cac"] == pytest.approx(25.0)
    assert cac.loc["shop", "cac"] == pytest.approx(15.0)
    joined = clv_to_cac(pd.DataFrame({"channel": ["web", "shop"],
                                      "clv_infinite": [100.0, 30.0]}), cac.reset_index())
    assert joined.set_index("channel")["clv_to_cac"].to_dict() == {"web": 4.0, "shop": 2.0}


# --------------------------------------------------------------------------- bad input
def test_negative_spend_is_an_error_or_a_counted_exclusion():
    tx, cust = _tx()
    tx.loc[4, "amount"] = -5.0
    with pytest.raises(DataError, match=r"negative amount -5 in row 4"):
        retention_rate(tx, cust)
    with pytest.raises(DataError, match="negative amount"):
        value_tiers(tx)
    issues = transaction_issues(tx, customers=cust)
    assert issues[["row", "rule"]].values.tolist() == [[4, "negative amount"]]
    with pytest.warns(CvmkitWarning, match=r"1 row\(s\) of 10 left out \(negative amount: 1\)"):
        clean = clean_transactions(tx, customers=cust)
    assert len(clean) == 9 and len(tx) == 10


def test_transactions_dated_before_acquisition():
    tx, cust = _tx()
    tx.loc[6, "date"] = "2022-12-31"   # c was acquired on 2023-02-01
    with pytest.raises(DataError, match=r"row 6 of customer 'c' is dated 2022-12-31, before "
                                        r"the acquisition date 2023-02-01"):
        order_metrics(tx, cust)
    with pytest.warns(CvmkitWarning, match="dated before acquisition: 1"):
        clean = clean_transactions(tx, customers=cust)
    assert 6 not in clean.index
    retention_rate(clean, cust)  # runs once the row is gone


def test_negative_acquisition_spend_and_unknown_customer_and_bad_date():
    tx, cust = _tx()
    spend = pd.DataFrame({"year": [2022], "channel": ["web"], "spend": [-1.0]})
    with pytest.raises(DataError, match="negative spend"):
        cac_by_channel(cust, spend)
    with pytest.raises(DataError, match="customer 'zz' in row 10 is not in the customers"):
        retention_rate(pd.concat([tx, pd.DataFrame({"customer_id": ["zz"], "date":
                                                    ["2024-01-01"], "amount": [1.0]})],
                                 ignore_index=True), cust)
    tx.loc[2, "date"] = "not a date"
    with pytest.raises(DataError, match="'not a date' in row 2 is not a date"):
        retention_by_cohort(tx, cust)
    with pytest.raises(DataError, match=r"column\(s\) \['spend'\] not found"):
        cac_by_channel(cust, spend.drop(columns="spend"))


def test_input_frames_are_not_modified():
    tx, cust = _tx()
    before = tx.copy(), cust.copy()
    clv_table(tx, cust, by="segment", margin_rate=0.3, discount_rate=0.1, end="2024-12-31")
    pd.testing.assert_frame_equal(tx, before[0])
    pd.testing.assert_frame_equal(cust, before[1])


# --------------------------------------------------------------------------- demo
@pytest.fixture(scope="module")
def demo(repo):
    from cvmkit.study import load_study

    study = load_study(repo / "data" / "demo" / "study.yaml")
    frames = read_transactions(study)
    truth = json.loads((repo / "data" / "demo" / "truth.json").read_text())["transactions"]
    return study, frames, truth


def test_demo_files_are_what_the_generator_writes(tmp_path, repo):
    paths, truth = write_transactions(tmp_path, seed=2026)
    for name, path in paths.items():
        assert path.read_bytes() == (repo / "data" / "demo" / path.name).read_bytes(), name
    a, _ = simulate_transactions(seed=3)
    b, _ = simulate_transactions(seed=3)
    pd.testing.assert_frame_equal(a["transactions"], b["transactions"])
    assert sum(p.stat().st_size for p in paths.values()) < 250_000


def test_demo_planted_retention_recovered_within_interval(demo):
    study, f, truth = demo
    cols = transaction_columns(study)
    out = retention_rate(f["transactions"], f["customers"], by="segment",
                         end=truth["observation_end"], **cols).set_index("segment")
    for seg, r in truth["retention"].items():
        assert out.loc[seg, "ci_low"] <= r <= out.loc[seg, "ci_high"], seg


def test_demo_spend_cac_and_clv(demo):
    study, f, truth = demo
    cols = transaction_columns(study)
    spec = study.transactions
    om = order_metrics(f["transactions"], f["customers"], by="segment", **cols).set_index(
        "segment")
    for seg in truth["aov"]:
        assert om.loc[seg, "aov"] == pytest.approx(truth["aov"][seg], rel=0.05)
        assert om.loc[seg, "frequency"] == pytest.approx(truth["orders_per_year"][seg], rel=0.08)
    cac = cac_by_channel(f["customers"], f["acquisition"], spend=spec["spend"],
                         spend_period=spec["spend_period"]).set_index("channel")
    for ch, planted in truth["cac"].items():
        assert cac.loc[ch, "cac"] == pytest.approx(planted, abs=0.01)
    table = clv_table(f["transactions"], f["customers"], by="segment",
                      margin_rate=spec["margin_rate"], discount_rate=spec["discount_rate"],
                      horizon=spec["horizon"], **cols).set_index("segment")
    # ranking of segments by CLV is the planted one
    planted = sorted(truth["clv_infinite"], key=truth["clv_infinite"].get)
    assert table["clv_infinite"].sort_values().index.tolist() == planted
    for seg, v in truth["clv_infinite"].items():
        assert table.loc[seg, "clv_infinite"] == pytest.approx(v, rel=0.25)


def test_plots_draw_the_tables(demo):
    study, f, truth = demo
    cols = transaction_columns(study)
    coh = retention_by_cohort(f["transactions"], f["customers"], **cols)
    ax = plot_retention(coh)
    assert len([ln for ln in ax.get_lines() if ln.get_gid() == "curve"]) == 4
    table = clv_table(f["transactions"], f["customers"], by="segment", margin_rate=0.35,
                      discount_rate=0.1, **cols)
    ax = plot_clv(table, "segment", currency="£")
    assert len([p for p in ax.patches if p.get_gid() == "bar"]) == 6
    cac = cac_by_channel(f["customers"], f["acquisition"])
    by_channel = clv_table(f["transactions"], f["customers"], by="channel", margin_rate=0.35,
                           discount_rate=0.1, **cols)
    ax = plot_clv_cac(clv_to_cac(by_channel, cac))
    assert [t.get_text() for t in ax.get_xticklabels()] == sorted(truth["cac"])
    ax = plot_pareto(pareto_curve(f["transactions"]))
    assert ax.get_lines()[1].get_ydata()[-1] == pytest.approx(1.0)
    ax = plot_value_tiers(value_tiers(f["transactions"]))
    assert len(ax.patches) == 10
