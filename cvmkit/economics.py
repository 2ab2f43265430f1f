"""Customer economics from a transactions table: retention, order value, CLV, CAC and value tiers.

The inputs are three tidy tables (their column names are arguments, and a study declares them
under its ``transactions:`` key):

* **transactions** — one row per order: customer id, date, amount (order value, never negative);
* **customers** (optional) — one row per customer: id, acquisition date, acquisition channel and
  any attributes to group by (segment …).  Without it a customer's first order is taken as the
  acquisition date;
* **acquisition spend** — spend per channel (and period) for CAC.

Definitions
-----------
* A customer is **active** in a period (year by default) when they place at least one order in it.
  Their **cohort** is the period of acquisition and ``period_index`` counts periods since then.
* **Retention** from period t−1 to t is the share of customers active in t−1 who are active again
  in t; **churn** is one minus retention.  The pooled rate over cohorts and periods is
  ``Σ retained / Σ at risk`` with a Wilson interval (customers taken as independent).  Only
  periods that lie wholly inside the observation window count.
* **AOV** (average order value) is revenue / orders; **frequency** is orders per active customer
  per period, counted over full periods after the acquisition period (the acquisition period is
  usually a part period).
* **CLV** by the retention-based formula (Gupta & Lehmann 2003; Berger & Nasr 1998) with margin
  ``m`` per active period, retention ``r`` and discount rate ``d``.  With ``timing="start"`` (the
  default) the margin of a period is earned at its start, the first period for certain::

      CLV_T = m · Σ_{t=0}^{T−1} (r / (1 + d))^t          CLV_∞ = m · (1 + d) / (1 + d − r)

  with ``timing="end"`` it is earned at the end of each period survived::

      CLV_T = m · Σ_{t=1}^{T} (r / (1 + d))^t            CLV_∞ = m · r / (1 + d − r)

  Acquisition cost is not subtracted: compare CLV with CAC as the ratio ``CLV : CAC``.
* **CAC** of a channel is its acquisition spend over the customers it brought in.
* **Value tiers** rank customers by revenue into equal-sized tiers (deciles by default, tier 1
  the top); the **Pareto curve** is the cumulative share of revenue against the cumulative share
  of customers so ranked.

Transactions are customer records, not survey answers: these functions take no respondent
weights.  Bad input — a negative amount or spend, a transaction dated before its customer's
acquisition, an unknown customer, an unreadable date — is an error naming the row;
:func:`clean_transactions` instead drops such rows with a warning and returns what it dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import AnalysisError, CvmkitWarning, DataError, StudySpecError
from .study import Study

__all__ = [
    "cac_by_channel",
    "clean_transactions",
    "clv",
    "clv_table",
    "clv_to_cac",
    "order_metrics",
    "pareto_curve",
    "read_transactions",
    "retention_by_cohort",
    "retention_rate",
    "transaction_columns",
    "transaction_issues",
    "value_tiers",
]

_PERIODS = {"Y": "year", "Q": "quarter", "M": "month"}


# ---------------------------------------------------------------------------- preparation
def read_transactions(study: Study) -> dict[str, pd.DataFrame | None]:
    """Read the transactions, customers and acquisition-spend files a study declares.

    The study's ``transactions:`` mapping names the files (``path``, ``customers``,
    ``acquisition``; relative to the study file) and their columns (``customer``, ``date``,
    ``amount``, ``acquired``, ``channel``, ``spend``, ``spend_period``), plus ``period``,
    ``margin_rate``, ``discount_rate`` and ``horizon`` for CLV.

    Returns
    -------
    dict
        ``{"transactions": DataFrame, "customers": DataFrame or None,
        "acquisition": DataFrame or None}``.

    Examples
    --------
    >>> from cvmkit.study import load_study
    >>> frames = read_transactions(load_study("data/demo/study.yaml"))  # doctest: +SKIP
    """
    spec = study.transactions
    if not spec or not spec.get("path"):
        raise StudySpecError(["transactions.path: the study declares no transactions file"],
                             study.source)
    out: dict[str, pd.DataFrame | None] = {}
    for key, name in (("path", "transactions"), ("customers", "customers"),
                      ("acquisition", "acquisition")):
        if not spec.get(key):
            out[name] = None
            continue
        p = study.resolve(spec[key])
        if p is None or not p.is_file():
            raise StudySpecError([f"transactions.{key}: file '{p}' does not exist"], study.source)
        try:
            out[name] = pd.read_csv(p)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DataError(f"transactions.{key}: cannot read '{p}' ({exc})") from None
    return out


def transaction_columns(study: Study) -> dict[str, str]:
    """Column keyword arguments (``customer, date, amount, acquired, period``) from a study."""
    spec = study.transactions or {}
    return {"customer": spec.get("customer", "customer_id"), "date": spec.get("date", "date"),
            "amount": spec.get("amount", "amount"), "acquired": spec.get("acquired", "acquired"),
            "period": spec.get("period", "Y")}


def _need(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{what}: expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: column(s) {missing} not found (columns: "
                        f"{', '.join(map(str, frame.columns))})")


def _dates(s: pd.Series, what: str) -> pd.Series:
    out = pd.to_datetime(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError(f"{what}: {s.iloc[i]!r} in row {s.index[i]!r} is not a date")
    if out.isna().any():
        i = out.isna().to_numpy().nonzero()[0][0]
        raise DataError(f"{what}: missing date in row {s.index[i]!r}")
    return out


def _amounts(s: pd.Series, what: str) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna()
    if bad.any():
        i = bad.to_numpy().nonzero()[0][0]
        raise DataError(f"{what}: {s.iloc[i]!r} in row {s.index[i]!r} is not a number")
    return out.astype(float)


def transaction_issues(transactions: pd.DataFrame, *, customer: str = "customer_id",
                       date: str = "date", amount: str = "amount",
                       customers: pd.DataFrame | None = None, acquired: str = "acquired"
                       ) -> pd.DataFrame:
    """Rows of a transactions table that the economics functions refuse, and why.

    Checks: an amount that is not a number or is negative; a date that is missing or not a
    date; a customer not listed in ``customers``; a transaction dated before the customer's
    acquisition date.

    Returns
    -------
    DataFrame
        ``row, customer, rule, value`` — one row per problem (``row`` is the index label).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2024-01-05", "2024-02-01"],
    ...                    "amount": [5.0, -2.0]})
    >>> transaction_issues(tx)["rule"].tolist()
    ['negative amount']
    """
    _need(transactions, [customer, date, amount], "transactions")
    problems = []
    amt = pd.to_numeric(transactions[amount], errors="coerce")
    dt = pd.to_datetime(transactions[date], errors="coerce")
    for idx in transactions.index[amt.isna()]:
        problems.append((idx, transactions.at[idx, customer], "amount not a number",
                         transactions.at[idx, amount]))
    for idx in transactions.index[amt < 0]:
        problems.append((idx, transactions.at[idx, customer], "negative amount",
                         transactions.at[idx, amount]))
    for idx in transactions.index[dt.isna()]:
        problems.append((idx, transactions.at[idx, customer], "date missing or unreadable",
                         transactions.at[idx, date]))
    if customers is not None:
        _need(customers, [customer, acquired], "customers")
        acq = _dates(customers[acquired], f"customers column '{acquired}'")
        acq.index = customers[customer].to_numpy()
        if acq.index.has_duplicates:
            dup = acq.index[acq.index.duplicated()][0]
            raise DataError(f"customers: customer {dup!r} is listed more than once")
        mapped = transactions[customer].map(acq)
        unknown = mapped.isna()
        for idx in transactions.index[unknown]:
            problems.append((idx, transactions.at[idx, customer], "customer not in customers",
                             transactions.at[idx, customer]))
        early = (~unknown) & dt.notna() & (dt < mapped)
        for idx in transactions.index[early]:
            problems.append((idx, transactions.at[idx, customer],
                             "dated before acquisition",
                             f"{dt[idx].date()} < {mapped[idx].date()}"))
    out = pd.DataFrame(problems, columns=["row", "customer", "rule", "value"])
    return out.sort_values("row", kind="stable").reset_index(drop=True)


def clean_transactions(transactions: pd.DataFrame, *, customer: str = "customer_id",
                       date: str = "date", amount: str = "amount",
                       customers: pd.DataFrame | None = None, acquired: str = "acquired"
                       ) -> pd.DataFrame:
    """A copy of ``transactions`` without the rows :func:`transaction_issues` flags.

    Every dropped row is counted in a :class:`~cvmkit.errors.CvmkitWarning` (by rule); list them
    with :func:`transaction_issues`.  The caller's frame is not modified.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> tx = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2024-01-05", "2024-02-01"],
    ...                    "amount": [5.0, -2.0]})
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     len(clean_transactions(tx))
    1
    """
    issues = transaction_issues(transactions, customer=customer, date=date, amount=amount,
                                customers=customers, acquired=acquired)
    if issues.empty:
        return transactions.copy()
    counts = issues.groupby("rule")["row"].nunique().to_dict()
    n_rows = issues["row"].nunique()
    detail = "; ".join(f"{k}: {v}" for k, v in counts.items())
    warnings.warn(f"transactions: {n_rows} row(s) of {len(transactions)} left out ({detail})",
                  CvmkitWarning, stacklevel=2)
    return transactions.drop(index=issues["row"].unique()).copy()


def _prepare(transactions: pd.DataFrame, customers: pd.DataFrame | None, customer: str,
             date: str, amount: str, acquired: str, period: str,
             attributes: Sequence[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validated orders (with period ordinals) and one row per customer (with cohort)."""
    if period not in _PERIODS:
        raise AnalysisError(f"period: expected one of {', '.join(_PERIODS)}, got {period!r}")
    _need(transactions, [customer, date, amount], "transactions")
    tx = pd.DataFrame({
        "customer": transactions[customer].to_numpy(),
        "date": _dates(transactions[date], f"transactions column '{date}'").to_numpy(),
        "amount": _amounts(transactions[amount], f"transactions column '{amount}'").to_numpy(),
    }, index=transactions.index)
    neg = tx["amount"] < 0
    if neg.any():
        i = neg.to_numpy().nonzero()[0][0]
        raise DataError(f"transactions column '{amount}': negative amount "
                        f"{tx['amount'].iloc[i]:g} in row {tx.index[i]!r} "
                        f"({int(neg.sum())} negative row(s); clean_transactions() drops them)")
    if tx.empty:
        raise AnalysisError("transactions: the table has no rows")
    if customers is None:
        missing_attr = [a for a in attributes if a not in transactions.columns]
        if missing_attr:
            raise DataError(f"transactions: column(s) {missing_attr} not found and no "
                            "customers table given")
        cust = tx.groupby("customer", sort=True)["date"].min().rename("acquired").to_frame()
        for a in attributes:
            cust[a] = transactions.groupby(transactions[customer].to_numpy())[a].first()
    else:
        _need(customers, [customer, acquired, *attributes], "customers")
        cust = pd.DataFrame({
            "acquired": _dates(customers[acquired], f"customers column '{acquired}'").to_numpy(),
            **{a: customers[a].to_numpy() for a in attributes}},
            index=pd.Index(customers[customer].to_numpy(), name="customer"))
        if cust.index.has_duplicates:
            dup = cust.index[cust.index.duplicated()][0]
            raise DataError(f"customers: customer {dup!r} is listed more than once")
        unknown = ~tx["customer"].isin(cust.index)
        if unknown.any():
            i = unknown.to_numpy().nonzero()[0][0]
            raise DataError(f"transactions: customer {tx['customer'].iloc[i]!r} in row "
                            f"{tx.index[i]!r} is not in the customers table "
                            f"({int(unknown.sum())} such row(s))")
        acq = tx["customer"].map(cust["acquired"])
        early = tx["date"] < acq
        if early.any():
            i = early.to_numpy().nonzero()[0][0]
            raise DataError(f"transactions: row {tx.index[i]!r} of customer "
                            f"{tx['customer'].iloc[i]!r} is dated {tx['date'].iloc[i].date()}, "
                            f"before the acquisition date {acq.iloc[i].date()} "
                            f"({int(early.sum())} such row(s); clean_transactions() drops them)")
    cust.index.name = "customer"
    cust["cohort"] = pd.PeriodIndex(cust["acquired"], freq=period).asi8
    tx["period"] = pd.PeriodIndex(tx["date"], freq=period).asi8
    tx["period_index"] = tx["period"] - tx["customer"].map(cust["cohort"]).to_numpy()
    return tx, cust


def _last_complete(tx: pd.DataFrame, period: str, end: object | None) -> int:
    """Ordinal of the last period that lies wholly inside the observation window."""
    end_ts = tx["date"].max() if end is None else pd.Timestamp(end)
    p = pd.Period(end_ts, freq=period)
    return int(p.ordinal if end_ts.normalize() >= p.end_time.normalize() else p.ordinal - 1)


def _label(ordinal: int, period: str) -> str:
    return str(pd.Period(ordinal=ordinal, freq=period))


def _wilson(k: float, n: float, z: float) -> tuple[float, float]:
    if n <= 0:
        return np.nan, np.nan
    p = k / n
    den = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    return float(centre - half), float(centre + half)


def _activity(tx: pd.DataFrame, cust: pd.DataFrame, last: int) -> pd.DataFrame:
    """Customer × period pairs with an order, up to the last complete period."""
    act = tx.loc[tx["period"] <= last, ["customer", "period"]].drop_duplicates()
    return act


def _transitions(tx: pd.DataFrame, cust: pd.DataFrame, last: int) -> pd.DataFrame:
    """One row per customer active in a period t−1 whose period t is observed: retained or not."""
    act = _activity(tx, cust, last)
    active = set(zip(act["customer"], act["period"]))
    prev = act[act["period"] + 1 <= last]
    retained = [(c, p + 1) in active for c, p in zip(prev["customer"], prev["period"])]
    out = prev.assign(retained=retained)
    out["cohort"] = out["customer"].map(cust["cohort"]).to_numpy()
    out["period_index"] = out["period"] + 1 - out["cohort"]
    return out


# ---------------------------------------------------------------------------- retention
def retention_by_cohort(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                        customer: str = "customer_id", date: str = "date",
                        amount: str = "amount", acquired: str = "acquired",
                        period: str = "Y", end: object | None = None) -> pd.DataFrame:
    """Active customers and period-on-period retention for each acquisition cohort.

    Parameters
    ----------
    transactions : DataFrame
        One row per order.
    customers : DataFrame, optional
        One row per customer with the acquisition date (else the first order's date).
    customer, date, amount, acquired : str
        Column names.
    period : {"Y", "Q", "M"}
        The period length (year by default).
    end : date, optional
        End of the observation window (default: the last transaction); a period that ends after
        it is incomplete and left out.

    Returns
    -------
    DataFrame
        ``cohort, period, period_index, cohort_size, active, at_risk, retained, retention,
        survival`` — ``at_risk`` are the customers active in the period before, ``retained``
        those of them active again, ``retention = retained / at_risk``, ``survival`` the share of
        the cohort active.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c"],
    ...                    "date": ["2023-02-01", "2024-03-01", "2023-05-01", "2023-07-01",
    ...                             "2024-01-09"], "amount": [5, 6, 4, 3, 2]})
    >>> retention_by_cohort(tx, end="2024-12-31")["retention"].round(3).tolist()
    [nan, 0.667]
    """
    tx, cust = _prepare(transactions, customers, customer, date, amount, acquired, period)
    last = _last_complete(tx, period, end)
    act = _activity(tx, cust, last)
    act = act.assign(cohort=act["customer"].map(cust["cohort"]).to_numpy())
    trans = _transitions(tx, cust, last)
    sizes = cust.groupby("cohort").size()
    rows = []
    for (cohort, per), g in act.groupby(["cohort", "period"], sort=True):
        t = trans[(trans["cohort"] == cohort) & (trans["period"] + 1 == per)]
        at_risk, kept = len(t), int(t["retained"].sum())
        rows.append({"cohort": _label(cohort, period), "period": _label(per, period),
                     "period_index": int(per - cohort), "cohort_size": int(sizes[cohort]),
                     "active": len(g), "at_risk": at_risk, "retained": kept,
                     "retention": kept / at_risk if at_risk else np.nan,
                     "survival": len(g) / sizes[cohort]})
    return pd.DataFrame(rows)


def retention_rate(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                   by: str | None = None, customer: str = "customer_id", date: str = "date",
                   amount: str = "amount", acquired: str = "acquired", period: str = "Y",
                   end: object | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Pooled period-on-period retention (and churn) overall or per group, with an interval.

    Parameters
    ----------
    by : str, optional
        A customer attribute (segment, channel …) from ``customers`` (or ``transactions``).
    confidence : float
        Level of the Wilson interval.
    (others as in :func:`retention_by_cohort`)

    Returns
    -------
    DataFrame
        ``[by], at_risk, retained, retention, ci_low, ci_high, churn``.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": ["2023-02-01", "2024-03-01",
    ...                    "2023-05-01"], "amount": [5, 6, 4]})
    >>> float(retention_rate(tx, end="2024-12-31")["retention"].iloc[0])
    0.5
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence: expected a level between 0 and 1, got {confidence!r}")
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    attrs = [by] if by else []
    tx, cust = _prepare(transactions, customers, customer, date, amount, acquired, period,
                        attrs)
    last = _last_complete(tx, period, end)
    trans = _transitions(tx, cust, last)
    if by:
        trans[by] = trans["customer"].map(cust[by]).to_numpy()
        groups = [(g, trans[trans[by] == g]) for g in sorted(cust[by].dropna().unique(), key=str)]
    else:
        groups = [(None, trans)]
    rows = []
    for g, t in groups:
        n, k = len(t), int(t["retained"].sum())
        lo, hi = _wilson(k, n, z)
        row = {by: g} if by else {}
        if n == 0:
            warnings.warn("retention: no customer observed over two periods"
                          + (f" where {by} = {g!r}" if by else ""), CvmkitWarning, stacklevel=2)
        row.update(at_risk=n, retained=k, retention=k / n if n else np.nan, ci_low=lo,
                   ci_high=hi)
        row["churn"] = 1 - row["retention"]
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- orders
def order_metrics(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *,
                  by: str | None = None, customer: str = "customer_id", date: str = "date",
                  amount: str = "amount", acquired: str = "acquired", period: str = "Y",
                  end: object | None = None) -> pd.DataFrame:
    """Revenue, orders, average order value and purchase frequency, overall or per group.

    Returns
    -------
    DataFrame
        ``[by], customers, orders, revenue, aov, frequency, revenue_per_period`` — ``aov`` is
        revenue per order; ``frequency`` orders per active customer per full period after
        acquisition, ``revenue_per_period`` revenue per active customer per such period.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a"], "date": ["2023-02-01", "2024-03-01",
    ...                    "2024-05-01"], "amount": [5.0, 6.0, 4.0]})
    >>> order_metrics(tx, end="2024-12-31")[["aov", "frequency"]].iloc[0].tolist()
    [5.0, 2.0]
    """
    attrs = [by] if by else []
    tx, cust = _prepare(transactions, customers, customer, date, amount, acquired, period,
                        attrs)
    last = _last_complete(tx, period, end)
    if by:
        tx[by] = tx["customer"].map(cust[by]).to_numpy()
        groups = [(g, tx[tx[by] == g], int((cust[by] == g).sum()))
                  for g in sorted(cust[by].dropna().unique(), key=str)]
    else:
        groups = [(None, tx, len(cust))]
    rows = []
    for g, t, n_cust in groups:
        full = t[(t["period_index"] >= 1) & (t["period"] <= last)]
        active_periods = len(full[["customer", "period"]].drop_duplicates())
        row = {by: g} if by else {}
        row.update(customers=n_cust, orders=len(t), revenue=float(t["amount"].sum()),
                   aov=float(t["amount"].mean()) if len(t) else np.nan,
                   frequency=len(full) / active_periods if active_periods else np.nan,
                   revenue_per_period=(float(full["amount"].sum()) / active_periods
                                       if active_periods else np.nan))
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- CLV
def clv(margin: float | np.ndarray, retention: float | np.ndarray,
        discount_rate: float | np.ndarray, horizon: int | None = None, *,
        timing: str = "start") -> float | np.ndarray:
    """Retention-based customer lifetime value (see the module docstring for the formulas).

    Parameters
    ----------
    margin : float or array
        Margin per active customer per period.
    retention : float or array
        Period-on-period retention, in [0, 1).
    discount_rate : float or array
        Discount rate per period, ≥ 0.
    horizon : int, optional
        Number of periods; ``None`` for the infinite horizon.
    timing : {"start", "end"}
        Margin earned at the start of each active period (first period certain) or at the end
        of each period survived.

    Examples
    --------
    >>> round(clv(100, 0.8, 0.1), 2)            # 100 · 1.1 / 0.3
    366.67
    >>> round(clv(100, 0.8, 0.1, horizon=3), 2)  # 100 · (1 + 0.8/1.1 + (0.8/1.1)²)
    225.62
    """
    if timing not in ("start", "end"):
        raise AnalysisError(f"timing: expected 'start' or 'end', got {timing!r}")
    m, r, d = (np.asarray(v, dtype=float) for v in (margin, retention, discount_rate))
    if np.any((r < 0) | (r > 1)):
        raise AnalysisError(f"retention: expected values in [0, 1], got {retention!r}")
    if np.any(d < 0):
        raise AnalysisError(f"discount_rate: expected a rate ≥ 0, got {discount_rate!r}")
    q = r / (1 + d)
    if horizon is None:
        if np.any(q >= 1):
            raise AnalysisError("clv: the infinite-horizon value diverges when retention ≥ "
                                "1 + discount rate; give a finite horizon")
        total = 1 / (1 - q)
    else:
        if int(horizon) != horizon or horizon < 1:
            raise AnalysisError(f"horizon: expected a whole number of periods ≥ 1, got {horizon!r}")
        with np.errstate(invalid="ignore", divide="ignore"):
            total = np.where(np.isclose(q, 1), float(horizon), (1 - q**horizon) / (1 - q))
    if timing == "end":
        total = q * total
    out = m * total
    return float(out) if out.ndim == 0 else out


def clv_table(transactions: pd.DataFrame, customers: pd.DataFrame | None = None, *,
              by: str | None = None, margin_rate: float, discount_rate: float,
              horizon: int = 5, timing: str = "start", customer: str = "customer_id",
              date: str = "date", amount: str = "amount", acquired: str = "acquired",
              period: str = "Y", end: object | None = None, confidence: float = 0.95
              ) -> pd.DataFrame:
    """CLV per group from the observed retention, order value and frequency.

    The margin per active period is ``revenue_per_period × margin_rate`` (from
    :func:`order_metrics`); retention comes from :func:`retention_rate`.  ``clv_low`` and
    ``clv_high`` carry the retention interval through the infinite-horizon formula (margin held
    fixed), showing how much of the uncertainty retention alone brings.

    Returns
    -------
    DataFrame
        ``[by], customers, retention, retention_ci_low, retention_ci_high, aov, frequency,
        margin_per_period, clv_finite, clv_infinite, clv_low, clv_high, horizon, timing``.

    Examples
    --------
    >>> clv_table(tx, customers, by="segment", margin_rate=0.35,
    ...           discount_rate=0.1)  # doctest: +SKIP
    """
    if not 0 < margin_rate <= 1:
        raise AnalysisError(f"margin_rate: expected a share in (0, 1], got {margin_rate!r}")
    kw = dict(customer=customer, date=date, amount=amount, acquired=acquired, period=period,
              end=end)
    ret = retention_rate(transactions, customers, by=by, confidence=confidence, **kw)
    om = order_metrics(transactions, customers, by=by, **kw)
    out = om.merge(ret, on=by) if by else pd.concat([om, ret], axis=1)
    m = out["revenue_per_period"] * margin_rate
    res = pd.DataFrame({} if by is None else {by: out[by]})
    res["customers"] = out["customers"]
    res["retention"] = out["retention"]
    res["retention_ci_low"] = out["ci_low"]
    res["retention_ci_high"] = out["ci_high"]
    res["aov"] = out["aov"]
    res["frequency"] = out["frequency"]
    res["margin_per_period"] = m
    res["clv_finite"] = clv(m.to_numpy(), out["retention"].to_numpy(), discount_rate, horizon,
                            timing=timing)
    res["clv_infinite"] = clv(m.to_numpy(), out["retention"].to_numpy(), discount_rate,
                              timing=timing)
    res["clv_low"] = clv(m.to_numpy(), out["ci_low"].to_numpy(), discount_rate, timing=timing)
    res["clv_high"] = clv(m.to_numpy(), out["ci_high"].to_numpy(), discount_rate,
                          timing=timing)
    res["horizon"] = horizon
    res["timing"] = timing
    return res


# ---------------------------------------------------------------------------- CAC
def cac_by_channel(customers: pd.DataFrame, acquisition: pd.DataFrame, *,
                   channel: str = "channel", spend: str = "spend",
                   customer: str = "customer_id", acquired: str = "acquired",
                   spend_period: str | None = "year") -> pd.DataFrame:
    """Customer acquisition cost per channel: spend over new customers.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with its acquisition channel (and date).
    acquisition : DataFrame
        Spend per channel (optionally per period in column ``spend_period``, e.g. the year);
        spend must not be negative.
    spend_period : str or None
        A column of ``acquisition`` holding the calendar year of the spend; only customers
        acquired in the years with spend are counted.  ``None`` uses every customer.

    Returns
    -------
    DataFrame
        ``channel, spend, new_customers, cac`` — a channel with spend but no customer gets NaN
        CAC and a warning.

    Examples
    --------
    >>> import pandas as pd
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3], "acquired": ["2024-01-01"] * 3,
    ...                      "channel": ["web", "web", "shop"]})
    >>> spend = pd.DataFrame({"year": [2024, 2024], "channel": ["web", "shop"],
    ...                       "spend": [50.0, 40.0]})
    >>> cac_by_channel(cust, spend)["cac"].tolist()
    [40.0, 25.0]
    """
    _need(customers, [customer, channel], "customers")
    need = [channel, spend] + ([spend_period] if spend_period else [])
    _need(acquisition, need, "acquisition")
    sp = _amounts(acquisition[spend], f"acquisition column '{spend}'")
    if (sp < 0).any():
        i = (sp < 0).to_numpy().nonzero()[0][0]
        raise DataError(f"acquisition column '{spend}': negative spend {sp.iloc[i]:g} in row "
                        f"{acquisition.index[i]!r}")
    cust = customers
    if spend_period:
        _need(customers, [acquired], "customers")
        years = _dates(customers[acquired], f"customers column '{acquired}'").dt.year
        cust = customers[years.isin(set(pd.to_numeric(acquisition[spend_period]).astype(int)))]
    spend_by = sp.groupby(acquisition[channel].to_numpy()).sum()
    new_by = cust.groupby(channel).size()
    rows = []
    for ch in sorted(set(spend_by.index) | set(new_by.index), key=str):
        s = float(spend_by.get(ch, 0.0))
        n = int(new_by.get(ch, 0))
        if n == 0:
            warnings.warn(f"CAC: channel {ch!r} has spend {s:g} but no new customers",
                          CvmkitWarning, stacklevel=2)
        rows.append({"channel": ch, "spend": s, "new_customers": n,
                     "cac": s / n if n else np.nan})
    return pd.DataFrame(rows)


def clv_to_cac(clv_by_channel: pd.DataFrame, cac: pd.DataFrame, *, channel: str = "channel",
               value: str = "clv_infinite") -> pd.DataFrame:
    """Join CLV and CAC per channel and form the CLV : CAC ratio.

    Parameters
    ----------
    clv_by_channel : DataFrame
        From :func:`clv_table` with ``by=channel``.
    cac : DataFrame
        From :func:`cac_by_channel`.
    value : str
        Which CLV column to use (``clv_infinite`` or ``clv_finite``).

    Returns
    -------
    DataFrame
        ``channel, clv, cac, clv_to_cac, new_customers``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"channel": ["web"], "clv_infinite": [90.0]})
    >>> b = pd.DataFrame({"channel": ["web"], "cac": [30.0], "new_customers": [3]})
    >>> float(clv_to_cac(a, b)["clv_to_cac"].iloc[0])
    3.0
    """
    _need(clv_by_channel, [channel, value], "clv_by_channel")
    _need(cac, ["channel", "cac"], "cac")
    left = clv_by_channel[[channel, value]].rename(columns={channel: "channel", value: "clv"})
    out = left.merge(cac[["channel", "cac"] + (["new_customers"] if "new_customers" in cac
                                               else [])], on="channel", how="outer")
    out["clv_to_cac"] = out["clv"] / out["cac"]
    cols = ["channel", "clv", "cac", "clv_to_cac"] + (["new_customers"]
                                                      if "new_customers" in out else [])
    return out[cols]


# ---------------------------------------------------------------------------- value tiers
def _customer_revenue(transactions: pd.DataFrame, customer: str, amount: str) -> pd.Series:
    _need(transactions, [customer, amount], "transactions")
    amt = _amounts(transactions[amount], f"transactions column '{amount}'")
    if (amt < 0).any():
        i = (amt < 0).to_numpy().nonzero()[0][0]
        raise DataError(f"transactions column '{amount}': negative amount {amt.iloc[i]:g} in "
                        f"row {transactions.index[i]!r}")
    rev = amt.groupby(transactions[customer].to_numpy()).sum()
    if rev.empty:
        raise AnalysisError("transactions: the table has no rows")
    return rev.sort_values(ascending=False, kind="stable")


def value_tiers(transactions: pd.DataFrame, *, customer: str = "customer_id",
                amount: str = "amount", n_tiers: int = 10) -> pd.DataFrame:
    """Customers ranked by revenue into equal-sized tiers (tier 1 = the top).

    Returns
    -------
    DataFrame
        ``tier, customers, revenue, share_of_revenue, mean_revenue, cumulative_share_customers,
        cumulative_share_revenue, times_bottom`` — ``times_bottom`` is how many times more a
        customer of the tier buys, on average, than one of the bottom (marginal) tier.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": list("abcd"), "amount": [40.0, 30.0, 20.0, 10.0]})
    >>> value_tiers(tx, n_tiers=2)["times_bottom"].tolist()
    [2.3333333333333335, 1.0]
    """
    if not isinstance(n_tiers, (int, np.integer)) or n_tiers < 2:
        raise AnalysisError(f"n_tiers: expected a whole number ≥ 2, got {n_tiers!r}")
    rev = _customer_revenue(transactions, customer, amount)
    n = len(rev)
    if n < n_tiers:
        raise AnalysisError(f"value_tiers: {n} customer(s) cannot fill {n_tiers} tiers")
    tier = (np.arange(n) * n_tiers // n) + 1
    total = rev.sum()
    g = pd.DataFrame({"tier": tier, "revenue": rev.to_numpy()}).groupby("tier")["revenue"]
    out = pd.DataFrame({"tier": g.sum().index, "customers": g.size().to_numpy(),
                        "revenue": g.sum().to_numpy()})
    out["share_of_revenue"] = out["revenue"] / total
    out["mean_revenue"] = out["revenue"] / out["customers"]
    out["cumulative_share_customers"] = out["customers"].cumsum() / n
    out["cumulative_share_revenue"] = out["revenue"].cumsum() / total
    bottom = out["mean_revenue"].iloc[-1]
    out["times_bottom"] = out["mean_revenue"] / bottom if bottom > 0 else np.nan
    return out


def pareto_curve(transactions: pd.DataFrame, *, customer: str = "customer_id",
                 amount: str = "amount", points: int = 101) -> pd.DataFrame:
    """Cumulative share of revenue against cumulative share of customers (best first).

    Returns
    -------
    DataFrame
        ``share_customers, share_revenue`` at ``points`` evenly spaced customer shares from 0 to
        1 (linear between customers).

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": list("abcd"), "amount": [70.0, 10.0, 10.0, 10.0]})
    >>> pareto_curve(tx, points=5)["share_revenue"].tolist()
    [0.0, 0.7, 0.8, 0.9, 1.0]
    """
    if points < 2:
        raise AnalysisError(f"points: expected at least 2, got {points!r}")
    rev = _customer_revenue(transactions, customer, amount)
    x = np.arange(len(rev) + 1) / len(rev)
    y = np.concatenate([[0.0], rev.cumsum().to_numpy() / rev.sum()])
    grid = np.linspace(0, 1, points)
    return pd.DataFrame({"share_customers": grid, "share_revenue": np.interp(grid, x, y)})
