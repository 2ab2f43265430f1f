"""Starting a study of your own: ``cvmkit new`` and the guidance of ``cvmkit validate``.

:func:`new_study` writes a study folder holding a commented ``study.yaml`` template (every key
explained, the bundled coffee-shop demo as the worked example) and a ``README.md`` with the
steps from a survey export to a report.  With ``demo_data=True`` the demo's survey export and
transaction files are copied in too, so the new folder runs as it is — a safe place to learn
what each key does before pointing it at real data.

:func:`hints` turns the problems :func:`cvmkit.study.load_study` and
:func:`cvmkit.study.validate_study` report into advice: the column or key the user most
likely meant, the line to add, the command to run next.
"""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

from .errors import CvmkitError, ResourceError
from .study import Study, slugify

__all__ = ["STUDY_TEMPLATE", "hints", "known_keys", "new_study"]

STUDY_TEMPLATE = """\
# =====================================================================================
#  {title}
#  The study file: it tells cvmkit where everything is in your survey export.
#
#  1. Put your survey export next to this file and name it under `data:` below.
#  2. Change every line marked CHANGE to your survey's column names. The values shown
#     are the bundled coffee-shop demo, a complete worked example.
#  3. Check:  cvmkit validate {folder}/study.yaml       (lists every problem, with hints)
#  4. Run:    cvmkit run {folder}/study.yaml            (report in reports/{slug}/<run-id>/)
#
#  Column names may contain {{brand}}: it stands for each brand's code, the brand name in
#  lower case with anything but letters and digits replaced by "_" ("Daily Grind" ->
#  daily_grind), so  perf_{{brand}}_taste  means perf_acme_taste, perf_beanco_taste, ...
# =====================================================================================

# --- The study -------------------------------------------------------------------------
title: "{title}"                # CHANGE: shown on the report's cover
client: "{client}"              # CHANGE: the client, shown on the report's cover
slug: {slug}                    # the folder under reports/ (lower case, digits, _)
data: responses.csv             # CHANGE: the survey export, relative to this file
                                #   .csv .tsv .xlsx .sav .parquet, or a Qualtrics .csv export

# --- Brands ----------------------------------------------------------------------------
brand: Acme                     # CHANGE: the focal brand (your client's)
competitors:                    # CHANGE: the brands rated alongside it
  - BeanCo
  - Roastly
  - Daily Grind                 # code daily_grind; or {{name: Daily Grind, code: dg}}

# --- Respondents -----------------------------------------------------------------------
respondent_id: resp_id          # CHANGE: one unique id per respondent (delete the line if
                                #   the export has none: rows are then numbered)
segments: [segment, region]     # columns to break results down by ([] for none)
wave: wave                      # the survey wave, for trends (delete the line if one wave)

# Weights: a column that already holds them ...        weights: {{column: weight}}
# ... or target shares to rake the sample to (each column's shares add up to 1):
weights:
  targets:
    region: {{North: 0.25, South: 0.30, East: 0.20, West: 0.25}}
    age_band: {{"18-34": 0.30, "35-54": 0.38, "55+": 0.32}}
  trim: [0.3, 3.0]              # keep weights between 0.3 and 3 times the mean

# --- Rating scales ---------------------------------------------------------------------
# Each scale: its lowest and highest valid code, and codes that mean "no answer".
scales:
  performance: {{min: 1, max: 10, missing: [99], labels: {{1: Very poor, 10: Excellent}}}}
  importance: {{min: 1, max: 5, missing: [99]}}
  kano: {{min: 1, max: 5}}
  nps: {{min: 0, max: 10}}
  csat: {{min: 1, max: 5}}
  ces: {{min: 1, max: 7}}

# --- Value attributes ------------------------------------------------------------------
# One entry per attribute every brand is rated on:
#   id           short name used in tables
#   label        what the client reads in the report
#   component    quality | price | convenience | service | experience
#   performance  the column of each brand's rating (with {{brand}}; a one-brand study may
#                give the plain column name)
#   importance   the stated-importance column (optional)
#   kano         the functional ("if it had ...") and dysfunctional ("if it lacked ...")
#                question pair (optional)
#   scale        the scale of the performance ratings (default: performance)
attributes:                     # CHANGE: your attributes
  - id: taste
    label: Great-tasting coffee
    component: quality
    performance: perf_{{brand}}_taste
    importance: imp_taste
    kano: {{functional: kf_taste, dysfunctional: kd_taste}}
  - id: speed
    label: Fast service
    component: convenience
    performance: perf_{{brand}}_speed
    importance: imp_speed
    kano: {{functional: kf_speed, dysfunctional: kd_speed}}
  - id: staff
    label: Friendly baristas
    component: service
    performance: perf_{{brand}}_staff
    importance: imp_staff
    kano: {{functional: kf_staff, dysfunctional: kd_staff}}
  - id: value
    label: Good value for money
    component: price
    performance: perf_{{brand}}_value
    importance: imp_value
    kano: {{functional: kf_value, dysfunctional: kd_value}}
  - id: ambience
    label: Pleasant place to sit
    component: experience
    performance: perf_{{brand}}_ambience
    importance: imp_ambience
    kano: {{functional: kf_ambience, dysfunctional: kd_ambience}}

# The codes of the five Kano answers in your questionnaire (these are the usual ones).
kano:
  codes: {{like: 1, must_be: 2, neutral: 3, live_with: 4, dislike: 5}}

# --- Outcomes --------------------------------------------------------------------------
outcomes:
  value: {{column: "overall_value_{{brand}}", scale: performance}}  # CHANGE: overall value
  nps: {{column: nps, scale: nps}}        # likelihood to recommend, 0-10 (optional)
  csat: {{column: csat, scale: csat}}     # satisfaction (optional)
  ces: {{column: ces, scale: ces}}        # customer effort (optional)
reverse: [ces]                  # questions where a high code means worse: turned round

# --- Price (optional: delete what you did not ask) -------------------------------------
price:
  perceived: price_{{brand}}      # perceived price of each brand, on `scale`
  scale: performance
  currency: "£"
  van_westendorp:               # the four Van Westendorp questions (amounts)
    too_cheap: vw_too_cheap
    cheap: vw_cheap
    expensive: vw_expensive
    too_expensive: vw_too_expensive
  purchase_likelihood:          # Newton-Miller-Smith extension (optional)
    at_cheap: nms_cheap
    at_expensive: nms_expensive
  gabor_granger:                # would buy at each price (optional)
    prices: [2.5, 3.0, 3.5, 4.0, 4.5]
    columns: [gg_250, gg_300, gg_350, gg_400, gg_450]

# --- Customer journey (optional) -------------------------------------------------------
stages: [consideration, purchase, experience, loyalty]
touchpoints:
  - {{id: website, label: Website and menu, stage: consideration,
     satisfaction: tp_website_sat, importance: tp_website_imp}}
  - {{id: queue, label: Queue and ordering, stage: purchase,
     satisfaction: tp_queue_sat, importance: tp_queue_imp}}
  - {{id: barista, label: Barista service, stage: experience,
     satisfaction: tp_barista_sat, importance: tp_barista_imp}}

# --- Open-ended answers (optional) -----------------------------------------------------
verbatims: [why_score]          # free-text columns
codeframe:                      # themes, found by regular expressions (no look-around)
  - {{id: taste, label: Taste of the coffee, quadrant: thinks, patterns: ['\\btast', 'flavou?r']}}
  - {{id: waiting, label: Waiting and speed, quadrant: does, patterns: ['\\bqueue', '\\bwait']}}
  - {{id: price, label: Price and value, quadrant: says, patterns: [expensive, '\\bprices?\\b']}}

# --- Needs-based segments and management's view (optional) -----------------------------
# needs_segment: needs_segment  # column the needs-based segments are written to (notebook 06)
# management: management.csv    # management's own view, one row per attribute:
#                               #   attribute,importance,performance (importance on the
#                               #   importance scale, performance on the performance scale)

# --- Personal data ---------------------------------------------------------------------
# Every column holding personal data. They are dropped before anything is written, and
# e-mail addresses, phone numbers and these names are masked in open-ended answers.
pii: [name, email, phone]       # CHANGE

# --- Quality checks --------------------------------------------------------------------
quality:
  duration: duration_sec        # interview length in seconds (delete if you have none)
  speeder_fraction: 0.33        # faster than this share of the median time: a speeder
  straightline_min_items: 8     # same answer on at least this many grid items: straight-liner
  max_missing: 0.5              # skipped more than this share of questions: flagged
  # Checks flag respondents; only duplicate submissions are excluded unless you list more:
  exclude: [duplicate, speeder, straightliner, high_missing]   # the demo's choice

# --- Customer economics (optional: delete if you have no transaction data) -------------
transactions:
  path: transactions.csv        # one row per purchase
  customer: customer_id
  date: date
  amount: amount
  customers: customers.csv      # one row per customer: acquisition date, channel, segment
  acquired: acquired
  channel: channel
  segment: segment
  acquisition: acquisition.csv  # acquisition spend by period and channel
  spend: spend
  spend_period: year
  period: Y
  margin_rate: 0.35
  discount_rate: 0.1
  horizon: 5
"""

README_TEMPLATE = """\
# {title}

A cvmkit study folder for {client}.

## From survey export to report

1. **The export.** Put the survey export in this folder (CSV, TSV, Excel, SPSS `.sav`,
   Parquet, or a Qualtrics CSV export with its extra header rows) and name it under `data:`
   in `study.yaml`.
2. **The study file.** Edit `study.yaml`: every line marked `CHANGE` names a column of your
   export; the comments explain each key, and the values shown are the bundled coffee-shop
   demo. Declare every column that holds personal data under `pii:`.
3. **Check it.**

   ```bash
   cvmkit validate {folder}/study.yaml
   ```

   Every problem is listed with the key at fault and a hint (the column you probably meant,
   the line to add). Repeat until it says the study is ready to run.
4. **Run it.**

   ```bash
   cvmkit run {folder}/study.yaml -p client_name="{client}" -p accent_color="#1f5f8b"
   ```

   The report lands in `reports/{slug}/<run-id>/`: `report.html` (one self-contained page
   for the client: summary, maps, drivers, tables; no code), `tables.xlsx` (every table, one
   sheet each), `figures/` (PNG and SVG), each executed notebook, and `manifest.json`
   (parameters, seeds, package versions and the hashes of the input files). Add
   `-p logo_path=logo.png` to put the client's logo on the cover.
5. **Many studies at once.** `cvmkit run a/study.yaml b/study.yaml c/study.yaml -j 2` runs
   them two at a time and ends with a table of each study's outcome, time and report.

Running the same study twice with the same seed (`--seed`, default 2026) gives identical
tables.
"""


def known_keys() -> list[str]:
    """The top-level keys a study file may have."""
    hidden = {"root", "source", "extra"}
    return sorted({f.name for f in fields(Study)} - hidden | {"slug", "kano"})


def new_study(path: str | Path, *, title: str | None = None, client: str | None = None,
              demo_data: bool = False, force: bool = False) -> dict[str, Path]:
    """Scaffold a study folder: a commented ``study.yaml`` and a ``README.md``.

    Parameters
    ----------
    path : str or Path
        The folder to create; its name becomes the study's slug.
    title, client : str, optional
        Put on the template (default: from the folder name / a placeholder).
    demo_data : bool
        Also copy the demo's survey export and transaction files in, so the folder runs as it
        is.
    force : bool
        Write into a folder that already has a ``study.yaml`` (it is overwritten).

    Returns
    -------
    dict
        ``{"study": path, "readme": path}`` (plus ``"data"`` with ``demo_data``).

    Raises
    ------
    CvmkitError
        When the folder already holds a study file and ``force`` is not set.
    ResourceError
        With ``demo_data``, when the bundled demo study cannot be found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> paths = new_study(pathlib.Path(tempfile.mkdtemp()) / "acme_2026")
    >>> sorted(paths)
    ['readme', 'study']
    """
    folder = Path(path)
    if (folder / "study.yaml").exists() and not force:
        raise CvmkitError(f"'{folder / 'study.yaml'}' already exists; choose another NAME or "
                          "pass --force to overwrite it")
    exports: list[Path] = []
    if demo_data:  # the demo's survey export and transaction files, found before writing
        from .resources import demo_dir

        demo = demo_dir()
        exports = sorted(demo.glob("*.csv"))
        if not any(f.name == "responses.csv" for f in exports):
            raise ResourceError(f"the demo's survey export '{demo / 'responses.csv'}' is "
                                "missing; reinstall cvmkit")
    folder.mkdir(parents=True, exist_ok=True)
    slug = slugify(folder.resolve().name) or "study"
    title = title or f"{folder.resolve().name.replace('_', ' ').title()} — customer value study"
    client = client or "Client name"
    values = {"title": title.replace('"', "'"), "client": client.replace('"', "'"),
              "slug": slug, "folder": folder.as_posix()}
    paths = {"study": folder / "study.yaml", "readme": folder / "README.md"}
    paths["study"].write_text(STUDY_TEMPLATE.format(**values), encoding="utf-8")
    paths["readme"].write_text(README_TEMPLATE.format(**values), encoding="utf-8")
    if demo_data:
        for f in exports:
            shutil.copyfile(f, folder / f.name)
        paths["data"] = folder / "responses.csv"
    return paths


# ---------------------------------------------------------------------- guidance
_COLUMN_RE = re.compile(r"column '([^']+)' not in data")
_LINE_RE = re.compile(r"^(?P<key>[^:]+): (?P<msg>.*)$", re.S)


def _close(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    cands = list(dict.fromkeys(str(c) for c in candidates))
    lower = {c.lower(): c for c in cands}
    found = difflib.get_close_matches(word.lower(), list(lower), n=n, cutoff=0.6)
    if not found:
        return []
    score = [difflib.SequenceMatcher(None, word.lower(), f).ratio() for f in found]
    return [lower[f] for f, r in zip(found, score) if r >= score[0] - 0.05]


def hints(problems: Sequence[str], columns: Iterable[str] = (),
          study_file: str | Path | None = None) -> list[tuple[str, str]]:
    """Advice for each problem of a study: ``[(problem, hint), …]`` (hint may be empty).

    Parameters
    ----------
    problems : sequence of str
        ``"key.path: message"`` lines from :class:`~cvmkit.errors.StudySpecError` or
        :func:`~cvmkit.study.validate_study`.
    columns : iterable of str
        The data's columns, to suggest the one a misspelt name meant.
    study_file : str or Path, optional
        The study file, named in the advice.

    Examples
    --------
    >>> hints(["attributes[3].kano.functional: column 'kf_q4' not in data"], ["kf_q04", "x"])
    [("attributes[3].kano.functional: column 'kf_q4' not in data", "did you mean 'kf_q04'?")]
    """
    cols = list(columns)
    keys = known_keys()
    where = f" of {study_file}" if study_file else ""
    out = []
    for problem in problems:
        m = _LINE_RE.match(problem)
        key, msg = (m.group("key"), m.group("msg")) if m else ("", problem)
        hint = ""
        col = _COLUMN_RE.search(msg)
        if col:
            near = _close(col.group(1), cols)
            if near:
                hint = "did you mean " + " or ".join(f"'{c}'" for c in near) + "?"
            elif cols:
                hint = (f"no column of the data looks like '{col.group(1)}'; correct `{key}`"
                        f"{where} or delete it if the survey did not ask this")
        elif msg.startswith("unknown key"):
            near = _close(key, keys)
            hint = (f"did you mean '{near[0]}'?" if near
                    else f"a study file knows these keys: {', '.join(keys)}")
        elif msg == "required":
            hint = (f"add `{key}:` to the study file{where} (see the template written by "
                    "`cvmkit new`)")
        elif "does not exist" in msg and key == "(file)":
            hint = "create a study folder with `cvmkit new NAME`, then edit its study.yaml"
        elif key.startswith("(yaml)"):
            hint = ("indent with spaces (not tabs), keep the same indentation in a list, and "
                    "quote values that contain ':' or '#'")
        elif "must contain {brand}" in msg:
            hint = ("write the column of one brand with {brand} in place of the brand's code, "
                    "e.g. perf_{brand}_taste for perf_acme_taste, perf_beanco_taste, …")
        elif "is not defined under scales" in msg:
            name = re.search(r"scale '([^']+)'", msg)
            nm = name.group(1) if name else "NAME"
            hint = f"add `{nm}: {{min: 1, max: 10}}` under `scales:` (with its own min and max)"
        elif "should be numeric" in msg:
            hint = ("recode text answers to numbers in the export, or declare codes such as "
                    "\"don't know\" under the scale's `missing:` list")
        elif "has no respondents" in msg:
            hint = "check the spelling of the level against the data, or drop it from the targets"
        elif "is not one of" in msg:
            hint = "use one of the values listed"
        out.append((problem, hint))
    return out
