"""The study specification: parsing, key-path errors, derived views, JSON round trip."""

from __future__ import annotations

import copy

import pandas as pd
import pytest
import yaml

from cvmkit.errors import StudySpecError
from cvmkit.simulate import study_spec
from cvmkit.study import Study, load_study, slugify, validate_study


@pytest.fixture()
def spec() -> dict:
    return copy.deepcopy(study_spec())


def test_demo_study_loads(repo):
    study = load_study(repo / "data" / "demo" / "study.yaml")
    assert study.brand.name == "Acme"
    assert [b.code for b in study.competitors] == ["beanco", "roastly", "daily_grind"]
    assert len(study.attributes) == 12
    assert study.attribute("taste").performance_column("daily_grind") == "perf_daily_grind_taste"
    assert study.outcome_column("value", "Daily Grind") == "overall_value_daily_grind"
    assert study.outcome_column("nps") == "nps"
    assert study.scales["performance"].missing == (99.0,)
    assert study.slug == "demo"
    assert study.data_path.name == "responses.csv" and study.data_path.is_file()
    assert study.stages == ("consideration", "purchase", "experience", "loyalty")


def test_slugify():
    assert slugify("Daily Grind") == "daily_grind"
    assert slugify("  Café & Co. ") == "caf_co"


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(StudySpecError, match="does not exist") as info:
        load_study(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(info.value)


def test_malformed_yaml_names_line(tmp_path):
    p = tmp_path / "study.yaml"
    p.write_text("title: x\nbrand: [unclosed\nattributes: 1\n", encoding="utf-8")
    with pytest.raises(StudySpecError, match=r"not valid YAML") as info:
        load_study(p)
    assert "line" in str(info.value) and str(p) in str(info.value)


def test_empty_file(tmp_path):
    p = tmp_path / "study.yaml"
    p.write_text("", encoding="utf-8")
    with pytest.raises(StudySpecError, match="empty"):
        load_study(p)


def test_every_problem_reported_at_once_with_key_paths(spec):
    spec["attributes"][2]["component"] = "vibes"
    spec["attributes"][4]["performance"] = "perf_staff"  # no {brand}
    spec["attributes"][5]["kano"] = {"functional": "kf_app"}
    spec["colour"] = "blue"
    del spec["title"]
    spec["attributes"][1]["id"] = "taste"
    with pytest.raises(StudySpecError) as info:
        Study.from_dict(spec, source="study.yaml")
    msgs = info.value.problems
    assert "attributes[2].component: 'vibes' is not one of quality, price, convenience, " \
           "service, experience" in msgs
    assert any(m.startswith("attributes[4].performance:") and "{brand}" in m for m in msgs)
    assert any(m.startswith("attributes[5].kano:") for m in msgs)
    assert "colour: unknown key (a typo?)" in msgs
    assert "title: required" in msgs
    assert "attributes[1].id: duplicate attribute id 'taste'" in msgs
    assert len(msgs) == 6
    assert "study.yaml" in str(info.value)


def test_undefined_scale_and_bad_pattern(spec):
    spec["attributes"][0]["scale"] = "stars"
    spec["codeframe"][0]["patterns"] = ["(unclosed"]
    with pytest.raises(StudySpecError) as info:
        Study.from_dict(spec)
    text = str(info.value)
    assert "attributes[0].scale: scale 'stars' is not defined" in text
    assert "codeframe[0].patterns[0]" in text


def test_validate_against_data_names_key_and_column(spec, repo):
    spec["attributes"][3]["kano"]["functional"] = "kf_q4"
    study = Study.from_dict(spec, root=repo / "data" / "demo")
    data = pd.read_csv(study.data_path, nrows=20)
    problems = validate_study(study, data, source="responses.csv")
    assert problems == [
        "attributes[3].kano.functional: column 'kf_q4' not in data of responses.csv"]


def test_validate_flags_non_numeric_rating(repo):
    study = load_study(repo / "data" / "demo" / "study.yaml")
    data = pd.read_csv(study.data_path, nrows=20)
    data["perf_acme_taste"] = data["perf_acme_taste"].astype(object)
    data.loc[3, "perf_acme_taste"] = "good"
    problems = validate_study(study, data)
    assert len(problems) == 1
    assert problems[0].startswith("attributes[0].performance: column 'perf_acme_taste' should be "
                                  "numeric (row 3: 'good')")


def test_json_round_trip(repo, tmp_path):
    study = load_study(repo / "data" / "demo" / "study.yaml")
    study.to_json(tmp_path / "study.json")
    again = Study.from_json(tmp_path / "study.json")
    assert again.to_dict() == {**study.to_dict(), "source": str(tmp_path / "study.json")}
    assert again.column_scales() == study.column_scales()


def test_yaml_template_keys_round_trip(spec, tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(spec), encoding="utf-8")
    study = load_study(p)
    assert study.kano_codes == {"like": 1, "must_be": 2, "neutral": 3, "live_with": 4, "dislike": 5}
    assert study.weights["targets"]["region"]["South"] == 0.3
    assert [t.id for t in study.codeframe][:2] == ["taste", "waiting"]


# ------------------------------------------------------------------ hostile study files
def _spec_text(**changes) -> str:
    spec = {"title": "T", "brand": "B", "scales": {"r": {"min": 1, "max": 10}},
            "attributes": [{"id": "a", "performance": "q_a", "scale": "r"}],
            "outcomes": {"value": {"column": "overall", "scale": "r"}}}
    spec.update(changes)
    return yaml.safe_dump(spec, allow_unicode=True)


@pytest.mark.parametrize("content, expected", [
    (b"\xff\xfe\x00t\x00i", "(file): not UTF-8 text"),
    ("title: Caf\xe9\nbrand: B\n".encode("latin-1"), "(file): not UTF-8 text"),
    (b"title: T\x00\x00\x00", "(file): a binary file"),
    (b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases (*a) are not supported"),
    (b"title: !!python/object:os.system ls\n", "(yaml) line 1"),
    (_spec_text(slug="../../../x").encode(), "slug: '../../../x' must be lower-case"),
    (_spec_text(title="x" * 2_000_000).encode(), "more than a study file's"),
    (_spec_text(title="x" * 600).encode(), "title: 600 characters, more than the 500"),
    (_spec_text(kano={"codes": {"like": "one", "must_be": 2, "neutral": 3, "live_with": 4,
                                "dislike": 5}}).encode(), "kano.codes: codes must be whole"),
    (_spec_text(scales={"r": {"min": 1, "max": 10, "labels": {"low": "Poor"}}}).encode(),
     "scales.r.labels: expected a mapping of whole-number codes"),
    (_spec_text(scales={"r": {"min": -1e308, "max": 1e308}}).encode(),
     "scales.r: min and max must lie within"),
    (_spec_text(weights={"targets": {"area": {"North": "quarter"}}}).encode(),
     "weights.targets.area: shares must be numbers, got 'quarter'"),
    (_spec_text(attributes=[{"id": "a", "performance": "perf_{brand}_{taste}",
                             "scale": "r"}]).encode(),
     "attributes[0].performance: 'perf_{brand}_{taste}': the only placeholder"),
])
def test_hostile_study_files_end_in_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "study.yaml"
    path.write_bytes(content)
    with pytest.raises(StudySpecError) as info:
        load_study(path)
    assert expected in str(info.value), str(info.value)[:300]


def test_a_slug_never_becomes_a_path(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_text(_spec_text(title="!!!"), encoding="utf-8")
    assert load_study(path).slug == "study"
