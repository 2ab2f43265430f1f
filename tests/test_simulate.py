"""The demo generator: deterministic, in sync with data/demo, and its planted truth recoverable."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import statsmodels.api as sm

from cvmkit.cli import main
from cvmkit.simulate import write_demo


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.suffix in (".csv", ".yaml", ".json")}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_demo(a, seed=7, n=300)
    write_demo(b, seed=7, n=300)
    assert _digest(a) == _digest(b)
    write_demo(b, seed=8, n=300)
    assert _digest(a)["responses.csv"] != _digest(b)["responses.csv"]


def test_bundled_demo_is_what_the_generator_writes(tmp_path, repo):
    assert main(["simulate", "--out", str(tmp_path)]) == 0
    written = _digest(tmp_path)
    assert {"responses.csv", "study.yaml", "truth.json", "transactions.csv"} <= set(written)
    assert written == _digest(repo / "data" / "demo")


def test_demo_shape_and_planted_problems(repo):
    demo = repo / "data" / "demo"
    data = pd.read_csv(demo / "responses.csv")
    truth = json.loads((demo / "truth.json").read_text())
    assert 1150 <= data["resp_id"].nunique() <= 1250
    assert set(data["segment"]) == set(truth["segments"])
    assert set(data["wave"]) == {1, 2}
    dups = data.loc[data["resp_id"].duplicated(), "resp_id"].tolist()
    assert sorted(dups) == sorted(truth["quality"]["duplicate_ids"])
    assert (data.filter(like="perf_") == 99).to_numpy().sum() > 0
    assert data["why_score"].str.contains("@example.com").any()
    assert (demo / "responses.csv").stat().st_size < 1_000_000


def test_overall_value_weights_recovered_by_ols(repo):
    """Plain OLS of the focal brand's overall value on its ratings ~ the planted weights."""
    demo = repo / "data" / "demo"
    data = pd.read_csv(demo / "responses.csv").drop_duplicates("resp_id").replace(99, np.nan)
    truth = json.loads((demo / "truth.json").read_text())
    attrs = list(truth["driver_weights"])
    frame = data[[f"perf_acme_{a}" for a in attrs] + ["overall_value_acme"]].dropna()
    fit = sm.OLS(frame["overall_value_acme"], sm.add_constant(frame.iloc[:, :-1])).fit()
    estimated = fit.params.iloc[1:].to_numpy()
    planted = np.array([truth["driver_weights"][a] for a in attrs])
    assert np.corrcoef(estimated, planted)[0, 1] >= 0.9
