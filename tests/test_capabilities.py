"""What a study holds: capabilities, minimal study files, notebook sections, study shapes."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from cvmkit.capabilities import CAPABILITIES
from cvmkit.cli import main
from cvmkit.collect import collect
from cvmkit.errors import CvmkitError, StudySpecError
from cvmkit.io import read_responses
from cvmkit.quality import exclusion_checks
from cvmkit.sections import TAG_PREFIX, cell_requirements, prune_notebook, read_capabilities
from cvmkit.simulate.shapes import SHAPES, StudyShape, simulate_shape, write_shape
from cvmkit.study import Study, load_study

ROOT = Path(__file__).resolve().parents[1]


def _minimal(**extra):
    spec = {"title": "T", "brand": "Only", "scales": {"r": {"min": 1, "max": 10}},
            "attributes": [{"id": "a", "performance": "q_a", "scale": "r"},
                           {"id": "b", "performance": "q_b", "scale": "r"}],
            "outcomes": {"value": {"column": "overall", "scale": "r"}}}
    spec.update(extra)
    return spec


def _write(tmp_path: Path, spec: dict, frame: pd.DataFrame, name: str = "responses.csv",
           **csv) -> Path:
    import yaml

    spec = {**spec, "data": name}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    frame.to_csv(tmp_path / name, index=False, **csv)
    return tmp_path / "study.yaml"


def _frame(n: int = 40, seed: int = 0) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    a, b = rng.integers(1, 11, n), rng.integers(1, 11, n)
    return pd.DataFrame({"q_a": a, "q_b": b,
                         "overall": np.clip(np.rint((a + b) / 2 + rng.normal(0, 1, n)), 1, 10)})


# ------------------------------------------------------------------ capabilities
def test_demo_supports_everything():
    caps = load_study(ROOT / "data/demo/study.yaml").capabilities()
    assert list(caps) == list(CAPABILITIES)
    assert all(c.available for c in caps.values())


def test_minimal_study_supports_only_the_overall_analyses():
    study = Study.from_dict(_minimal())
    caps = study.capabilities()
    assert {n for n, c in caps.items() if c.available} == {
        "overall", "drivers", "dominance", "logit_dominance", "needs", "importance"}
    assert caps["kano"].sentence.startswith("Kano analysis — not run: the study has no Kano")
    assert caps["competitors"].reason.startswith("the study rates one brand only")
    assert not study.supports("segments")


def test_two_brands_have_no_perceptual_map_but_a_value_map():
    spec = _minimal(competitors=["Other"], price={"perceived": "p_{brand}", "scale": "r"})
    for a in spec["attributes"]:
        a["performance"] += "_{brand}"
    caps = Study.from_dict(spec).capabilities()
    assert caps["competitors"] and caps["value_map"] and caps["perceived_price"]
    assert not caps["perceptual_map"]
    assert "two brands give a single axis" in caps["perceptual_map"].reason


def test_data_dependent_capabilities_single_segment_level_and_wave():
    study = Study.from_dict(_minimal(segments=["seg"], wave="wave"))
    data = _frame().assign(seg="only", wave=1)
    assert study.capabilities()["segments"].available
    caps = study.capabilities(data)
    assert not caps["segments"] and "single level" in caps["segments"].reason
    assert not caps["waves"] and "single wave" in caps["waves"].reason
    assert study.capabilities(data.assign(seg=["x", "y"] * 20))["segments"]


def test_no_outcome_means_no_driver_analysis():
    spec = _minimal()
    del spec["outcomes"]
    with pytest.raises(StudySpecError, match="outcomes: the study needs an overall rating"):
        Study.from_dict(spec)  # nor stated importance: nothing to analyse
    spec["attributes"][0]["importance"] = "imp_a"
    spec["scales"]["importance"] = {"min": 1, "max": 5}
    caps = Study.from_dict(spec).capabilities()
    assert not caps["overall"] and not caps["drivers"]
    assert not caps["needs"] and caps["importance"]  # no Kano; stated importance
    assert Study.from_dict(spec).overall_outcome is None


def test_dominance_is_limited_by_the_number_of_attributes():
    spec = _minimal()
    spec["attributes"] = [{"id": f"a{i}", "performance": f"q{i}", "scale": "r"}
                          for i in range(13)]
    caps = Study.from_dict(spec).capabilities()
    assert caps["dominance"] and not caps["logit_dominance"]
    assert "up to 12 attributes (the study has 13)" in caps["logit_dominance"].reason


def test_overall_outcome_falls_back_to_csat():
    spec = _minimal(outcomes={"csat": {"column": "overall", "scale": "r"}})
    assert Study.from_dict(spec).overall_outcome == "csat"


# ------------------------------------------------------------------ a minimal study file
def test_minimal_study_without_ids_runs_the_data_step(tmp_path):
    frame = _frame()
    frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)  # the same ratings twice
    result = collect(load_study(_write(tmp_path, _minimal(), frame)))
    assert result.study.numbered_rows and result.study.respondent_id == "respondent"
    assert result.data["respondent"].tolist() == list(range(1, len(frame) + 1))
    assert result.dropped.empty  # identical ratings alone prove nothing
    # with an open-ended answer, a row repeating another in every column is a resubmission
    frame["why"] = [f"comment {i}" for i in range(len(frame) - 1)] + ["comment 3"]
    result = collect(load_study(_write(tmp_path, _minimal(verbatims=["why"]), frame)))
    assert result.dropped["row"].tolist() == [len(frame) - 1]
    assert len(result.clean) == len(frame) - 1


def test_plain_columns_need_braces_only_with_competitors():
    Study.from_dict(_minimal())
    with pytest.raises(StudySpecError, match=r"must contain \{brand\}.*competitors"):
        Study.from_dict(_minimal(competitors=["Other"]))


def test_no_reserved_column_names(tmp_path):
    frame = _frame().assign(weight=70.5, respondent=5)  # the data's own columns of those names
    result = collect(load_study(_write(tmp_path, _minimal(), frame)))
    assert result.study.weight_column == "weight_1"
    assert result.study.respondent_id == "respondent_1"
    assert (result.clean["weight"] == 70.5).all() and (result.clean["weight_1"] == 1).all()
    # the bound study travels through study.json
    back = Study.from_dict(json.loads(json.dumps(result.study.to_dict())))
    assert back.weight_column == "weight_1" and back.bound and back.numbered_rows
    assert back.bind(["weight"]) is back


def test_decimal_commas_in_a_semicolon_export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("q_a;q_b;overall;price\n7;8;7,5;1,225\n6;5;5,0;2,5\n9;9;9;3\n",
                    encoding="cp1252")
    raw = read_responses(path)
    assert raw["overall"].tolist() == [7.5, 5.0, 9.0]
    assert raw["price"].tolist() == [1.225, 2.5, 3.0]
    comma = tmp_path / "comma.csv"
    comma.write_text('a,b\n"1,225",x\n', encoding="utf-8")  # a comma-delimited file: left alone
    assert read_responses(comma)["a"].tolist() == ["1,225"]


def test_only_duplicates_are_excluded_by_default_and_the_study_opts_in(tmp_path):
    assert exclusion_checks(Study.from_dict(_minimal())) == ("duplicate",)
    demo = load_study(ROOT / "data/demo/study.yaml")
    assert set(exclusion_checks(demo)) == {"duplicate", "speeder", "straightliner",
                                           "high_missing"}
    frame = _frame().assign(q_b=lambda d: d["q_a"], id=range(40))  # all "straight-line"
    spec = _minimal(quality={"straightline_min_items": 2}, respondent_id="id")
    kept = collect(load_study(_write(tmp_path, spec, frame))).clean
    assert len(kept) == len(frame)  # flagged, not excluded
    spec["quality"]["exclude"] = ["straightliner"]
    with pytest.raises(CvmkitError, match="every respondent was excluded"):
        collect(load_study(_write(tmp_path, spec, frame)))


@pytest.mark.parametrize("quality, key", [
    ({"speeder_fraction": "fast"}, "quality.speeder_fraction"),
    ({"max_missing": 2}, "quality.max_missing"),
    ({"straightline_min_items": 1}, "quality.straightline_min_items"),
    ({"exclude": ["speeders"]}, "quality.exclude"),
    ({"colour": 1}, "quality.colour"),
])
def test_quality_settings_are_checked_when_the_study_is_read(quality, key):
    with pytest.raises(StudySpecError) as info:
        Study.from_dict(_minimal(quality=quality))
    assert any(p.startswith(key + ":") for p in info.value.problems)


# ------------------------------------------------------------------ notebook sections
def test_every_requires_tag_names_a_capability():
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            cell_requirements(cell, nb_path.name)  # raises on an unknown name


def test_prune_replaces_each_skipped_stretch_by_one_sentence():
    cells = [nbformat.v4.new_markdown_cell("# Title"),
             nbformat.v4.new_markdown_cell("## Kano", metadata={"tags": ["requires-kano"]}),
             nbformat.v4.new_code_cell("k()", metadata={"tags": ["requires-kano"]}),
             nbformat.v4.new_code_cell("x = 1"),
             nbformat.v4.new_code_cell("k2()", metadata={"tags": ["requires-kano"]}),
             nbformat.v4.new_code_cell("s()", metadata={"tags": ["requires-segments",
                                                                 "requires-kano"]}),
             nbformat.v4.new_code_cell("w()", metadata={"tags": ["requires-waves"]})]
    nb = nbformat.v4.new_notebook(cells=cells)
    caps = Study.from_dict(_minimal(wave="wave")).capabilities()
    out = prune_notebook(nb, caps, "x.ipynb")
    sources = [c.source for c in out.cells]
    assert sources[0] == "# Title" and sources[2] == "x = 1" and sources[-1] == "w()"
    assert sources[1].startswith("*Kano analysis — not run") and "##" not in sources[1]
    assert sources[3].startswith("*Segment comparisons — not run")  # Kano said once only
    assert len(nb.cells) == 7  # the input is untouched
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "", metadata={"tags": [TAG_PREFIX + "kanoo"]})])
    with pytest.raises(CvmkitError, match="'requires-kanoo' name no capability"):
        prune_notebook(bad, caps, "x.ipynb")


def test_capabilities_written_with_the_clean_data(tmp_path):
    from cvmkit.io import write_clean

    study = Study.from_dict(_minimal(segments=["seg"])).bind(["q_a", "q_b", "overall", "seg"])
    write_clean(tmp_path, _frame().assign(seg="one", weight=1.0), study)
    caps = read_capabilities(tmp_path)
    assert caps["drivers"].available and not caps["segments"].available
    assert read_capabilities(tmp_path / "nothing") is None


# ------------------------------------------------------------------ shapes
def test_shapes_cover_the_acceptance_list():
    shapes = SHAPES.values()
    assert len(SHAPES) >= 12
    minimal = SHAPES["minimal"]
    assert minimal.brands == 1 and not minimal.ids and minimal.kano == "none"
    assert any(s.brands == 1 and s.kano == "all" and s.price for s in shapes)
    assert any(s.brands == 2 for s in shapes)
    assert any(s.segments == 0 for s in shapes) and any(s.segments == 1 for s in shapes)
    assert any(s.kano == "some" for s in shapes)
    assert {3, 30} <= {s.attributes for s in shapes}


def test_shape_is_reproducible_and_its_study_loads(tmp_path):
    a, spec, planted = simulate_shape(SHAPES["partial_kano"], n=80, seed=3)
    b, _, _ = simulate_shape(SHAPES["partial_kano"], n=80, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert set(planted["kano"]) == {x["id"] for x in spec["attributes"] if "kano" in x}
    assert abs(sum(planted["driver_weights"].values()) - 1) < 1e-5
    paths = write_shape(tmp_path, "partial_kano", n=80, seed=3)
    study = load_study(paths["study"])
    assert not (tmp_path / "truth.json").exists() and not study.supports("truth")
    result = collect(study)
    assert len(result.dropped) == 3  # the planted duplicate submissions


def test_shape_rejects_impossible_settings():
    with pytest.raises(CvmkitError, match="brands: expected 1 to 6"):
        StudyShape(brands=7)
    with pytest.raises(CvmkitError, match="unknown study shape 'nope'"):
        write_shape("/nonexistent", "nope")


def test_simulate_shape_and_list_from_the_command_line(tmp_path, capsys):
    assert main(["simulate", "--list-shapes"]) == 0
    assert "thirty_attributes" in capsys.readouterr().out
    assert main(["simulate", "--shape", "two_brands", "--out", str(tmp_path / "s"),
                 "-n", "60"]) == 0
    assert main(["validate", str(tmp_path / "s" / "study.yaml")]) == 0
    out = capsys.readouterr().out
    assert "will skip: Perceptual map — a perceptual map needs at least three brands" in out
    assert out.strip().endswith("ready to run with `cvmkit run "
                                f"{tmp_path / 's' / 'study.yaml'}`")


def test_notebooks_copied_for_a_study_run_in_the_lab_as_they_are(tmp_path, capsys):
    """`cvmkit notebooks DIR --study S`: copies pointing at S without the sections S lacks."""
    study = write_shape(tmp_path / "s", "minimal", n=40)["study"]
    assert main(["notebooks", str(tmp_path / "nbs"), "--study", str(study)]) == 0
    nb = nbformat.read(tmp_path / "nbs" / "02_needs_vs_wants.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert json.dumps(str(study.resolve())) in params.source
    assert not any(t.startswith(TAG_PREFIX) and t != "requires-drivers"
                   and t != "requires-overall" and t != "requires-needs"
                   and t != "requires-importance"
                   for c in nb.cells for t in c.metadata.get("tags", []))
    assert any("Kano analysis — not run" in c.source for c in nb.cells)
