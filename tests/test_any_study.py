"""Any real study runs end to end: every study shape, a real public survey, no demo wording.

The whole notebook sequence runs (as ``cvmkit run a.yaml b.yaml … -j 2``) on every shape of
:data:`cvmkit.simulate.shapes.SHAPES` — minimal (one brand, an outcome and attribute ratings, no
id column), one brand with everything else, two brands, six brands, no segments, one segment
level, partial Kano, 3 and 30 attributes, no price or experience questions, a weight column
without waves — and on the ECSI mobile-phone survey (tests/data/ecsi_mobi, real data).  Each
must finish with a report; a section whose inputs are absent says so in one sentence; the
report and notebooks of a non-demo study hold none of the demo's words.
"""

from __future__ import annotations

import html as _html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvmkit.cli import main
from cvmkit.pipeline import run_batch, run_study
from cvmkit.simulate.shapes import SHAPES, StudyShape, write_shape

REPO = Path(__file__).resolve().parents[1]
FAST = {"n_boot": 20, "n_repeats": 2, "n_sub": 0, "n_stability": 2, "k_max": 3}
N = 300

#: Words of the coffee-shop demo that must never reach another study's outputs.
DEMO_WORDS = ("Acme", "BeanCo", "Roastly", "Daily Grind", "coffee", "café", "barista",
              "espresso", "latte", "pastries", "pastry", "hygiene", "hygienic", "Wi-Fi",
              "ambience", "Connoisseurs", "Commuters", "coffee shop", "flat white",
              "is taste", "than hygiene", "age band", "age_band")


_RUNS: dict[str, object] = {}


@pytest.fixture(scope="session")
def shape_runs(tmp_path_factory) -> dict[str, Path]:
    """Every shape and the real survey, run once as one batch on two workers (a failed batch
    fails every test that needs it, without running again)."""
    if "runs" not in _RUNS:
        try:
            _RUNS["runs"] = _run_shapes(tmp_path_factory)
        except AssertionError as exc:
            _RUNS["runs"] = exc
    if isinstance(_RUNS["runs"], AssertionError):
        raise _RUNS["runs"]
    return _RUNS["runs"]


def _run_shapes(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("shapes")
    studies = {name: write_shape(base / name, name, n=N, seed=7)["study"] for name in SHAPES}
    real = base / "ecsi_mobi"
    shutil.copytree(REPO / "tests" / "data" / "ecsi_mobi", real)
    studies["ecsi_mobi"] = real / "study.yaml"
    results = run_batch(list(studies.values()), jobs=2, out=base / "reports", parameters=FAST,
                        progress=None)
    by_source = {Path(r.source).resolve(): r for r in results}
    failed = {n: by_source[p.resolve()].error for n, p in studies.items()
              if by_source[p.resolve()].status != "ok"}
    assert not failed, f"runs failed: {failed}"
    return {n: by_source[p.resolve()].run_dir for n, p in studies.items()}


def _text(path: Path) -> str:
    if path.suffix == ".pptx":  # the words of the slides and their notes
        from pptx import Presentation

        deck = Presentation(str(path))
        return " ".join([sh.text_frame.text for s in deck.slides for sh in s.shapes
                         if sh.has_text_frame]
                        + [s.notes_slide.notes_text_frame.text for s in deck.slides
                           if s.has_notes_slide])
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [*SHAPES, "ecsi_mobi"])
def test_every_shape_runs_and_its_outputs_carry_no_demo_words(shape_runs, name):
    run = shape_runs[name]
    assert (run / "report.html").is_file() and (run / "tables.xlsx").is_file()
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    for page in [run / "report.html", run / "deck.pptx", *sorted(run.glob("0*.html"))]:
        text = _text(page)
        found = [w for w in DEMO_WORDS if re.search(rf"\b{re.escape(w)}\b", text, re.I)]
        assert not found, f"{page.name} of {name} carries demo words {found}"
        for slot in (" against ;", "from None", "None respondents", "nan %"):
            assert slot not in text, f"{page.name} of {name}: an empty slot '{slot}'"


def test_skipped_sections_say_so_in_one_sentence(shape_runs):
    import nbformat

    nb = nbformat.read(shape_runs["minimal"] / "02_needs_vs_wants.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Kano analysis — not run: the study has no Kano question pairs" in text
    assert "functional** —" not in text  # no method text for the analysis that did not run
    caps = json.loads((shape_runs["minimal"] / "capabilities.json").read_text())
    assert caps["drivers"]["available"] and not caps["kano"]["available"]
    nb4 = nbformat.read(shape_runs["two_brands"] / "04_value_maps.ipynb", as_version=4)
    skipped = [c.source for c in nb4.cells if "cvmkit-skipped" in c.metadata.get("tags", [])]
    assert any("Perceptual map — not run" in s for s in skipped)


def test_minimal_report_says_in_one_sentence_why_segments_sentiment_waves_and_views_are_absent(
        shape_runs):
    from cvmkit.capabilities import Capability
    from cvmkit.report.deck import DECK_FILE
    from cvmkit.summary import executive_summary

    run = shape_runs["minimal"]
    caps = json.loads((run / "capabilities.json").read_text())
    page = (run / "report.html").read_text(encoding="utf-8")
    summary = executive_summary(run)
    for key, cap in (("segments", "needs_segments"), ("sentiment", "sentiment"),
                     ("change", "waves"), ("management", "management_map")):
        c = Capability(cap, caps[cap]["label"], caps[cap]["available"], caps[cap]["reason"])
        assert not c.available
        m = re.search(rf'<section id="finding-{key}" class="[^"]*not-covered[^"]*" '
                      rf'data-section="{key}"><h2>[^<]+</h2>(.*?)</section>', page, flags=re.S)
        assert m, f"section {key} is not marked as not covered"
        assert re.findall(r"<p[^>]*>(.*?)</p>", m.group(1)) == [_html.escape(c.plain_sentence)]
        assert "<figure" not in m.group(1) and "<table" not in m.group(1)
        assert f'data-part="{key}"' not in page  # and the executive summary leaves it out
        assert summary.loc[summary.part == key, "sentence"].tolist() == [c.plain_sentence]
    from pptx import Presentation

    slides = [s for s in Presentation(str(run / DECK_FILE)).slides
              if s.shapes.title is not None
              and s.shapes.title.text == "What changed since the last wave"]
    assert len(slides) == 1 and not any(sh.shape_type == 13 for sh in slides[0].shapes)


def test_minimal_study_numbers_its_rows_and_excludes_nobody_by_default(shape_runs):
    res = json.loads((shape_runs["minimal"] / "results" / "01_data_collection.json")
                     .read_text())
    assert res["numbered_rows"] is True and res["n_excluded"] == 0
    assert res["exclusion_checks"] == ["duplicate"]
    clean = pd.read_parquet(shape_runs["minimal"] / "clean.parquet")
    assert clean["respondent"].tolist()[:3] == [1, 2, 3]


def test_real_survey_lmg_matches_relaimpo(shape_runs):
    """The ECSI survey's LMG shares equal R relaimpo's (tests/data/ecsi_mobi/reference.json)."""
    ref = json.loads((REPO / "tests/data/ecsi_mobi/reference.json").read_text())
    imp = pd.read_csv(shape_runs["ecsi_mobi"] / "tables" / "03_driver_regression__importance.csv")
    lmg = imp[imp["method"] == "lmg"].set_index("driver")
    study = json.loads((shape_runs["ecsi_mobi"] / "study.json").read_text())
    column = {a["id"]: a["performance"] for a in study["attributes"]}
    expected = {k: float(v) for k, v in ref["lmg"].items()}  # parts of R², rela = FALSE
    got = {column[d]: float(lmg.loc[d, "raw"]) for d in lmg.index}
    assert got.keys() == expected.keys()
    for col, value in expected.items():
        assert got[col] == pytest.approx(value, abs=1e-10), col
    assert float(lmg["r2"].iloc[0]) == pytest.approx(ref["r2"], abs=1e-10)


# ------------------------------------------------------------------ validate ⟺ run
_shapes = st.builds(
    StudyShape, name=st.just("drawn"), brands=st.integers(1, 6),
    attributes=st.integers(3, 14), kano=st.sampled_from(["all", "some", "none"]),
    importance=st.booleans(), price=st.booleans(), segments=st.integers(0, 3),
    waves=st.booleans(), weights=st.sampled_from(["none", "column", "raking"]),
    nps=st.booleans(), csat=st.booleans(), ces=st.booleans(), touchpoints=st.booleans(),
    open_ends=st.booleans(), ids=st.booleans(), quality=st.booleans())
_faults = st.sampled_from([None, "missing_column", "text_rating", "bad_target"])


def _inject(study: Path, fault: str | None) -> None:
    data = study.parent / "responses.csv"
    frame = pd.read_csv(data)
    if fault == "missing_column":
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("reliability")][:1])
    elif fault == "text_rating":
        col = next(c for c in frame.columns if c.startswith("reliability"))
        frame[col] = frame[col].astype(object)
        frame.loc[5, col] = "very good"
    elif fault == "bad_target":  # raking to a level no respondent has
        spec = yaml.safe_load(study.read_text())
        frame["zone"] = "Inner"
        spec["weights"] = {"targets": {"zone": {"Inner": 0.5, "Outer": 0.5}}}
        study.write_text(yaml.safe_dump(spec, allow_unicode=True))
    frame.to_csv(data, index=False)


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(shape=_shapes, fault=_faults, seed=st.integers(0, 1000))
def test_validate_says_ready_exactly_when_run_succeeds(tmp_path_factory, shape, fault, seed):
    folder = tmp_path_factory.mktemp("drawn")
    study = write_shape(folder / "study", shape, n=150, seed=seed)["study"]
    _inject(study, fault)
    ready = main(["validate", str(study)]) == 0
    try:
        run_study(study, out=folder / "reports", parameters=FAST, progress=None)
        ran = True
    except Exception:  # noqa: BLE001 - any failure counts as "did not run"
        ran = False
    assert ready == ran, f"validate said {'ready' if ready else 'not ready'}, run " \
                         f"{'succeeded' if ran else 'failed'} ({shape}, fault {fault})"


def test_run_prints_a_failure_once_and_whole(tmp_path, capsys):
    study = write_shape(tmp_path / "s", "minimal", n=60)["study"]
    data = pd.read_csv(study.parent / "responses.csv")
    data.drop(columns=["reliability_northwind", "ease_northwind"]).to_csv(
        study.parent / "responses.csv", index=False)
    assert main(["validate", str(study)]) == 1
    assert main(["run", str(study), "--out", str(tmp_path / "reports")]) == 1
    out = capsys.readouterr()
    both = out.out + out.err
    assert both.count("attributes[0].performance: column 'reliability_northwind' not in data") == 2
    assert both.count("attributes[2].performance: column 'ease_northwind' not in data") == 2
    run_lines = [ln for ln in both.splitlines() if "01_data_collection.ipynb failed" in ln]
    assert len(run_lines) == 1  # once by validate's and once by run's own report, no more
