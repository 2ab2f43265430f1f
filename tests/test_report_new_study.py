"""Starting a study: ``cvmkit new`` scaffolds a folder, ``cvmkit validate`` guides to a
runnable spec with a hint for each problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cvmkit.cli import main
from cvmkit.errors import CvmkitError
from cvmkit.scaffold import hints, known_keys, new_study


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_new_writes_a_commented_template_and_instructions(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "acme_2026"
    code, out, _ = _run(capsys, "new", str(folder), "--client", "Acme Coffee")
    assert code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "study.yaml"]
    text = (folder / "study.yaml").read_text()
    spec = yaml.safe_load(text)
    assert set(spec) <= set(known_keys())
    assert spec["slug"] == "acme_2026" and spec["client"] == "Acme Coffee"
    assert text.count("# CHANGE") >= 8  # the lines a user must edit are marked
    comments = [ln for ln in text.splitlines() if ln.lstrip().startswith("#")]
    assert len(comments) >= 40
    readme = (folder / "README.md").read_text()
    assert f"cvmkit validate {folder.as_posix()}/study.yaml" in readme
    assert "report.html" in readme and "tables.xlsx" in readme
    assert "cvmkit validate" in out and "cvmkit run" in out


def test_new_refuses_to_overwrite(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "s"
    assert _run(capsys, "new", str(folder))[0] == 0
    (folder / "study.yaml").write_text("title: mine\n")
    code, _, err = _run(capsys, "new", str(folder))
    assert code == 2 and "already exists" in err and "--force" in err
    assert (folder / "study.yaml").read_text() == "title: mine\n"
    assert _run(capsys, "new", str(folder), "--force")[0] == 0
    with pytest.raises(CvmkitError, match="already exists"):
        new_study(folder)


def test_scaffold_with_demo_data_validates(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "demo_copy"
    assert _run(capsys, "new", str(folder), "--demo-data")[0] == 0
    assert (folder / "responses.csv").is_file() and (folder / "transactions.csv").is_file()
    code, out, err = _run(capsys, "validate", str(folder / "study.yaml"), "--check-quality")
    assert code == 0, err
    assert "the study file is valid (5 attributes, 4 brands)" in out
    assert "ready to run with `cvmkit run" in out
    assert re.search(r"quality checks: [\d,]+ of [\d,]+ respondents kept \(\d+ excluded: "
                     r"duplicate \d+", out), out
    assert "will run: " in out
    assert "note: column 'resp_id'" in out  # the demo's planted duplicates, as a note


def test_validate_without_the_export_says_where_to_put_it(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "fresh"
    new_study(folder)
    code, out, err = _run(capsys, "validate", str(folder / "study.yaml"))
    assert code == 1
    assert "survey data file" in err and "does not exist" in err
    assert "hint: copy the survey export to" in err and "--data FILE" in err


def test_validate_suggests_the_column_meant(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "typo"
    new_study(folder, demo_data=True, force=False)
    path = folder / "study.yaml"
    path.write_text(path.read_text().replace("importance: imp_speed", "importance: imp_sped"))
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 1
    assert "attributes[1].importance: column 'imp_sped' not in data" in err
    assert "attributes[1].importance: did you mean 'imp_speed'?" in err
    assert f"run `cvmkit validate {path}` again" in err


def test_validate_suggests_the_key_meant(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "key"
    new_study(folder, demo_data=True)
    path = folder / "study.yaml"
    path.write_text(path.read_text().replace("competitors:", "competitor:", 1))
    code, _, err = _run(capsys, "validate", str(path))
    assert code == 1
    assert "competitor: unknown key (a typo?)" in err
    assert "competitor: did you mean 'competitors'?" in err


@pytest.mark.parametrize("problem, columns, hint", [
    ("attributes[3].kano.functional: column 'kf_q4' not in data", ["kf_q04", "x"],
     "did you mean 'kf_q04'?"),
    ("attributes[3].kano.functional: column 'zzz' not in data", ["kf_q04"],
     "no column of the data looks like 'zzz'; correct `attributes[3].kano.functional` or "
     "delete it if the survey did not ask this"),
    ("titel: unknown key (a typo?)", [], "did you mean 'title'?"),
    ("title: required", [],
     "add `title:` to the study file (see the template written by `cvmkit new`)"),
    ("(yaml) line 3, column 1: not valid YAML (found a tab)", [],
     "indent with spaces (not tabs), keep the same indentation in a list, and quote values "
     "that contain ':' or '#'"),
    ("attributes[0].scale: scale 'rating' is not defined under scales", [],
     "add `rating: {min: 1, max: 10}` under `scales:` (with its own min and max)"),
    ("outcomes.nps.column: column 'nps' should be numeric (row 4: 'ten')", [],
     "recode text answers to numbers in the export, or declare codes such as \"don't know\" "
     "under the scale's `missing:` list"),
    ("segments[0]: something else entirely", [], ""),
])
def test_hints(problem: str, columns: list[str], hint: str) -> None:
    assert hints([problem], columns) == [(problem, hint)]
