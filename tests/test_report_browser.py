"""report.html of a real pipeline run, opened in headless Chromium.

The page is loaded through the DevTools protocol (a websocket to the browser), which reports
every request the page makes (``Network.requestWillBeSent``) and every console message
(``Log.entryAdded``, where a blocked load would show).  The checks: every section and every
figure of the run rendered, the contents link to real anchors, no code is shown, and the page
asked for nothing but itself and its own ``data:`` images.  A screenshot is saved under the
test's temporary folder.

Chromium is Debian's ``chromium`` (``.ci/run`` installs it when missing); without it the
tests are skipped with that reason.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from _shared_runs import ACCENT, CLIENT, demo_batch

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                    "(.ci/run installs Debian's chromium)")


class Browser:
    """A headless Chromium with a fresh profile, driven over the DevTools protocol."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 1000) -> None:
        import websocket

        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Network", "Page", "Log", "Runtime"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]
            self.events.append(msg)

    def load(self, url: str) -> None:
        self.call("Page.navigate", url=url)
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(json.loads(self.ws.recv()))
        self.call("Runtime.evaluate", expression="document.fonts.ready", awaitPromise=True)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result["result"].get("value")

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def console(self) -> list[str]:
        return [e["params"]["entry"]["text"] for e in self.events
                if e.get("method") == "Log.entryAdded"]

    def screenshot(self, path: Path, full_page: bool = False, scale: float = 1.0) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 60000),
                "scale": scale})
        data = self.call("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _page_state(browser: Browser) -> dict:
    return browser.evaluate("""(() => {
      const box = el => { const r = el.getBoundingClientRect();
                          return {w: r.width, h: r.height}; };
      return {
        sections: [...document.querySelectorAll('section.report-section')].map(s => ({
          id: s.id, section: s.dataset.section, ...box(s),
          title: s.querySelector('h2') ? s.querySelector('h2').innerText : ''})),
        figures: [...document.querySelectorAll('figure.report-figure')].map(f => {
          const img = f.querySelector('img');
          return {name: f.dataset.figure, complete: img.complete,
                  naturalWidth: img.naturalWidth, ...box(img)}; }),
        tables: [...document.querySelectorAll('.report-table')].map(t => t.dataset.table),
        brokenLinks: [...document.querySelectorAll('a[href^="#"]')]
          .filter(a => !document.getElementById(a.getAttribute('href').slice(1)))
          .map(a => a.getAttribute('href')),
        tocEntries: document.querySelectorAll('nav#contents a').length,
        logo: (() => { const l = document.querySelector('img.logo');
                       return l ? {complete: l.complete, naturalWidth: l.naturalWidth} : null;
                     })(),
        client: document.querySelector('header .client').innerText,
        accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
        text: document.body.innerText,
        scripts: document.scripts.length,
      };
    })()""")


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    return demo_batch(tmp_path_factory)


@pytest.fixture(scope="session")
def rendered(batch, tmp_path_factory):
    """The first successful run's report, loaded in Chromium: (run dir, state, browser log)."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    assert batch.ok_runs, batch.stdout + batch.stderr
    run = batch.ok_runs[0]
    shots = tmp_path_factory.mktemp("report_screenshots")
    browser = Browser(shots / "profile")
    try:
        browser.load((run / "report.html").resolve().as_uri())
        state = _page_state(browser)
        browser.screenshot(shots / "report-top.png")
        browser.screenshot(shots / "report-full.png", full_page=True, scale=0.25)
        requests, console = browser.requests(), browser.console()
    finally:
        browser.close()
    return {"run": run, "state": state, "requests": requests, "console": console,
            "shots": shots}


@needs_chromium
def test_every_section_rendered(rendered) -> None:
    sections = rendered["state"]["sections"]
    assert [s["section"] for s in sections] == ["summary", "actions", "drivers", "needs",
                                                "segments", "value", "loyalty", "sentiment",
                                                "price", "change", "management", "appendix"]
    for s in sections:
        assert s["w"] > 300 and s["h"] > 100, s
    assert not rendered["state"]["brokenLinks"]
    assert rendered["state"]["tocEntries"] >= len(sections)


@needs_chromium
def test_every_figure_rendered(rendered) -> None:
    run, state = rendered["run"], rendered["state"]
    on_disk = {p.stem for p in (run / "figures").glob("*.png")}
    shown = [f["name"] for f in state["figures"]]
    # each finding shows its one or two best charts, all of them from the run
    assert 5 <= len(shown) <= 14 and set(shown) <= on_disk
    for f in state["figures"]:
        assert f["complete"] and f["naturalWidth"] > 0 and f["w"] > 100 and f["h"] > 50, f


@needs_chromium
def test_page_made_no_network_request(rendered) -> None:
    page = (rendered["run"] / "report.html").resolve().as_uri()
    others = [u for u in rendered["requests"] if u != page and not u.startswith("data:")]
    assert others == []
    assert page in rendered["requests"]
    assert not [m for m in rendered["console"] if "Refused" in m or "Failed to load" in m]


@needs_chromium
def test_cover_summary_and_no_code(rendered) -> None:
    state = rendered["state"]
    assert state["client"].lower() == CLIENT.lower()
    assert state["accent"] == ACCENT
    assert state["logo"] and state["logo"]["complete"] and state["logo"]["naturalWidth"] > 0
    assert state["scripts"] == 0
    text = state["text"]
    assert "Executive summary" in text and "Net Promoter Score" in text
    for code in ("import pandas", "write_figure(", "open_run(", "display(Markdown"):
        assert code not in text


@needs_chromium
def test_screenshot_saved(rendered) -> None:
    for name in ("report-top.png", "report-full.png"):
        shot = rendered["shots"] / name
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert shot.stat().st_size > 20_000


@needs_chromium
def test_the_detector_sees_requests(tmp_path: Path) -> None:
    """The same harness on a page that does reach out: the requests are seen."""
    page = tmp_path / "leaky.html"
    page.write_text('<html><body><img src="http://127.0.0.1:9/pixel.png">'
                    '<link rel="stylesheet" href="https://example.invalid/x.css"></body></html>')
    browser = Browser(tmp_path / "profile")
    try:
        browser.load(page.as_uri())
        seen = browser.requests()
    finally:
        browser.close()
    assert "http://127.0.0.1:9/pixel.png" in seen
    assert "https://example.invalid/x.css" in seen



# ---------------------------------------------------------------------- phone, print, offline
_LAYOUT = r"""(() => {
  const main = document.querySelector('main');
  const cs = getComputedStyle(main);
  const text = main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const right = main.getBoundingClientRect().right - parseFloat(cs.paddingRight);
  return {
    inner: window.innerWidth, scroll: document.documentElement.scrollWidth, text: text,
    figures: [...document.querySelectorAll('figure.report-figure img')].map(
      i => i.getBoundingClientRect().width),
    clipped: [...document.querySelectorAll('main table')].filter(t =>
      t.getBoundingClientRect().right > right + 1 || t.scrollWidth > t.clientWidth + 1
    ).map(t => t.querySelector('caption') ? t.querySelector('caption').innerText : '?'),
    // every word of every column header and every number, measured where the browser laid
    // it out: a word whose letters sit on more than one line was broken inside (a cell too
    // narrow for it)
    brokenHeaders: [...document.querySelectorAll('main th, main td.num')].flatMap(th => {
      const broken = [];
      const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                .map(r => Math.round(r.top)));
          if (lines.size > 1) broken.push(m[0]);
        }
      }
      if (th.scrollWidth > th.clientWidth + 1) broken.push('(overflows) ' + th.innerText);
      const table = th.closest('table');
      const cap = table && table.querySelector('caption');
      return broken.map(w => (cap ? cap.innerText : '?') + ': ' + w);
    }),
    headers: document.querySelectorAll('main th').length,
  };
})()"""

#: Printable width of A4 and Letter at 96 px per inch, less the page margins (14 mm each side).
_PRINT_WIDTH = {"A4": round((210 - 28) / 25.4 * 96), "Letter": round((215.9 - 28) / 25.4 * 96)}
_PAPER = {"A4": (8.27, 11.69), "Letter": (8.5, 11.0)}


@pytest.fixture(scope="session")
def layouts(batch, tmp_path_factory):
    """The report at 1280 and 390 px, in print at A4 and Letter width, and printed to PDF."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    run = batch.ok_runs[0]
    shots = tmp_path_factory.mktemp("client_report_screenshots")
    out: dict = {"shots": shots, "pdf": {}}
    for width in (1280, 390):
        browser = Browser(shots / f"profile-{width}", width=width, height=900)
        try:
            browser.call("Emulation.setDeviceMetricsOverride", width=width, height=900,
                         deviceScaleFactor=1, mobile=width < 600)
            browser.load((run / "report.html").resolve().as_uri())
            out[width] = browser.evaluate(_LAYOUT)
            browser.screenshot(shots / f"report-{width}.png")
            browser.screenshot(shots / f"report-{width}-full.png", full_page=True, scale=0.5)
        finally:
            browser.close()
    browser = Browser(shots / "profile-print")
    try:
        browser.load((run / "report.html").resolve().as_uri())
        browser.call("Emulation.setEmulatedMedia", media="print")
        for paper, width in _PRINT_WIDTH.items():
            browser.call("Emulation.setDeviceMetricsOverride", width=width, height=1000,
                         deviceScaleFactor=1, mobile=False)
            out[paper] = browser.evaluate(_LAYOUT)
        browser.call("Emulation.clearDeviceMetricsOverride")
        for paper, (w, h) in _PAPER.items():
            data = browser.call("Page.printToPDF", paperWidth=w, paperHeight=h,
                                preferCSSPageSize=paper == "A4", printBackground=True)["data"]
            pdf = shots / f"report-{paper}.pdf"
            pdf.write_bytes(base64.b64decode(data))
            out["pdf"][paper] = pdf
    finally:
        browser.close()
    return out


def _pages(pdf: Path) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf.read_bytes()))


@needs_chromium
def test_reads_on_a_phone(layouts) -> None:
    phone = layouts[390]
    assert phone["scroll"] <= phone["inner"], "the page scrolls sideways at 390 px"
    assert phone["text"] >= 340, phone["text"]
    assert phone["figures"] and all(w >= phone["text"] - 1 for w in phone["figures"])
    assert phone["clipped"] == []
    wide = layouts[1280]
    assert wide["scroll"] <= wide["inner"] and wide["clipped"] == []


@needs_chromium
@pytest.mark.parametrize("width", [390, 1280])
def test_no_table_header_breaks_a_word(layouts, width: int) -> None:
    """Column headers wrap between words only, on a phone as on a desktop screen."""
    assert layouts[width]["headers"] > 20
    assert layouts[width]["brokenHeaders"] == []


@needs_chromium
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_prints_without_losing_a_column(layouts, paper: str) -> None:
    assert layouts[paper]["clipped"] == []
    assert layouts[paper]["scroll"] <= layouts[paper]["inner"]
    pages = _pages(layouts["pdf"][paper])
    assert 6 <= pages <= 30, pages


@needs_chromium
def test_client_report_has_no_software_or_parameter_words(rendered) -> None:
    import re

    text = rendered["state"]["text"]
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # parameter, column or function names
    for word in ("cvmkit", "python", "notebook", "papermill", "()", "run_dir"):
        assert word not in text.lower(), word


@needs_chromium
def test_client_screenshots_saved(layouts) -> None:
    for name in ("report-1280.png", "report-390.png", "report-390-full.png"):
        assert (layouts["shots"] / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_notebook_exports_open_offline(batch, tmp_path: Path) -> None:
    run = batch.ok_runs[0]
    exports = sorted(run.glob("0*.html"))
    assert exports
    browser = Browser(tmp_path / "profile")
    try:
        for page in exports:
            browser.events.clear()
            browser.load(page.resolve().as_uri())
            asked = [u for u in browser.requests()
                     if u != page.resolve().as_uri() and not u.startswith("data:")]
            assert asked == [], (page.name, asked)
    finally:
        browser.close()
    for page in exports:
        text = page.read_text(encoding="utf-8")
        assert ".partial" not in text, page.name
