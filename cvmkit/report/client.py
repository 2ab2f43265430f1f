"""The client report: ``report.html`` written for a manager.

The page reads in the order a manager asks: the cover, the executive summary, one page of
recommended actions (:func:`cvmkit.actions.read_actions`, one per attribute), then one section
per finding — drivers, needs and wants, value map and competitors, loyalty, price — each led by
its finding in a sentence (the executive summary's own sentence, so the two never differ),
shown with its one or two best charts and a small formatted table.  Method, data quality and
the full tables go to an appendix whose length is chosen with ``appendix``:

* ``"short"`` (default): how each finding was reached in a few plain sentences, who was
  analysed, and where the full tables are;
* ``"full"``: the short appendix, then every analysis step's method text, figures and tables
  (:func:`cvmkit.report.html.collect_sections`) — but not the sentences each notebook computed
  about its results, its own list of the attributes to act on or the map's quadrant of each
  attribute: read one analysis at a time they can contradict the recommended actions, which
  weigh every analysis and the uncertainty of each estimate;
* ``"none"``: no appendix.

A section whose analysis the study does not support says so in one sentence
(:attr:`cvmkit.capabilities.Capability.plain_sentence`).  The page is one column that narrows
to a phone's width, prints on A4 or Letter with no table losing a column, and makes no request
of its own (see :data:`cvmkit.report._common.CSP`).
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from ..errors import DataError
from ._common import _data_uri, _fmt, read_table
from .labels import caption, column_label

__all__ = ["APPENDIX_CHOICES", "CHANGE_MEASURES", "FINDINGS", "VERDICT_LABELS", "Chart", "Finding",
           "finding_sections", "ipa_chart", "render_client_report", "report_story"]

APPENDIX_CHOICES = ("short", "full", "none")
#: Columns the full appendix leaves out of the analysis steps' tables: the map's quadrant of each
#: attribute, which ignores the uncertainty the recommended actions weigh.
HIDDEN_COLUMNS = ("quadrant",)
TABLE_ROWS = 12


@dataclass(frozen=True)
class Finding:
    """One finding of the report: where its sentence, charts and table come from."""

    key: str
    title: str
    parts: tuple[str, ...]  # parts of the executive summary that state it
    figures: tuple[tuple[str, str], ...]  # (notebook number, figure stem), best first
    table: tuple[str, str, tuple[tuple[str, str], ...]] | None  # (number, stem, (column, header))
    method: str  # how it was reached, for the appendix


FINDINGS: tuple[Finding, ...] = (
    Finding("drivers", "What drives the overall rating", ("drivers",),
            (("03", "importance"),),
            ("03", "importance", (("label", "Attribute"),
                                  ("share", "Share of the explained variation (%)"),
                                  ("lower", "95% interval from"), ("upper", "to"))),
            "Each attribute's share of the variation in the overall rating that the attributes "
            "explain together, averaged over every order in which they could enter a regression "
            "model; intervals come from re-drawing the sample many times."),
    Finding("needs", "Needs and wants", ("needs",),
            (("02", "needs_roles"), ("02", "kano_shares")),
            ("02", "needs_summary", (("label", "Attribute"), ("role", "Role"),
                                      ("agreement", "How far the methods agree"))),
            "Up to three views sort the attributes into needs (taken for granted, punished when "
            "missing), performance attributes, wants (delight when present) and indifferent "
            "ones: paired questions on having and lacking each attribute, what a shortfall "
            "costs and excellence earns in the overall rating, and stated against derived "
            "importance. Each attribute takes the role most views agree on."),
    Finding("segments", "Needs-based segments", ("segments",),
            (("06", "segment_needs"),),
            ("06", "segment_sizes", (("segment", "Segment"), ("share", "Share (%)"),
                                      ("values_most", "Values more than the rest"))),
            "Customers are grouped by what they said matters to them (their importance or "
            "needs-and-wants answers) with a latent class or mixture model; the number of "
            "groups is the one the data support best, checked by refitting on re-drawn "
            "samples. Each group is compared with the rest of the customers, with tests "
            "corrected for their number."),
    Finding("value", "Value map and competitors", ("focus", "value_map"),
            (("04", "ipa"), ("04", "value_map")),
            ("04", "value_map", (("brand", "Brand"), ("quality_ratio", "Quality vs market"),
                                  ("price_ratio", "Price vs market"), ("zone", "Value"))),
            "The importance–performance map crosses each attribute's importance with the "
            "brand's rating on it; the lines are the averages over the attributes, and an "
            "attribute whose interval covers a line is counted as on par. Competitors are "
            "compared attribute by attribute with tests corrected for their number. The value "
            "map sets perceived quality against perceived price, each relative to the market."),
    Finding("loyalty", "Loyalty", ("loyalty",),
            (("05", "nps_by_segment"), ("05", "nps_trend")),
            ("05", "nps", (("n", "Respondents"), ("promoters", "Promoters (%)"),
                            ("detractors", "Detractors (%)"), ("nps", "Net Promoter Score"),
                            ("ci_low", "95% interval from"), ("ci_high", "to"))),
            "The Net Promoter Score is the share of promoters (9–10 on the 0–10 "
            "recommendation question) minus the share of detractors (0–6), with its 95% "
            "interval."),
    Finding("sentiment", "What customers complain about", ("sentiment",),
            (("06", "theme_sentiment"),),
            ("06", "theme_sentiment", (("label", "Theme"),
                                        ("reach_negative", "Negative about it (% of those "
                                                           "answering)"),
                                        ("mean", "Mean sentiment (−1 to +1)"))),
            "Each open-ended answer is scored for sentiment, sentence by sentence, after "
            "personal details are masked, and each sentence is matched to the themes of the "
            "code frame; themes are ranked by the share of customers who are negative about "
            "them."),
    Finding("price", "Price", ("price",),
            (("05", "price_sensitivity_meter"), ("05", "gabor_granger")),
            ("05", "price_points", (("label", "Price point"), ("price", "Price (interpolated)"))),
            "Customers said at which prices the product would be too cheap, a bargain, getting "
            "expensive and too expensive; where those answers cross gives the range of "
            "acceptable prices. A price between those respondents named is interpolated."),
    Finding("change", "What changed since the last wave", ("change",),
            (("06", "headline_changes"), ("06", "performance_changes")),
            ("06", "performance_changes", (("label", "Attribute"), ("measure", "What moved"),
                                            ("brand", "Brand"),
                                            ("mean_a", "Earlier wave"),
                                            ("mean_b", "Latest wave"),
                                            ("difference", "Change"),
                                            ("lower", "95% interval from"), ("upper", "to"))),
            "Each brand's mean rating on each attribute in the first and the last wave, their "
            "difference with its interval and a test; only changes that remain significant "
            "once the tests are corrected for their number are reported. The drivers' shares "
            "(each attribute's share of what explains the brand's overall rating) are computed "
            "in each wave and their differences tested by re-drawing the sample; significant "
            "ones are listed in the same table, in percentage points."),
    Finding("management", "Management's view against the customers'", ("management",),
            (("06", "management_map"),),
            ("06", "management_gaps", (("label", "Attribute"), ("verdict", "Disagreement"),
                                        ("views", "Management against customers"),
                                        ("action_label", "Recommended action"))),
            "Management's own answers on how important each attribute is and how well the "
            "brand performs are set beside the customers' answers. A disagreement counts only "
            "when the customers' interval excludes management's value, allowing for "
            "management answering in whole points."),
)


def _find(run: Path, sub: str, number: str, stem: str, suffix: str) -> Path | None:
    found = sorted((run / sub).glob(f"{number}_*__{stem}{suffix}"))
    return found[0] if found else None


@dataclass(frozen=True)
class Chart:
    """A chart a finding shows: the run's figure file, or the same chart drawn again for the
    client documents (``png``) with a title stating the finding (``title``)."""

    path: Path
    stem: str
    png: bytes | None = None
    title: str | None = None

    def uri(self) -> str:
        if self.png is None:
            return _data_uri(self.path)
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    def source(self) -> str | io.BytesIO:
        """What python-pptx and Pillow open: the file, or the drawn image."""
        return str(self.path) if self.png is None else io.BytesIO(self.png)


def _figure_html(chart: Chart) -> str:
    cap = html.escape(caption("figure", chart.stem))
    alt = html.escape(chart.title) if chart.title else cap
    return (f'<figure class="report-figure" data-figure="{html.escape(chart.path.stem)}">'
            f'<img src="{chart.uri()}" alt="{alt}"><figcaption>{cap}</figcaption></figure>')


#: Longest line of a chart title drawn for the client documents, in characters.
TITLE_WIDTH = 62


def action_colours() -> dict[str, str]:
    """The colour of each recommended action on the importance–performance map (the kit's
    Okabe–Ito palette: vermillion to improve, blue to maintain, grey on par …)."""
    from ..plots._style import BLUE, GREEN, GREY, ORANGE, PURPLE, SKY, VERMILLION

    return {"improve": VERMILLION, "defend": ORANGE, "maintain": BLUE, "differentiate": GREEN,
            "on par": GREY, "save": PURPLE, "deprioritise": SKY}


def ipa_chart(run_dir: str | Path, actions: pd.DataFrame) -> Chart | None:
    """The importance–performance map of a run, drawn again with the finding as its title.

    The title is :func:`cvmkit.actions.actions_headline` of ``actions`` — the one action
    frame the summary, the action page and the deck state — rather than a reading of the
    map's quadrants, which ignores the uncertainty of the estimates.  None when the run has
    no map (no ``04`` ``ipa`` figure or table, or no attribute placed) or no action.
    """
    import textwrap

    from matplotlib.figure import Figure

    from ..actions import ACTION_LABELS, actions_headline
    from ..plots.maps import plot_ipa

    run = Path(run_dir)
    path = _find(run, "figures", "04", "ipa", ".png")
    table = _find(run, "tables", "04", "ipa", ".csv")
    title = actions_headline(actions)
    ipa = read_table(table) if table is not None else None
    if path is None or ipa is None or title is None or "quadrant" not in ipa.columns \
            or not ipa["quadrant"].notna().any():
        return None
    # the points take their recommended action's colour, and the corners carry no quadrant
    # name: a quadrant ignores the uncertainty the actions weigh (the competitors' arrows,
    # which the notebook explains, are left to it)
    ipa = ipa.assign(action=ipa["attribute"].astype(str).map(
        dict(zip(actions["attribute"].astype(str), actions["action_label"]))))
    fig = Figure(figsize=(8, 6.6))
    try:
        ax = plot_ipa(ipa, diagonal=True, arrows=False, quadrant_labels=False, hue="action",
                      palette={ACTION_LABELS[a]: c for a, c in action_colours().items()},
                      title="\n".join(textwrap.wrap(title.replace("$", r"\$"), TITLE_WIDTH)),
                      ax=fig.add_subplot())
        fig.tight_layout()
        buf = io.BytesIO()
        ax.figure.savefig(buf, format="png", dpi=150, bbox_inches="tight", pad_inches=0.1,
                          metadata={"Software": None})
    except (DataError, KeyError, ValueError):
        return None  # a table the map cannot be drawn from: the run's own figure stays
    return Chart(path, "ipa", buf.getvalue(), title)


def small_table_html(frame: pd.DataFrame, columns: tuple[tuple[str, str], ...] | None,
                     title: str, name: str = "", rows: int = TABLE_ROWS) -> str:
    """A small formatted table: the ``(column, header)`` pairs whose column exists (all
    columns, headed from the label map, when ``columns`` is None)."""
    pairs = columns or tuple((c, column_label(c)) for c in frame.columns)
    pairs = tuple((c, h) for c, h in pairs if c in frame.columns)
    if not pairs:
        return ""
    cols = [c for c, _ in pairs]
    shown = frame[cols].iloc[:rows]
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for _, h in pairs)
    numeric = [pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(
        shown[c]) for c in cols]
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{html.escape(_fmt(v))}</td>' if num
                         else f"<td>{html.escape(_fmt(v))}</td>"
                         for v, num in zip(row, numeric)) + "</tr>"
        for row in shown.itertuples(index=False))
    more = (f'<p class="table-note">The {rows} first of {len(frame):,} rows; the whole table '
            "is in tables.xlsx.</p>" if len(frame) > rows else "")
    return (f'<div class="report-table" data-table="{html.escape(name)}"><table>'
            f"<caption>{html.escape(title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{more}</div>")


#: Management's disagreements with its customers, for a reader.
VERDICT_LABELS = {"blind spot": "Blind spot: customers care more (importance)",
                  "myth": "Myth: customers care less (importance)",
                  "overrated": "Management rates the brand higher (performance)",
                  "underrated": "Management rates the brand lower (performance)"}


#: What a row of the change table measures, for a reader.
CHANGE_MEASURES = {"rating": "Rating", "driver": "Share of importance (%)"}


def _driver_share_changes(run: Path, labels: dict[str, str]) -> pd.DataFrame:
    """The significant changes in the drivers' shares between the waves (notebook 06's
    ``driver_changes``), as rows of the change table: the focal brand's overall rating is what
    the shares explain."""
    from ..summary import _study, brand_name

    p = _find(run, "tables", "06", "driver_changes", ".csv")
    d = read_table(p) if p is not None else None
    need = {"driver", "changed", "share_a", "share_b", "difference", "lower", "upper"}
    if d is None or not need <= set(d.columns):
        return pd.DataFrame()
    d = d[d["changed"].astype(str).str.lower() == "true"]
    return pd.DataFrame({
        "label": d["driver"].astype(str).map(lambda a: labels.get(a, a)),
        "measure": CHANGE_MEASURES["driver"], "brand": brand_name(_study(run)),
        **{k: pd.to_numeric(d[c], errors="coerce") for k, c in (
            ("mean_a", "share_a"), ("mean_b", "share_b"), ("difference", "difference"),
            ("lower", "lower"), ("upper", "upper"))}})


def _attribute_labels(run: Path) -> dict[str, str]:
    from ..summary import _study

    return {str(a["id"]): str(a.get("label") or a["id"])
            for a in _study(run).get("attributes") or [] if isinstance(a, dict) and "id" in a}


def _prepare_wave_and_view(stem: str, f: pd.DataFrame, run: Path) -> pd.DataFrame:
    """The tables of notebook 06: segments with what each values, the themes most often
    negative, the significant changes, management's disagreements with its action."""
    labels = _attribute_labels(run)
    if stem == "segment_sizes":
        from ..findings_value import segments_finding

        p = _find(run, "tables", "06", "segment_needs", ".csv")
        needs = read_table(p) if p is not None else None
        if needs is not None and {"variable", "label"} <= set(needs.columns):
            names = dict(zip(needs["variable"].astype(str), needs["label"].astype(str)))
            values = segments_finding(f, needs, names)[1][["segment", "values_most"]]
            f = f.merge(values, on="segment", how="left").fillna({"values_most": ""})
            f.loc[f["values_most"] == "", "values_most"] = "No distinctive need"
        return f.assign(share=(100 * pd.to_numeric(f["share"], errors="coerce")).round())
    if stem == "theme_sentiment":
        f = f.sort_values("reach_negative", ascending=False)
        f = f[f["reach_negative"] > 0] if (f["reach_negative"] > 0).any() else f
        return f.head(6).assign(
            reach_negative=(100 * pd.to_numeric(f["reach_negative"], errors="coerce")).round(),
            mean=pd.to_numeric(f["mean"], errors="coerce").map(
                lambda v: "" if v != v else f"{v:+.2f}".replace("-", "−")))
    if stem == "performance_changes":
        f = f[f["changed"].astype(str).str.lower() == "true"]
        f = f.assign(label=f["attribute"].astype(str).map(lambda a: labels.get(a, a)),
                     measure=CHANGE_MEASURES["rating"])
        shares = _driver_share_changes(run, labels)
        return pd.concat([f, shares], ignore_index=True) if len(shares) else f
    if stem == "management_gaps":
        from ..actions import read_actions

        f = f[f["verdict"] != "agrees"]
        acts = read_actions(run)
        action = (dict(zip(acts["attribute"].astype(str), acts["action_label"]))
                  if len(acts) else {})
        views = [f"{m:.1f} against {c:.1f} (customers' 95% interval {lo:.1f}–{hi:.1f})"
                 for m, c, lo, hi in zip(*(pd.to_numeric(f[k], errors="coerce") for k in (
                     "management", "customers", "lower", "upper")))]
        return f.assign(label=f["attribute"].astype(str).map(lambda a: labels.get(a, a)),
                        views=views,
                        verdict=f["verdict"].map(lambda v: VERDICT_LABELS.get(v, v)),
                        action_label=f["attribute"].astype(str).map(
                            lambda a: action.get(a, "—")))
    return f


def _segments_settled(run: Path) -> bool:
    """Whether the needs-based segments are stable groups: the number of segments the BIC
    preferred is above one and refits agree (the rule of
    :func:`cvmkit.findings_value.segments_finding`)."""
    from ..findings_value import MIN_STABILITY
    from ..summary import find_results

    p = _find(run, "tables", "06", "segment_bic", ".csv")
    bic = read_table(p) if p is not None else None
    if bic is not None and {"k", "best"} <= set(bic.columns):
        best = bic.loc[bic["best"].astype(str).str.lower() == "true", "k"]
        if len(best) and int(best.iloc[0]) == 1:
            return False
    results = find_results(run, "06")[1] or {}
    ari = results.get("needs_segments_ari")
    return not (isinstance(ari, (int, float)) and ari < MIN_STABILITY)


def _prepare(stem: str, frame: pd.DataFrame, run: Path | None = None) -> pd.DataFrame:
    """Tidy a run's table for a manager: one row per thing, the headline rows only."""
    f = frame
    if run is not None and stem in ("segment_sizes", "theme_sentiment", "performance_changes",
                                    "management_gaps"):
        return _prepare_wave_and_view(stem, f, run)
    if "segment" in f.columns and f["segment"].nunique(dropna=False) > 1:
        f = f[f["segment"].isin([f["segment"].iloc[0]])]
    if stem == "importance":
        if "method" in f.columns:
            f = f[f["method"] == f["method"].iloc[0]]
        key = next((c for c in ("share", "importance") if c in f.columns), None)
        if key:
            f = f.sort_values(key, ascending=False)
    if stem == "needs_summary" and "by" in f.columns:
        f = f[f["by"].isna()]
    if stem == "nps":  # shares of respondents read as per cent
        f = f.assign(**{c: 100 * pd.to_numeric(f[c], errors="coerce")
                        for c in ("promoters", "detractors") if c in f.columns})
    return f


def _lead(summary: pd.DataFrame, parts: tuple[str, ...]) -> tuple[list[str], bool]:
    """The summary's sentences of ``parts`` and whether any part is covered.

    A part left out beside a covered one adds its one sentence at the end (what the study
    lacks for it), unless it is only that its analysis did not run.
    """
    rows = summary[summary["part"].isin(parts)]
    covered = rows[rows["covered"]]
    if len(covered):
        notes = [_plain(s) for s in rows.loc[~rows["covered"], "sentence"]]
        notes = [n for n in notes if n != _NOT_RUN]
        return covered["sentence"].tolist() + notes, True
    if len(rows):
        return [_plain(rows["sentence"].iloc[0])], False
    return [_NOT_RUN], False


_NOT_RUN = "This analysis did not run for this study."


def _plain(sentence: str) -> str:
    if re.match(r"notebook \d+ (did not run|wrote none)", sentence):
        return _NOT_RUN
    s = sentence.strip()
    return (s[:1].upper() + s[1:]) if s.endswith(".") else (s[:1].upper() + s[1:] + ".")


def finding_sections(run_dir: str | Path, summary: pd.DataFrame | None = None,
                     actions: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """The finding sections of a run: ``key``, ``title``, ``sentences``, ``covered``,
    ``figures`` (:class:`Chart`, best first) and ``table`` (a small frame or None).

    The importance–performance map is drawn again with the finding of ``actions`` (default:
    :func:`cvmkit.actions.read_actions` of the run) as its title (:func:`ipa_chart`).
    """
    from ..summary import executive_summary

    run = Path(run_dir)
    summary = executive_summary(run) if summary is None else summary
    out = []
    for f in FINDINGS:
        sentences, covered = _lead(summary, f.parts)
        figs: list[Chart] = []
        if covered:
            for number, stem in f.figures:
                p = _find(run, "figures", number, stem, ".png")
                if p is None:
                    continue
                chart = None
                if (number, stem) == ("04", "ipa"):
                    if actions is None:
                        from ..actions import read_actions

                        actions = read_actions(run)
                    chart = ipa_chart(run, actions)
                figs.append(chart or Chart(p, stem))
        table = None
        if covered and f.table is not None:
            number, stem, cols = f.table
            p = _find(run, "tables", number, stem, ".csv")
            t = read_table(p) if p is not None else None
            t = _prepare(stem, t, run) if t is not None else None
            if t is not None and len(t):
                table = (t, cols, caption("table", stem), p.stem)
        if f.key == "change":  # the long chart of every rating only when no headline one
            figs = figs[:1]
        if f.key == "segments" and covered and not _segments_settled(run):
            figs, table = [], None  # the sentence says there are no stable groups to show
        out.append({"key": f.key, "title": f.title, "sentences": sentences,
                    "covered": covered, "figures": figs[:2], "table": table,
                    "method": f.method})
    return out


class ReportStory(NamedTuple):
    """What the report and the deck of a run both tell, read once for both: the executive
    summary (:func:`cvmkit.summary.executive_summary`), the action per attribute
    (:func:`cvmkit.actions.read_actions`) and the finding sections (:func:`finding_sections`,
    the importance–performance map drawn among them)."""

    summary: pd.DataFrame
    actions: pd.DataFrame
    sections: list[dict[str, Any]]


def report_story(run_dir: str | Path) -> ReportStory:
    """The :class:`ReportStory` of a run."""
    from ..actions import read_actions
    from ..summary import executive_summary

    run = Path(run_dir)
    summary, actions = executive_summary(run), read_actions(run)
    return ReportStory(summary, actions, finding_sections(run, summary, actions))


def _actions_html(actions: pd.DataFrame) -> str:
    if not len(actions):
        return ('<p class="not-run">No attribute could be placed on the importance–performance '
                "map, so no action is recommended per attribute.</p>")
    counts = actions["action_label"].value_counts(sort=False)
    intro = ("Every attribute gets exactly one recommendation, weighing its importance, the "
             "brand's performance, its role as a need or a want and the competitors at once. "
             "An attribute whose interval covers a dividing line is on par: the data do not "
             "single it out. ")
    intro += "; ".join(f"{n} {html.escape(a.lower())}" for a, n in counts.items()) + "."
    rows = "".join(
        f'<tr class="action-{html.escape(r.action.replace(" ", "-"))}">'
        f"<td>{html.escape(r.label)}</td><td><strong>{html.escape(r.action_label)}</strong>"
        f"</td><td>{html.escape(r.reasons)}</td></tr>"
        for r in actions.itertuples(index=False))
    return (f"<p>{intro}</p><div class=\"report-table\" data-table=\"actions\"><table "
            "class=\"actions\"><caption>Recommended action for each attribute</caption><thead>"
            "<tr><th scope=\"col\">Attribute</th><th scope=\"col\">Recommendation</th>"
            f"<th scope=\"col\">Why</th></tr></thead><tbody>{rows}</tbody></table></div>")


def _summary_html(summary: pd.DataFrame, glance: pd.DataFrame) -> str:
    parts = []
    if len(glance):
        parts.append("<ul class=\"at-a-glance\">" + "".join(
            f"<li><span class=\"value\">{html.escape(str(r.value))}</span>"
            f"<span class=\"label\">{html.escape(str(r.label))}</span></li>"
            for r in glance.itertuples(index=False)) + "</ul>")
    covered = summary[summary["covered"] & (summary["part"] != "sample")]
    for part, group in covered.groupby("part", sort=False):
        parts.append(f"<div class=\"summary-part\" data-part=\"{html.escape(part)}\">"
                     f"<h3>{html.escape(group['heading'].iloc[0])}</h3>"
                     + "".join(f"<p>{html.escape(s)}</p>" for s in group["sentence"])
                     + "</div>")
    if not len(covered):
        parts.append("<p>None of the analyses the summary draws on ran for this study.</p>")
    return "".join(parts)


def _appendix_html(run: Path, appendix: str, summary: pd.DataFrame,
                   sections: list[dict[str, Any]], notebooks_dir: Path | None) -> tuple[str,
                                                                                        list]:
    if appendix == "none":
        return "", []
    toc = [("appendix-method", "How the findings were reached"),
           ("appendix-sample", "Who was analysed"), ("appendix-tables", "The full tables")]
    method = "".join(f"<h4>{html.escape(s['title'])}</h4><p>{html.escape(s['method'])}</p>"
                     for s in sections if s["covered"])
    sample = summary[(summary["part"] == "sample") & summary["covered"]]["sentence"].tolist()
    sample_html = "".join(f"<p>{html.escape(s)}</p>" for s in sample) or (
        "<p>The data-quality summary is not available for this run.</p>")
    out = [f'<h3 id="appendix-method">How the findings were reached</h3>{method or "<p></p>"}',
           f'<h3 id="appendix-sample">Who was analysed</h3>{sample_html}',
           '<h3 id="appendix-tables">The full tables</h3><p>Every table behind this report, '
           "with every row and column, is in the workbook tables.xlsx delivered with it, one "
           "labelled sheet per table; every chart is also delivered as an image.</p>"]
    if appendix == "full":
        from .html import collect_sections
        from .xlsx import sheet_names

        # method text, charts and tables, without each notebook's own reading of its results
        # (the quadrant lists of the map, say), which the recommended actions may overrule
        for s in collect_sections(run, notebooks_dir=notebooks_dir, sheets=sheet_names(run),
                                  computed=False, hide_columns=HIDDEN_COLUMNS):
            blocks = "\n".join(b.html for b in s.blocks)
            out.append(f'<section id="{s.anchor}" class="appendix-step" data-section='
                       f'"{s.notebook}"><h3>{html.escape(s.title)}</h3>{blocks}</section>')
            toc.append((s.anchor, s.title))
    return "".join(out), toc


def render_client_report(run_dir: str | Path, *, title: str, client: str, when: str,
                         logo_html: str, accent: str, appendix: str = "short",
                         notebooks_dir: str | Path | None = None, footer: str = "",
                         story: ReportStory | None = None) -> str:
    """The HTML of the client report (see the module docstring); ``story`` is the run's
    :func:`report_story`, when already read."""
    from ..summary import at_a_glance
    from ._common import CSP

    if appendix not in APPENDIX_CHOICES:
        raise DataError(f"appendix: expected one of {', '.join(APPENDIX_CHOICES)}, got "
                        f"{appendix!r}")
    run = Path(run_dir)
    summary, actions, sections = story if story is not None else report_story(run)
    glance = at_a_glance(run)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else None
    appendix_body, appendix_toc = _appendix_html(run, appendix, summary, sections, nb_dir)

    toc = [("summary", "Executive summary"), ("actions", "Recommended actions")]
    body = [f'<section id="summary" class="report-section" data-section="summary">'
            f"<h2>Executive summary</h2>{_summary_html(summary, glance)}</section>",
            f'<section id="actions" class="report-section" data-section="actions">'
            f"<h2>Recommended actions</h2>{_actions_html(actions)}</section>"]
    for s in sections:
        toc.append((f"finding-{s['key']}", s["title"]))
        lead = " ".join(html.escape(x) for x in s["sentences"][:1])
        rest = "".join(f"<p>{html.escape(x)}</p>" for x in s["sentences"][1:])
        parts = [f'<p class="lead">{lead}</p>', rest]
        parts += [_figure_html(chart) for chart in s["figures"]]
        if s["table"] is not None:
            frame, cols, cap, name = s["table"]
            parts.append(small_table_html(frame, cols, cap, name))
        cls = "report-section finding" + ("" if s["covered"] else " not-covered")
        body.append(f'<section id="finding-{s["key"]}" class="{cls}" data-section="{s["key"]}">'
                    f"<h2>{html.escape(s['title'])}</h2>{''.join(parts)}</section>")
    if appendix_body:
        toc.append(("appendix", "Appendix"))
        body.append(f'<section id="appendix" class="report-section appendix" '
                    f'data-section="appendix"><h2>Appendix</h2>{appendix_body}</section>')
    toc_html = "".join(f'<li><a href="#{a}">{html.escape(t)}</a></li>' for a, t in toc)
    head_title = html.escape(f"{title} — {client}" if client else title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{head_title}</title>
<style>{CLIENT_CSS % {"accent": accent}}</style>
</head>
<body>
<header class="cover">{logo_html}<div>
<p class="client">{html.escape(client)}</p>
<h1>{html.escape(title)}</h1>
<p class="date">{html.escape(when)}</p>
</div></header>
<nav id="contents" aria-label="Contents"><h2>Contents</h2><ol>{toc_html}</ol></nav>
<main>
{chr(10).join(body)}
</main>
<footer>{footer}</footer>
</body>
</html>
"""


CLIENT_CSS = """
:root { --accent: %(accent)s; --ink: #1d2327; --muted: #5f6b73; --rule: #d9dee2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%%; }
body { margin: 0; font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: var(--ink); background: #fff; overflow-wrap: break-word; }
header.cover, nav#contents, main, footer { max-width: 60rem; margin: 0 auto;
  padding-left: 1.5rem; padding-right: 1.5rem; }
header.cover { padding-top: 3rem; padding-bottom: 2rem; border-top: 10px solid var(--accent);
  display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: center; }
header.cover img.logo { max-height: 72px; max-width: 220px; }
header.cover .client { margin: 0; color: var(--accent); font-weight: 600;
  letter-spacing: .04em; text-transform: uppercase; font-size: .9rem; }
header.cover h1 { margin: .2rem 0 .3rem; font-size: 2rem; line-height: 1.2; }
header.cover .date { margin: 0; color: var(--muted); }
nav#contents { font-size: .95rem; }
nav#contents h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .08em;
  color: var(--muted); margin: 0 0 .4rem; }
nav#contents ol { margin: 0; padding-left: 1.3rem; columns: 2 16rem; }
nav#contents a { color: var(--ink); }
section.report-section { margin: 2.5rem 0; }
section.report-section > h2 { font-size: 1.55rem; border-bottom: 3px solid var(--accent);
  padding-bottom: .3rem; }
h3 { font-size: 1.2rem; margin-top: 1.6rem; color: var(--accent); }
h4 { font-size: 1.02rem; margin: 1.2rem 0 .3rem; }
p.lead { font-size: 1.15rem; font-weight: 600; border-left: 4px solid var(--accent);
  padding: .3rem 0 .3rem .9rem; }
.not-covered p.lead { font-weight: 400; color: var(--muted); }
.at-a-glance { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr));
  gap: .8rem; margin: 1rem 0 1.5rem; padding: 0; }
.at-a-glance li { list-style: none; border: 1px solid var(--rule);
  border-top: 4px solid var(--accent); padding: .6rem .8rem; }
.at-a-glance .value { display: block; font-size: 1.3rem; font-weight: 650; }
.at-a-glance .label { display: block; color: var(--muted); font-size: .85rem; }
.summary-part h3 { margin: 1rem 0 .2rem; font-size: 1.05rem; }
.summary-part p { margin: .3rem 0; }
.not-run { color: var(--muted); }
figure.report-figure { margin: 1.5rem 0; }
figure.report-figure img { display: block; width: 100%%; height: auto; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .3rem; }
.report-table { margin: 1.2rem 0; max-width: 100%%; }
table { border-collapse: collapse; font-size: .88rem; width: 100%%; }
caption { text-align: left; font-weight: 600; padding: .2rem 0 .4rem; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { border-bottom: 2px solid var(--accent); background: #f3f5f6; }
th { overflow-wrap: normal; word-break: normal; hyphens: manual; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.actions th:nth-child(1) { width: 24%%; }
table.actions th:nth-child(2) { width: 20%%; }
table.actions td:nth-child(1) { overflow-wrap: normal; }
.table-note { color: var(--muted); font-size: .8rem; margin: .3rem 0 0; }
.appendix { font-size: .95rem; }
.appendix-step .report-table { overflow-x: auto; }
footer { border-top: 1px solid var(--rule); color: var(--muted); font-size: .8rem;
  padding-top: 1rem; padding-bottom: 2rem; }
@media (max-width: 600px) {
  header.cover, nav#contents, main, footer { padding-left: .9rem; padding-right: .9rem; }
  header.cover h1 { font-size: 1.5rem; }
  table { font-size: .78rem; }
  th, td { padding: .25rem .25rem; }
  td { overflow-wrap: anywhere; }
  /* a header wraps between its words only: a column is never narrower than its longest
     header word, so headers take a smaller type to leave the table the phone's width */
  th { font-size: .7rem; line-height: 1.3; }
  td.num { overflow-wrap: normal; }
}
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10.5pt; }
  header.cover, nav#contents, main, footer { max-width: none; padding-left: 0;
    padding-right: 0; }
  header.cover { min-height: 60vh; align-content: center; border-top-width: 14px; }
  nav#contents { break-after: page; }
  section.report-section { break-before: page; margin: 0; }
  h2, h3, h4, p.lead, caption { break-after: avoid; page-break-after: avoid; }
  figure.report-figure, tr, .at-a-glance li { break-inside: avoid; page-break-inside: avoid; }
  .finding .report-table { break-inside: avoid; page-break-inside: avoid; }
  figure.report-figure img { max-height: 135mm; width: auto; max-width: 100%%;
    margin: 0 auto; }
  table { font-size: 8.5pt; }
  th, td { padding: .15rem .3rem; }
  .appendix-step .report-table { overflow: visible; }
  .appendix-step table { table-layout: fixed; font-size: 7pt; }
  a { color: inherit; text-decoration: none; }
}
"""
