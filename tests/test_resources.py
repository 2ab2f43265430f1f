"""Where the kit finds its notebooks and demo study, and ``cvmkit notebooks DIR``.

In this checkout (an editable install) the bundled folders are the repository's own; the
installed-wheel case is run end to end by tests/test_wheel.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cvmkit import resources
from cvmkit.cli import _note_unused_notebooks, main
from cvmkit.errors import CvmkitError, ResourceError
from cvmkit.pipeline import default_notebooks_dir, default_study_path
from cvmkit.resources import copy_notebooks, demo_dir, demo_study_path, notebooks_dir


def _params(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    (cell,) = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    return "".join(cell["source"])


def test_checkout_uses_the_repository_folders(repo: Path) -> None:
    assert notebooks_dir() == repo / "notebooks"
    assert demo_dir() == repo / "data" / "demo"
    assert demo_study_path() == repo / "data" / "demo" / "study.yaml"
    assert default_notebooks_dir() == notebooks_dir()
    assert default_study_path() == demo_study_path()


def test_the_current_folder_plays_no_part(repo: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_stray.ipynb").write_text("{}")
    (tmp_path / "data" / "demo").mkdir(parents=True)
    (tmp_path / "data" / "demo" / "study.yaml").write_text("title: stray\n")
    monkeypatch.chdir(tmp_path)
    assert default_notebooks_dir() == repo / "notebooks"
    assert default_study_path() == repo / "data" / "demo" / "study.yaml"


def test_the_package_folder_comes_first(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "site" / "cvmkit"
    (package / "notebooks").mkdir(parents=True)
    (package / "data" / "demo").mkdir(parents=True)
    (package / "data" / "demo" / "study.yaml").write_text("title: bundled\n")
    (tmp_path / "site" / "notebooks").mkdir()  # would be the checkout's: not used
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert notebooks_dir() == package / "notebooks"
    assert demo_study_path() == package / "data" / "demo" / "study.yaml"


def test_missing_folders_are_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path / "cvmkit")
    with pytest.raises(ResourceError, match="notebooks") as info:
        notebooks_dir()
    assert str(tmp_path / "cvmkit" / "notebooks") in str(info.value)
    assert str(tmp_path / "notebooks") in str(info.value)
    assert isinstance(info.value, CvmkitError)
    (tmp_path / "data" / "demo").mkdir(parents=True)
    with pytest.raises(ResourceError, match="study.yaml"):
        demo_study_path()


def test_copies_point_at_the_bundled_demo_and_change_nothing_else(repo: Path,
                                                                 tmp_path: Path) -> None:
    copies = copy_notebooks(tmp_path / "mine")
    originals = sorted((repo / "notebooks").glob("*.ipynb"))
    assert [c.name for c in copies] == [o.name for o in originals]
    demo = str((repo / "data" / "demo" / "study.yaml").resolve())
    for original, copy in zip(originals, copies):
        assert 'study_path = "../data/demo/study.yaml"' in _params(original)
        assert f"study_path = {json.dumps(demo)}" in _params(copy)
        assert _params(copy) == _params(original).replace("../data/demo/study.yaml", demo)
        before, after = json.loads(original.read_text()), json.loads(copy.read_text())
        for cells in (before["cells"], after["cells"]):  # everything else is the same
            for cell in cells:
                if "parameters" in cell.get("metadata", {}).get("tags", []):
                    cell["source"] = None
        assert after == before


def test_copies_are_not_overwritten_without_force(tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    first = copy_notebooks(dest)
    first[0].write_text("my edits")
    with pytest.raises(ResourceError, match="already holds") as info:
        copy_notebooks(dest)
    assert str(dest) in str(info.value) and first[0].name in str(info.value)
    assert first[0].read_text() == "my edits"
    copy_notebooks(dest, force=True)
    assert first[0].read_text() != "my edits"


def test_the_kit_folder_and_files_are_refused(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(ResourceError, match="own notebooks folder"):
        copy_notebooks(repo / "notebooks", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ResourceError, match="is a file"):
        copy_notebooks(tmp_path / "file")


def test_notebooks_command(repo: Path, tmp_path: Path, capsys) -> None:
    dest = tmp_path / "nbs"
    assert main(["notebooks", str(dest)]) == 0
    out = capsys.readouterr().out
    n = len(list((repo / "notebooks").glob("*.ipynb")))
    assert f"copied {n} notebooks" in out and f"--notebooks {dest}" in out
    assert main(["notebooks", str(dest)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--force" in err and "Traceback" not in err
    assert main(["notebooks", str(dest), "--force"]) == 0


def test_new_demo_data_copies_the_bundled_export(repo: Path, tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "s"), "--demo-data"]) == 0
    for name in ("responses.csv", "transactions.csv", "customers.csv", "acquisition.csv"):
        assert (tmp_path / "s" / name).read_bytes() == (repo / "data" / "demo" / name).read_bytes()


def test_run_notes_a_notebooks_folder_it_does_not_use(tmp_path: Path, monkeypatch,
                                                      capsys) -> None:
    monkeypatch.chdir(tmp_path)
    _note_unused_notebooks(None)
    assert capsys.readouterr().err == ""
    (tmp_path / "notebooks").mkdir()
    _note_unused_notebooks("elsewhere")
    assert capsys.readouterr().err == ""
    _note_unused_notebooks(None)
    assert "--notebooks notebooks" in capsys.readouterr().err
