"""The papermill pipeline: discovery, parameters, manifest, HTML export, whole-or-nothing runs."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cvmkit.errors import CvmkitError, PipelineError, StudySpecError
from cvmkit.pipeline import discover_notebooks, run_study


def _notebook(path, *sources, params="run_dir = None\nseed = 0\n"):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(new_code_cell(s) for s in sources)]
    nbformat.write(nb, str(path))


@pytest.fixture()
def notebooks(tmp_path, repo):
    d = tmp_path / "notebooks"
    d.mkdir()
    shutil.copy(repo / "notebooks" / "01_data_collection.ipynb", d)
    (d / "README.md").write_text("not a notebook")
    (d / "scratch.ipynb").write_text("{}")
    return d


def test_discover_notebooks_in_order(tmp_path):
    for name in ("10_last.ipynb", "02_b.ipynb", "01_a.ipynb", "draft.ipynb", "1_x.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in discover_notebooks(tmp_path)] == [
        "01_a.ipynb", "02_b.ipynb", "10_last.ipynb"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(PipelineError, match="no numbered notebooks"):
        discover_notebooks(tmp_path / "empty")
    with pytest.raises(PipelineError, match="does not exist"):
        discover_notebooks(tmp_path / "absent")


def test_run_writes_whole_run_with_manifest(notebooks, tmp_path, repo):
    _notebook(notebooks / "02_echo.ipynb",
              "from pathlib import Path\n"
              "Path(run_dir, 'echo.txt').write_text(f'{n_boot} {segment}')\n"
              "print('a computed sentence')",
              params="run_dir = None\nseed = 0\nn_boot = 10\nsegment = None\n")
    lines = []
    with pytest.raises(CvmkitError, match="unknown_option: no notebook declares"):
        run_study(repo / "data" / "demo" / "study.yaml", out=tmp_path / "reports",
                  parameters={"n_boot": 7, "unknown_option": 1}, notebooks_dir=notebooks)
    assert not (tmp_path / "reports").exists()
    result = run_study(repo / "data" / "demo" / "study.yaml", out=tmp_path / "reports",
                       parameters={"n_boot": 7}, notebooks_dir=notebooks, run_id="r1",
                       progress=lines.append)
    run = tmp_path / "reports" / "demo" / "r1"
    assert result.run_dir == run and result.status == "ok"
    assert sorted(p.name for p in (tmp_path / "reports" / "demo").iterdir()) == ["r1"]
    for name in ("01_data_collection.ipynb", "01_data_collection.html", "02_echo.ipynb",
                 "02_echo.html", "clean.parquet", "study.json", "manifest.json"):
        assert (run / name).is_file(), name
    assert (run / "echo.txt").read_text() == "7 None"
    html = (run / "02_echo.html").read_text()
    assert "a computed sentence" in html and "write_text" not in html
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["seed"] == 2026
    assert [n["notebook"] for n in manifest["notebooks"]] == ["01_data_collection.ipynb",
                                                              "02_echo.ipynb"]
    assert all(n["seconds"] > 0 for n in manifest["notebooks"])
    assert manifest["notebooks"][1]["parameters"]["n_boot"] == 7
    assert "n_boot" not in manifest["notebooks"][0]["parameters"]
    assert set(manifest["parameters"]) == {"study_path", "data_path", "seed", "n_boot"}
    assert len(manifest["inputs"]["data"]["sha256"]) == 64
    assert {"pandas", "statsmodels", "papermill"} <= set(manifest["versions"])
    assert any("[2/2] 02_echo" in line for line in lines)


def test_relative_out_folder_gets_every_export(notebooks, tmp_path, repo, monkeypatch):
    """A relative --out stays relative to where the command was started."""
    _notebook(notebooks / "02_echo.ipynb", "print('two')")
    monkeypatch.chdir(tmp_path)
    result = run_study(repo / "data" / "demo" / "study.yaml", out="reports",
                       notebooks_dir=notebooks, run_id="rel", progress=None)
    run = tmp_path / "reports" / "demo" / "rel"
    assert result.run_dir.resolve() == run
    for name in ("01_data_collection.html", "02_echo.html", "manifest.json"):
        assert (run / name).is_file(), name
    manifest = json.loads((run / "manifest.json").read_text())
    assert not any("html_error" in n for n in manifest["notebooks"])
    assert not (notebooks / "reports").exists()


def test_failed_notebook_names_cell_and_keeps_failed_folder(notebooks, tmp_path, repo):
    _notebook(notebooks / "02_broken.ipynb", "x = 1", "raise ValueError('no variance in value')")
    _notebook(notebooks / "03_never.ipynb", "open(run_dir + '/never', 'w')")
    with pytest.raises(PipelineError) as info:
        run_study(repo / "data" / "demo" / "study.yaml", out=tmp_path / "reports",
                  notebooks_dir=notebooks, run_id="r2", progress=None)
    msg = str(info.value)
    assert "02_broken.ipynb failed at cell 3 (raise ValueError('no variance in value'))" in msg
    assert "ValueError: no variance in value" in msg
    base = tmp_path / "reports" / "demo"
    assert sorted(p.name for p in base.iterdir()) == ["r2-FAILED"]
    failed = base / "r2-FAILED"
    assert (failed / "02_broken.ipynb").is_file() and not (failed / "never").exists()
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "02_broken" in manifest["error"]


def test_bad_study_runs_nothing(tmp_path, notebooks):
    bad = tmp_path / "study.yaml"
    bad.write_text("title: [oops\n")
    with pytest.raises(StudySpecError, match="not valid YAML"):
        run_study(bad, out=tmp_path / "reports", notebooks_dir=notebooks, progress=None)
    assert not (tmp_path / "reports").exists()
