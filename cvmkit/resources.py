"""The files the kit ships: the numbered notebooks and the demo study.

The repository keeps them at the top level (``notebooks/`` and ``data/demo/``); a wheel built
from it carries them inside the package (``cvmkit/notebooks/`` and ``cvmkit/data/demo/``, see
``setup.py``), so the notebooks' default ``study_path = "../data/demo/study.yaml"`` resolves
the same way in both.  :func:`notebooks_dir` and :func:`demo_dir` look inside the installed
package first and fall back to the repository's folders, which is what an editable install
(``pip install -e .``) finds.  Neither looks at the current folder: an installed kit run from
anywhere uses its own files, and ``cvmkit run --notebooks DIR`` is how other notebooks are run.

:func:`copy_notebooks` (``cvmkit notebooks DIR``) copies the notebooks out for a researcher
who wants to change them, with each copy's default ``study_path`` made absolute so that it
still opens the bundled demo study from wherever the copies are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import ResourceError

__all__ = ["copy_exercises", "copy_notebooks", "demo_dir", "demo_study_path", "exercises_dir",
           "notebooks_dir"]

_PACKAGE = Path(__file__).resolve().parent
#: A line of a ``parameters`` cell setting ``study_path`` to a quoted string.
_STUDY_PATH_RE = re.compile(
    r"""^(?P<lhs>\s*study_path\s*=\s*)(?P<q>["'])(?P<value>[^"'\n]*)(?P=q)(?P<rest>.*)$""",
    re.M)
_RUN_DIR_RE = re.compile(
    r"""^(?P<lhs>\s*run_dir\s*=\s*)(?P<q>["'])(?P<value>[^"'\n]*)(?P=q)(?P<rest>.*)$""", re.M)


def _first_folder(relative: str) -> Path:
    """``relative`` inside the installed package if there, else in the repository checkout."""
    candidates = [_PACKAGE / relative, _PACKAGE.parent / relative]
    for folder in candidates:
        if folder.is_dir():
            return folder
    raise ResourceError(f"the kit's folder '{relative}' is missing: looked for "
                        f"'{candidates[0]}' (installed package) and '{candidates[1]}' "
                        "(repository checkout); reinstall cvmkit")


def notebooks_dir() -> Path:
    """The folder of the notebooks the kit ships.

    Returns
    -------
    Path
        ``cvmkit/notebooks/`` of an installed wheel, else the repository's ``notebooks/``
        (editable install).

    Raises
    ------
    ResourceError
        When neither folder exists, naming both.
    """
    return _first_folder("notebooks")


def exercises_dir() -> Path:
    """The folder of the exercise notebooks the kit ships (one per teaching scenario).

    Returns
    -------
    Path
        ``cvmkit/exercises/`` of an installed wheel, else the repository's ``exercises/``.

    Raises
    ------
    ResourceError
        When neither folder exists, naming both.
    """
    return _first_folder("exercises")


def copy_exercises(dest: str | Path, *, force: bool = False) -> list[Path]:
    """Copy the exercise notebooks into ``dest`` (a student's or a course's folder).

    Raises
    ------
    ResourceError
        When ``dest`` is a file, or a copy would overwrite a file and ``force`` is not set.
    """
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise ResourceError(f"'{folder}' is a file, not a folder; choose a folder to copy the "
                            "exercises into")
    sources = sorted(exercises_dir().glob("*.ipynb"))
    targets = [folder / s.name for s in sources]
    existing = [t.name for t in targets if t.exists()]
    if existing and not force:
        raise ResourceError(f"'{folder}' already holds {', '.join(existing)}; pass --force to "
                            "overwrite them, or choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for src, target in zip(sources, targets):
            target.write_bytes(src.read_bytes())
    except OSError as exc:
        raise ResourceError(f"cannot copy the exercises into '{folder}': {exc}") from exc
    return targets


def demo_dir() -> Path:
    """The folder of the bundled demo study (``study.yaml``, ``responses.csv`` …).

    Returns
    -------
    Path
        ``cvmkit/data/demo/`` of an installed wheel, else the repository's ``data/demo/``
        (editable install).

    Raises
    ------
    ResourceError
        When neither folder exists, naming both.
    """
    return _first_folder("data/demo")


def demo_study_path() -> Path:
    """The study file of the bundled demo study.

    Raises
    ------
    ResourceError
        When the demo folder or its ``study.yaml`` is missing.
    """
    path = demo_dir() / "study.yaml"
    if not path.is_file():
        raise ResourceError(f"the demo study file '{path}' is missing; reinstall cvmkit "
                            "(or regenerate it in a checkout with `make demo`)")
    return path


def _point_study_path_at(source: str, folder: Path, study: Path | None = None) -> str:
    """``source`` of a ``parameters`` cell with a relative ``study_path`` made absolute.

    The relative path is resolved against ``folder`` (where the notebook it came from is), so
    the new value names the same file; with ``study`` the value becomes that study instead.
    """
    def absolute(m: re.Match[str]) -> str:
        value = m.group("value")
        if study is not None:
            return f"{m.group('lhs')}{json.dumps(str(study.resolve()))}{m.group('rest')}"
        if not value or Path(value).is_absolute():
            return m.group(0)
        target = (folder / value).resolve()
        return f"{m.group('lhs')}{json.dumps(str(target))}{m.group('rest')}"

    return _STUDY_PATH_RE.sub(absolute, source)


def _is_parameters_cell(cell: dict[str, Any]) -> bool:
    return (cell.get("cell_type") == "code"
            and "parameters" in cell.get("metadata", {}).get("tags", []))


def copy_notebooks(dest: str | Path, *, force: bool = False,
                   study: str | Path | None = None,
                   run_dir: str | Path | None = None) -> list[Path]:
    """Copy the bundled notebooks into ``dest``, to be changed and run with ``--notebooks``.

    In each copy, the ``parameters`` cell's default ``study_path`` (relative to the bundled
    notebooks) is replaced by the absolute path of the file it named, so a copy opened in
    JupyterLab still runs on the bundled demo study.  Nothing else in the notebooks changes.
    With ``study``, the copies are made for that study instead: ``study_path`` names it, and
    the sections whose inputs it lacks are left out (each replaced by its one sentence, as a
    run does; :mod:`cvmkit.sections`), so every copy runs in JupyterLab as it is.

    Parameters
    ----------
    dest : str or Path
        The folder to copy into (created if missing).
    force : bool
        Overwrite notebooks of the same name already in ``dest``.
    study : str or Path, optional
        A study file the copies are made for.
    run_dir : str or Path, optional
        The folder the copies write their run into when opened in JupyterLab (their default
        ``run_dir``, made absolute); default: the bundled notebooks' own default.

    Returns
    -------
    list of Path
        The copies, in order.

    Raises
    ------
    ResourceError
        When ``dest`` is a file or the bundled notebooks folder itself, when a copy would
        overwrite a file and ``force`` is not set (every such file is named), or when a
        notebook cannot be read or written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> copies = copy_notebooks(pathlib.Path(tempfile.mkdtemp()) / "my_notebooks")
    >>> copies[0].name
    '01_data_collection.ipynb'
    """
    source_dir = notebooks_dir()
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise ResourceError(f"'{folder}' is a file, not a folder; choose a folder to copy the "
                            "notebooks into")
    if folder.is_dir() and folder.resolve() == source_dir.resolve():
        raise ResourceError(f"'{folder}' is the kit's own notebooks folder; choose another "
                            "folder to copy the notebooks into")
    sources = sorted(source_dir.glob("*.ipynb"))
    if not sources:
        raise ResourceError(f"no notebooks (*.ipynb) in '{source_dir}'; reinstall cvmkit")
    targets = [folder / s.name for s in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing)
        raise ResourceError(f"'{folder}' already holds {names}; pass --force to overwrite "
                            "them, or choose another folder")
    caps = None
    if study is not None:
        from .study import load_study

        caps = load_study(study).capabilities()
    run_value = json.dumps(str(Path(run_dir).resolve())) if run_dir is not None else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for src, target in zip(sources, targets):
            nb = json.loads(src.read_text(encoding="utf-8"))
            if caps is not None:
                import nbformat

                from .sections import prune_notebook

                nb = json.loads(nbformat.writes(prune_notebook(
                    nbformat.reads(json.dumps(nb), as_version=4), caps, src.name)))
            for cell in nb.get("cells", []):
                if _is_parameters_cell(cell):
                    text = cell["source"]
                    text = "".join(text) if isinstance(text, list) else text
                    new = _point_study_path_at(text, source_dir,
                                               Path(study) if study is not None else None)
                    if run_value is not None:
                        new = _RUN_DIR_RE.sub(
                            lambda m: f"{m['lhs']}{run_value}{m['rest']}", new)
                    cell["source"] = (new.splitlines(keepends=True)
                                      if isinstance(cell["source"], list) else new)
            target.write_text(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False)
                              + "\n", encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise ResourceError(f"cannot copy the notebooks into '{folder}': {exc}") from exc
    return targets
