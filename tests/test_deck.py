"""deck.pptx: opened with python-pptx, and rendered by LibreOffice to check every slide draws.

LibreOffice is Debian's ``libreoffice-impress`` (``.ci/run`` installs it when missing); where it
cannot be installed the rendering test is skipped with that reason.  Pages are looked at with
poppler's ``pdftoppm`` when present.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
from _shared_runs import CLIENT, demo_batch

from cvmkit.actions import read_actions
from cvmkit.report import build_deck
from cvmkit.report.client import FINDINGS
from cvmkit.report.deck import ACTION_ROWS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    batch = demo_batch(tmp_path_factory)
    assert batch.ok_runs, batch.stdout + batch.stderr
    return batch.ok_runs[0]


@pytest.fixture(scope="module")
def deck(run: Path):
    from pptx import Presentation

    path = run / "deck.pptx"
    assert path.is_file(), "the pipeline wrote no deck.pptx beside report.html"
    return Presentation(str(path))


def _texts(slide) -> str:
    return " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_the_deck_tells_the_story(run: Path, deck) -> None:
    slides = list(deck.slides)
    n_actions = len(read_actions(run))
    assert len(slides) == 2 + math.ceil(n_actions / ACTION_ROWS) + len(FINDINGS)
    assert CLIENT.upper() in _texts(slides[0])
    assert any(s.shape_type == 13 for s in slides[0].shapes)  # the logo, a picture
    assert "Executive summary" in _texts(slides[1])
    titles = [s.shapes.title.text for s in slides[2:]]
    assert titles[-len(FINDINGS):] == [
        "What drives the overall rating", "Needs and wants", "Needs-based segments",
        "Value map and competitors", "Loyalty", "What customers complain about", "Price",
        "What changed since the last wave", "Management's view against the customers'"]
    tables = [sh.table for s in slides for sh in s.shapes if sh.has_table]
    rows = sum(len(t.rows) - 1 for t in tables)
    assert rows == n_actions and tables[0].cell(0, 1).text == "Recommendation"


def test_bar_charts_are_native_and_numbers_are_in_the_notes(deck) -> None:
    slides = list(deck.slides)
    drivers = next(s for s in slides if s.shapes.title is not None
                   and s.shapes.title.text == "What drives the overall rating")
    charts = [sh.chart for sh in drivers.shapes if sh.has_chart]
    assert charts and len(charts[0].plots[0].categories) >= 5
    for s in slides[1:]:
        assert s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip()
    loyalty = next(s for s in slides if s.shapes.title is not None
                   and s.shapes.title.text == "Loyalty")
    stacked = [sh.chart for sh in loyalty.shapes if sh.has_chart]
    assert stacked and [x.name for x in stacked[0].plots[0].series] == [
        "Detractors", "Passives", "Promoters"]
    notes = drivers.notes_slide.notes_text_frame.text
    assert "%" in notes and "interval" in notes


def test_text_in_the_deck_stays_text(tmp_path: Path) -> None:
    from pptx import Presentation

    hostile = '<a href="http://x">=HYPERLINK("http://x")</a>\x07 & </p:txBody>'
    build_deck(tmp_path, client_name=hostile, report_title=hostile)
    prs = Presentation(str(tmp_path / "deck.pptx"))
    first = _texts(prs.slides[0])
    assert hostile.replace("\x07", "") in first
    assert hostile.replace("\x07", "").upper() in first
    assert not any(r.hyperlink.address for s in prs.slides for sh in s.shapes
                   if sh.has_text_frame for p in sh.text_frame.paragraphs for r in p.runs)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs "
                    "Debian's libreoffice-impress); the deck's rendering is not checked")
def test_every_slide_renders_in_libreoffice(run: Path, deck, tmp_path: Path) -> None:
    profile = tmp_path / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(run / "deck.pptx")],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / "deck.pdf"
    import re

    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))
    assert pages == len(deck.slides)
    if PDFTOPPM is None:
        return
    subprocess.run([PDFTOPPM, "-r", "20", "-png", str(pdf), str(tmp_path / "slide")],
                   check=True, timeout=120)
    from PIL import Image

    images = sorted(tmp_path.glob("slide-*.png"))
    assert len(images) == pages
    for image in images:
        with Image.open(image) as im:
            grey = im.convert("L")
            dark = sum(grey.histogram()[:200]) / (grey.width * grey.height)
        assert dark > 0.01, f"{image.name} looks blank"
