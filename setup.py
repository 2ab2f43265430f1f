"""Build hook: the wheel carries the notebooks, the exercises and the demo study inside the package.

The repository keeps ``notebooks/``, ``exercises/`` and ``data/demo/`` at the top level, where
researchers and instructors look for them.  A built wheel (``pip install .``, ``pip wheel .``,
``python -m build``) copies them to ``cvmkit/notebooks/``, ``cvmkit/exercises/`` and
``cvmkit/data/demo/``, so that an installed kit runs from any folder
and the notebooks' default ``study_path = "../data/demo/study.yaml"`` still resolves beside them.
An editable install (``pip install -e .``) copies nothing: :mod:`cvmkit.resources` then finds
the repository's own folders.  Everything else about the package is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: Folder of the repository -> (folder inside the package, the files of it to ship).
BUNDLED = {
    "notebooks": ("cvmkit/notebooks", "*.ipynb"),
    "exercises": ("cvmkit/exercises", "*.ipynb"),
    "data/demo": ("cvmkit/data/demo", "*"),
}


class BuildPyWithBundle(build_py):
    """``build_py`` that also copies the bundled folders into the package being built."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        for source, (target, pattern) in BUNDLED.items():
            files = sorted(p for p in (root / source).glob(pattern) if p.is_file())
            if not files:
                raise SystemExit(f"cannot build cvmkit: no {pattern} files in '{root / source}'")
            out = Path(self.build_lib) / target
            if out.is_dir():  # a build folder reused from an earlier build: no stale files
                shutil.rmtree(out)
            self.mkpath(str(out))
            for f in files:
                self.copy_file(str(f), str(out / f.name))


setup(cmdclass={"build_py": BuildPyWithBundle})
