"""A synthetic transactions history for the demo study, with planted retention and spend.

Next to the survey, the demo brand's customer records: who was acquired when and through which
channel, every order since, and what each channel cost.  What is planted (``truth.json`` under
``"transactions"``):

* **customers** — 120 acquired in each year 2022–2025 (the acquisition date uniform in the year),
  each in one of the survey's three segments (with the survey's segment shares) and one of four
  acquisition channels, whose mix differs by segment;
* **retention** — a customer stays active from one year to the next with the planted probability
  of their segment and, once lapsed, never comes back; an active customer orders at least once a
  year, so "active" and "still a customer" coincide and the observed year-on-year retention
  estimates the planted rate without bias;
* **spend** — in a full year an active customer places ``1 + Poisson(λ − 1)`` orders (mean ``λ``
  per segment), in the acquisition year ``1 + Poisson((λ − 1) · f)`` with ``f`` the part of the
  year left; order values are gamma-distributed around the segment's average order value;
* **acquisition spend** — per channel and year, the planted CAC times the customers that channel
  brought in that year, so CAC is recovered exactly;
* **economics** — margin rate, discount rate and horizon, and the CLV per segment they imply by
  the retention-based formula of :func:`cvmkit.economics.clv` (margin at the start of each year).

It draws from its own random stream (``numpy.random.default_rng([seed, 7])``), so adding it
leaves every survey file byte-identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["simulate_transactions", "transactions_spec", "write_transactions"]

#: Planted economics per segment: (retention per year, orders per full year, average order £).
SEGMENT_ECONOMICS = {
    "Connoisseurs": (0.80, 6.0, 8.50),
    "Commuters": (0.70, 9.0, 5.20),
    "Budget": (0.55, 4.0, 3.80),
}
#: Segment shares among customers (as in the survey).
SEGMENT_SHARES = {"Connoisseurs": 0.40, "Commuters": 0.35, "Budget": 0.25}
#: Planted acquisition cost per new customer, £, by channel.
CHANNEL_CAC = {"Search": 24.0, "Social": 18.0, "Referral": 9.0, "Events": 35.0}
#: Channel mix of each segment's new customers.
CHANNEL_MIX = {
    "Connoisseurs": {"Search": 0.30, "Social": 0.15, "Referral": 0.35, "Events": 0.20},
    "Commuters": {"Search": 0.40, "Social": 0.30, "Referral": 0.20, "Events": 0.10},
    "Budget": {"Search": 0.25, "Social": 0.50, "Referral": 0.10, "Events": 0.15},
}
COHORT_YEARS = (2022, 2023, 2024, 2025)
N_PER_COHORT = 120
MARGIN_RATE = 0.35
DISCOUNT_RATE = 0.10
HORIZON = 5
_ORDER_SHAPE = 6.0  # gamma shape of order values (coefficient of variation ≈ 0.41)
_STREAM = 7  # this generator's random stream, independent of the survey's


def simulate_transactions(seed: int = 2026) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Customers, their orders and the acquisition spend, with the planted truth.

    Parameters
    ----------
    seed : int
        The demo seed; the stream used is ``default_rng([seed, 7])``.

    Returns
    -------
    frames : dict
        ``{"transactions", "customers", "acquisition"}`` DataFrames.
    truth : dict
        The planted values (JSON-ready).

    Examples
    --------
    >>> frames, truth = simulate_transactions(seed=1)
    >>> sorted(frames)
    ['acquisition', 'customers', 'transactions']
    >>> truth["retention"]["Budget"]
    0.55
    """
    rng = np.random.default_rng([seed, _STREAM])
    segs = list(SEGMENT_ECONOMICS)
    chans = list(CHANNEL_CAC)
    seg_p = np.array([SEGMENT_SHARES[s] for s in segs])
    customers, orders = [], []
    k = 0
    end_year = COHORT_YEARS[-1]
    for year in COHORT_YEARS:
        start = pd.Timestamp(year, 1, 1)
        days_in_year = (pd.Timestamp(year + 1, 1, 1) - start).days
        for _ in range(N_PER_COHORT):
            k += 1
            cid = f"C{k:04d}"
            seg = segs[rng.choice(len(segs), p=seg_p)]
            mix = np.array([CHANNEL_MIX[seg][c] for c in chans])
            chan = chans[rng.choice(len(chans), p=mix)]
            retention, lam, aov = SEGMENT_ECONOMICS[seg]
            acq_day = int(rng.integers(0, days_in_year))
            acquired = start + pd.Timedelta(days=acq_day)
            customers.append((cid, acquired, chan, seg))
            # acquisition year: the first order on the acquisition day, more in the rest of it
            left = (days_in_year - acq_day) / days_in_year
            extra = rng.poisson((lam - 1) * left)
            days = [acq_day] + sorted(rng.integers(acq_day, days_in_year, extra).tolist())
            orders += [(cid, start + pd.Timedelta(days=int(d))) for d in days]
            for y in range(year + 1, end_year + 1):
                if rng.random() >= retention:
                    break
                ys = pd.Timestamp(y, 1, 1)
                n_days = (pd.Timestamp(y + 1, 1, 1) - ys).days
                n_orders = 1 + rng.poisson(lam - 1)
                orders += [(cid, ys + pd.Timedelta(days=int(d)))
                           for d in sorted(rng.integers(0, n_days, n_orders).tolist())]
    cust = pd.DataFrame(customers, columns=["customer_id", "acquired", "channel", "segment"])
    tx = pd.DataFrame(orders, columns=["customer_id", "date"])
    aov_of = cust.set_index("customer_id")["segment"].map(
        {s: v[2] for s, v in SEGMENT_ECONOMICS.items()})
    mean = tx["customer_id"].map(aov_of).to_numpy()
    tx["amount"] = np.round(rng.gamma(_ORDER_SHAPE, mean / _ORDER_SHAPE), 2).clip(0.5)
    tx = tx.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
    cust["year"] = cust["acquired"].dt.year
    acq = (cust.groupby(["year", "channel"]).size().rename("new").reset_index())
    acq["spend"] = np.round(acq["channel"].map(CHANNEL_CAC) * acq["new"], 2)
    acq = acq[["year", "channel", "spend"]]
    cust = cust.drop(columns="year")
    for f in (cust, tx):
        for c in ("acquired", "date"):
            if c in f:
                f[c] = f[c].dt.strftime("%Y-%m-%d")
    return {"transactions": tx, "customers": cust, "acquisition": acq}, _truth(seed)


def _truth(seed: int) -> dict[str, Any]:
    from ..economics import clv

    margin = {s: round(v[1] * v[2] * MARGIN_RATE, 6) for s, v in SEGMENT_ECONOMICS.items()}
    return {
        "seed_stream": [seed, _STREAM],
        "period": "year",
        "cohorts": list(COHORT_YEARS),
        "customers_per_cohort": N_PER_COHORT,
        "observation_end": f"{COHORT_YEARS[-1]}-12-31",
        "segment_shares": dict(SEGMENT_SHARES),
        "retention": {s: v[0] for s, v in SEGMENT_ECONOMICS.items()},
        "orders_per_year": {s: v[1] for s, v in SEGMENT_ECONOMICS.items()},
        "aov": {s: v[2] for s, v in SEGMENT_ECONOMICS.items()},
        "margin_rate": MARGIN_RATE,
        "discount_rate": DISCOUNT_RATE,
        "horizon": HORIZON,
        "margin_per_year": margin,
        "clv_finite": {s: round(clv(margin[s], v[0], DISCOUNT_RATE, HORIZON), 6)
                       for s, v in SEGMENT_ECONOMICS.items()},
        "clv_infinite": {s: round(clv(margin[s], v[0], DISCOUNT_RATE), 6)
                         for s, v in SEGMENT_ECONOMICS.items()},
        "cac": dict(CHANNEL_CAC),
        "channel_mix": {s: dict(m) for s, m in CHANNEL_MIX.items()},
        "clv_timing": "start",
    }


def transactions_spec() -> dict[str, Any]:
    """The study's ``transactions:`` entry for the demo files."""
    return {
        "path": "transactions.csv",
        "customer": "customer_id",
        "date": "date",
        "amount": "amount",
        "customers": "customers.csv",
        "acquired": "acquired",
        "channel": "channel",
        "segment": "segment",
        "acquisition": "acquisition.csv",
        "spend": "spend",
        "spend_period": "year",
        "period": "Y",
        "margin_rate": MARGIN_RATE,
        "discount_rate": DISCOUNT_RATE,
        "horizon": HORIZON,
    }


def write_transactions(out_dir: str | Path, seed: int = 2026
                       ) -> tuple[dict[str, Path], dict[str, Any]]:
    """Write ``transactions.csv``, ``customers.csv`` and ``acquisition.csv`` into ``out_dir``.

    Returns
    -------
    paths : dict
        ``{"transactions", "customers", "acquisition"}`` file paths.
    truth : dict
        The planted values, for ``truth.json`` under ``"transactions"``.

    Examples
    --------
    >>> import tempfile
    >>> paths, truth = write_transactions(tempfile.mkdtemp(), seed=1)
    >>> sorted(p.name for p in paths.values())
    ['acquisition.csv', 'customers.csv', 'transactions.csv']
    """
    from ..io.artifacts import atomic_write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames, truth = simulate_transactions(seed)
    paths = {name: out / f"{name}.csv" for name in frames}
    for name, frame in frames.items():
        atomic_write_text(paths[name], frame.to_csv(index=False, lineterminator="\n",
                                                    float_format="%.2f"))
    return paths, truth
