"""The study specification: one YAML file that says where everything in a survey is.

A study file names the focal brand and its competitors, the respondent id, segment and wave
columns, the rating scales, the value attributes (with the column holding each brand's
performance rating, the stated-importance column and the Kano question pair), the outcome
columns, price questions, journey touchpoints, open-ended questions, the code frame for them and
the columns that hold personal data.  :func:`load_study` reads and checks the file on its own;
:func:`validate_study` checks it against a data set.  Both report *every* problem at once, each
with the key path at fault::

    attributes[3].kano.functional: column 'kf_q4' not in data

Column names may contain ``{brand}``, which stands for each brand's ``code`` (the brand name in
lower case with non-alphanumerics replaced by ``_`` unless given explicitly).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ._patterns import PatternError, compile_pattern
from .errors import StudySpecError

if TYPE_CHECKING:
    import pandas as pd

    from .capabilities import Capability

__all__ = [
    "COMPONENTS",
    "KANO_ANSWERS",
    "QUALITY_CHECKS",
    "Attribute",
    "Brand",
    "KanoPair",
    "Scale",
    "Study",
    "Theme",
    "Touchpoint",
    "load_study",
    "slugify",
    "validate_study",
]

#: The value components an attribute may belong to.
COMPONENTS = ("quality", "price", "convenience", "service", "experience")

#: The five answers of a Kano question, in the order of the Kano evaluation table.
KANO_ANSWERS = ("like", "must_be", "neutral", "live_with", "dislike")

#: The data-quality checks a study may exclude respondents by (``quality.exclude``), in report
#: order (:func:`cvmkit.quality.flag_quality` runs them).
QUALITY_CHECKS = ("duplicate", "out_of_range", "straightliner", "speeder", "high_missing")

_DEFAULT_KANO_CODES = {"like": 1, "must_be": 2, "neutral": 3, "live_with": 4, "dislike": 5}


def slugify(text: str) -> str:
    """Lower-case ``text`` and replace every run of non-alphanumerics by ``_``.

    Examples
    --------
    >>> slugify("Daily Grind")
    'daily_grind'
    """
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


@dataclass(frozen=True)
class Scale:
    """A rating scale: valid codes run from ``min`` to ``max``; ``missing`` codes mean no answer."""

    name: str
    min: float
    max: float
    missing: tuple[float, ...] = ()
    labels: dict[int, str] = field(default_factory=dict)

    @property
    def midpoint(self) -> float:
        """The centre of the scale, ``(min + max) / 2``."""
        return (self.min + self.max) / 2


@dataclass(frozen=True)
class Brand:
    """A brand: its display name and the code that replaces ``{brand}`` in column names."""

    name: str
    code: str


@dataclass(frozen=True)
class KanoPair:
    """The functional ("if it has …") and dysfunctional ("if it lacks …") Kano questions."""

    functional: str
    dysfunctional: str


@dataclass(frozen=True)
class Attribute:
    """A value attribute rated for every brand."""

    id: str
    label: str
    component: str
    performance: str
    importance: str | None = None
    kano: KanoPair | None = None
    scale: str = "performance"
    importance_scale: str = "importance"

    def performance_column(self, brand: Brand | str) -> str:
        """The column holding ``brand``'s performance rating on this attribute."""
        code = brand.code if isinstance(brand, Brand) else brand
        return self.performance.format(brand=code)


@dataclass(frozen=True)
class Touchpoint:
    """A touchpoint of the customer journey, with the stage it belongs to."""

    id: str
    label: str
    stage: str
    satisfaction: str
    importance: str | None = None
    scale: str = "performance"


@dataclass(frozen=True)
class Theme:
    """A theme of the code frame for open-ended answers."""

    id: str
    label: str
    patterns: tuple[str, ...]
    quadrant: str | None = None


@dataclass(frozen=True)
class Study:
    """A validated study specification.

    Build one with :func:`load_study` (from YAML) or :meth:`Study.from_dict`; it is immutable.
    ``root`` is the folder of the study file: relative data paths are resolved against it.
    """

    title: str
    brand: Brand
    competitors: tuple[Brand, ...]
    attributes: tuple[Attribute, ...]
    scales: dict[str, Scale]
    client: str = ""
    respondent_id: str | None = None
    data: str | None = None
    segments: tuple[str, ...] = ()
    wave: str | None = None
    weights: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)
    price: dict[str, Any] = field(default_factory=dict)
    touchpoints: tuple[Touchpoint, ...] = ()
    stages: tuple[str, ...] = ()
    verbatims: tuple[str, ...] = ()
    codeframe: tuple[Theme, ...] = ()
    pii: tuple[str, ...] = ()
    reverse: tuple[str, ...] = ()
    quality: dict[str, Any] = field(default_factory=dict)
    kano_codes: dict[str, int] = field(default_factory=lambda: dict(_DEFAULT_KANO_CODES))
    transactions: dict[str, Any] = field(default_factory=dict)
    management: str | None = None
    needs_segment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    root: str = "."
    source: str | None = None
    weight_column: str = "weight"
    numbered_rows: bool = False
    bound: bool = False

    # ------------------------------------------------------------------ derived views
    @property
    def slug(self) -> str:
        """A file-system-safe name for the study (from its ``slug`` key, else its title)."""
        return self.extra.get("slug") or slugify(self.title)[:100] or "study"

    @property
    def brands(self) -> tuple[Brand, ...]:
        """The focal brand followed by its competitors."""
        return (self.brand, *self.competitors)

    @property
    def attribute_ids(self) -> list[str]:
        """The attribute ids in study order."""
        return [a.id for a in self.attributes]

    def attribute(self, attribute_id: str) -> Attribute:
        """The attribute with id ``attribute_id``."""
        for a in self.attributes:
            if a.id == attribute_id:
                return a
        raise StudySpecError([f"attributes: no attribute with id '{attribute_id}'"], self.source)

    def brand_by_name(self, name: str) -> Brand:
        """The brand whose name or code is ``name``."""
        for b in self.brands:
            if name in (b.name, b.code):
                return b
        known = ", ".join(b.name for b in self.brands)
        raise StudySpecError([f"brand: unknown brand '{name}' (known: {known})"], self.source)

    def outcome_column(self, name: str, brand: Brand | str | None = None) -> str:
        """The column of outcome ``name`` (``value``, ``nps``, ``csat``, ``ces`` …).

        A brand-specific outcome (``overall_value_{brand}``) is resolved for ``brand``
        (the focal brand by default).
        """
        if name not in self.outcomes:
            raise StudySpecError(
                [f"outcomes.{name}: not declared (declared: {', '.join(self.outcomes) or 'none'})"],
                self.source,
            )
        b = brand if brand is not None else self.brand
        code = b.code if isinstance(b, Brand) else self.brand_by_name(b).code
        return self.outcomes[name]["column"].format(brand=code)

    def outcome_scale(self, name: str) -> Scale:
        """The scale of outcome ``name``."""
        return self.scales[self.outcomes[name]["scale"]]

    def performance_columns(self, brand: Brand | str | None = None) -> dict[str, str]:
        """``{attribute id: column}`` of ``brand``'s performance ratings (default: focal brand)."""
        b = self.brand if brand is None else brand
        if isinstance(b, str):
            b = self.brand_by_name(b)
        return {a.id: a.performance_column(b) for a in self.attributes}

    def importance_columns(self) -> dict[str, str]:
        """``{attribute id: column}`` of stated importance, for attributes that have one."""
        return {a.id: a.importance for a in self.attributes if a.importance}

    def kano_pairs(self) -> dict[str, KanoPair]:
        """``{attribute id: KanoPair}`` for attributes with a Kano question pair."""
        return {a.id: a.kano for a in self.attributes if a.kano}

    def column_scales(self) -> dict[str, Scale]:
        """Every rated column of the study mapped to its scale."""
        out: dict[str, Scale] = {}
        for a in self.attributes:
            for b in self.brands:
                out[a.performance_column(b)] = self.scales[a.scale]
            if a.importance:
                out[a.importance] = self.scales[a.importance_scale]
        for spec in self.outcomes.values():
            if "{brand}" in spec["column"]:
                for b in self.brands:
                    out[spec["column"].format(brand=b.code)] = self.scales[spec["scale"]]
            else:
                out[spec["column"]] = self.scales[spec["scale"]]
        for t in self.touchpoints:
            out[t.satisfaction] = self.scales[t.scale]
            if t.importance:
                out[t.importance] = self.scales[t.scale]
        perceived = self.price.get("perceived")
        if perceived:
            for b in self.brands:
                price_scale = self.scales[self.price.get("scale", "performance")]
                out[perceived.format(brand=b.code)] = price_scale
        return out

    def rating_grids(self) -> dict[str, list[str]]:
        """Groups of columns asked as one grid (for straight-lining checks): one per brand."""
        return {
            f"performance[{b.name}]": [a.performance_column(b) for a in self.attributes]
            for b in self.brands
        }

    @property
    def overall_outcome(self) -> str | None:
        """The outcome analyses explain by default: ``value``, else ``csat``, else ``nps``,
        else the first declared outcome (``None`` when the study declares none)."""
        for name in ("value", "csat", "nps"):
            if name in self.outcomes:
                return name
        return next(iter(self.outcomes), None)

    def capabilities(self, data: pd.DataFrame | None = None) -> dict[str, Capability]:
        """Which analyses this study supports, and for each it does not, why.

        The one answer :func:`cvmkit.cli` ``validate``, the notebooks, the executive summary and
        the report all use (see :mod:`cvmkit.capabilities`).  With ``data`` (the clean
        responses) the checks that depend on answers are made too: a segment column with a
        single level, a wave column with one wave.
        """
        from .capabilities import study_capabilities

        return study_capabilities(self, data)

    def supports(self, name: str, data: pd.DataFrame | None = None) -> bool:
        """Whether the analysis ``name`` (a key of :data:`cvmkit.capabilities.CAPABILITIES`)
        can run on this study."""
        return self.capabilities(data)[name].available

    def bind(self, columns: Iterable[str]) -> Study:
        """This study with the names its clean data gives the columns the kit adds.

        A study without ``respondent_id`` numbers its rows (1, 2, …) in a column named
        ``respondent`` (``respondent_1`` … when the data already has one); the respondent
        weights go into ``weight`` unless the data holds a column of that name that is not the
        declared weight column.  No data column name is reserved.  Binding twice changes
        nothing.
        """
        if self.bound:
            return self
        cols = set(columns)
        changes: dict[str, Any] = {"bound": True}
        if self.respondent_id is None:
            changes["respondent_id"] = _free_name("respondent", cols)
            changes["numbered_rows"] = True
            cols.add(changes["respondent_id"])
        if self.weights.get("column") != "weight":
            changes["weight_column"] = _free_name("weight", cols)
        return replace(self, **changes)

    def referenced_columns(self) -> dict[str, str]:
        """Every data column the study names, mapped to the key path that names it."""
        refs: dict[str, str] = {}
        if self.respondent_id and not self.numbered_rows:
            refs[self.respondent_id] = "respondent_id"
        for i, s in enumerate(self.segments):
            refs.setdefault(s, f"segments[{i}]")
        if self.wave:
            refs.setdefault(self.wave, "wave")
        if self.weights.get("column"):
            refs.setdefault(self.weights["column"], "weights.column")
        for col in self.weights.get("targets", {}) or {}:
            refs.setdefault(col, f"weights.targets.{col}")
        for i, a in enumerate(self.attributes):
            for b in self.brands:
                refs.setdefault(a.performance_column(b), f"attributes[{i}].performance")
            if a.importance:
                refs.setdefault(a.importance, f"attributes[{i}].importance")
            if a.kano:
                refs.setdefault(a.kano.functional, f"attributes[{i}].kano.functional")
                refs.setdefault(a.kano.dysfunctional, f"attributes[{i}].kano.dysfunctional")
        for name, spec in self.outcomes.items():
            cols = (
                [spec["column"].format(brand=b.code) for b in self.brands]
                if "{brand}" in spec["column"]
                else [spec["column"]]
            )
            for c in cols:
                refs.setdefault(c, f"outcomes.{name}.column")
        perceived = self.price.get("perceived")
        if perceived:
            for b in self.brands:
                refs.setdefault(perceived.format(brand=b.code), "price.perceived")
        for group in ("van_westendorp", "purchase_likelihood"):
            for k, c in (self.price.get(group) or {}).items():
                refs.setdefault(c, f"price.{group}.{k}")
        gg = self.price.get("gabor_granger") or {}
        for j, c in enumerate(gg.get("columns", [])):
            refs.setdefault(c, f"price.gabor_granger.columns[{j}]")
        for i, t in enumerate(self.touchpoints):
            refs.setdefault(t.satisfaction, f"touchpoints[{i}].satisfaction")
            if t.importance:
                refs.setdefault(t.importance, f"touchpoints[{i}].importance")
        for i, v in enumerate(self.verbatims):
            refs.setdefault(v, f"verbatims[{i}]")
        for i, c in enumerate(self.reverse):
            refs.setdefault(c, f"reverse[{i}]")
        dur = self.quality.get("duration")
        if dur:
            refs.setdefault(dur, "quality.duration")
        return refs

    def resolve(self, path: str | Path | None) -> Path | None:
        """``path`` resolved against the study folder (``None`` stays ``None``)."""
        if path is None:
            return None
        p = Path(path)
        return p if p.is_absolute() else Path(self.root) / p

    @property
    def data_path(self) -> Path | None:
        """The survey data file named by the study, resolved against its folder."""
        return self.resolve(self.data)

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready dict that :meth:`from_dict` turns back into the same study."""
        d = asdict(self)
        d["scales"] = {k: {kk: vv for kk, vv in asdict(v).items() if kk != "name"}
                       for k, v in self.scales.items()}
        for s in d["scales"].values():
            s["missing"] = list(s["missing"])
            s["labels"] = {str(k): v for k, v in s["labels"].items()}
        return d

    def to_json(self, path: str | Path) -> None:
        """Write the study as JSON (``study.json`` of a run directory)."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, default=str), encoding="utf-8")

    @classmethod
    def from_json(cls, path: str | Path) -> Study:
        """Read a study written by :meth:`to_json`."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls.from_dict(d, root=d.get("root", "."), source=str(path))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], root: str | Path = ".",
                  source: str | None = None) -> Study:
        """Build and check a study from a parsed YAML/JSON mapping.

        Raises
        ------
        StudySpecError
            listing every problem found, each with its key path.
        """
        return _parse(raw, str(root), source)


# ---------------------------------------------------------------------- parsing
_KNOWN_KEYS = {f.name for f in fields(Study)} | {"slug", "kano"}


#: Largest magnitude of a scale's end points (beyond, arithmetic on ratings overflows).
_SCALE_BOUND = 1e9
#: Longest title, label or name a study may give (a report prints them whole).
_TEXT_BOUND = 500
#: Most items a list or mapping of a study may hold (attributes, brands, themes, labels …).
_LIST_BOUND = 1_000
#: Largest study file read (a study file is a few kilobytes; more is a mistake or an attack).
_FILE_BOUND = 1_000_000
#: What a slug may hold: it names a folder under the reports folder.
_SLUG = re.compile(r"[a-z0-9][a-z0-9_\-]{0,99}")
#: The only placeholder column names may hold.
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def _long_texts(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """``(key path, text)`` of every string in a parsed study longer than the bound."""
    if isinstance(value, str):
        if len(value) > _TEXT_BOUND:
            yield key or "(top level)", value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _long_texts(v, f"{key}.{k}" if key else str(k)[:60])
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _long_texts(v, f"{key}[{i}]")


def _long_lists(value: Any, key: str = "") -> Iterator[tuple[str, int]]:
    """``(key path, length)`` of every list in a parsed study longer than the bound."""
    if isinstance(value, list):
        if len(value) > _LIST_BOUND:
            yield key or "(top level)", len(value)
            return
        for i, v in enumerate(value):
            yield from _long_lists(v, f"{key}[{i}]")
    elif isinstance(value, Mapping):
        if len(value) > _LIST_BOUND:
            yield key or "(top level)", len(value)
            return
        for k, v in value.items():
            yield from _long_lists(v, f"{key}.{k}" if key else str(k)[:60])


_TEXT = (str, int, float)
#: The type each top-level key must have (a scalar may stand for a one-item list).
_TOP_TYPES: dict[str, tuple[type, ...]] = {
    "title": _TEXT, "client": _TEXT, "slug": _TEXT, "respondent_id": _TEXT, "wave": (str,),
    "data": (str,), "weight_column": (str,), "brand": (str, Mapping),
    "competitors": (list,), "attributes": (list,), "scales": (Mapping,),
    "outcomes": (Mapping,), "price": (Mapping,), "touchpoints": (list,),
    "codeframe": (list,), "weights": (Mapping, str), "quality": (Mapping,), "kano": (Mapping,),
    "transactions": (Mapping,), "extra": (Mapping,), "segments": (list, str),
    "stages": (list, str), "verbatims": (list, str), "pii": (list, str), "reverse": (list, str),
    "numbered_rows": (bool,), "bound": (bool,),
}
_TYPE_NAMES = {str: "text", int: "a number", float: "a number", Mapping: "a mapping",
               list: "a list", bool: "true or false"}


def _text_fields(item: Mapping[str, Any], names: Iterable[str], key: str,
                 problems: _Problems) -> bool:
    """Whether each of ``names`` present in ``item`` is text (or a number); each that is not
    is named as a problem."""
    ok = True
    for name in names:
        v = item.get(name)
        if v is not None and (not isinstance(v, _TEXT) or isinstance(v, bool)):
            problems.add(f"{key}.{name}", f"expected text, got {v!r}"[:200])
            ok = False
    return ok


def _well_typed(raw: Mapping[str, Any], problems: _Problems) -> dict[str, Any]:
    """``raw`` without the top-level values of the wrong type, each named as a problem (so
    that the rest of the checks meet only the types they expect)."""
    out = {}
    for k, v in raw.items():
        want = _TOP_TYPES.get(k)
        if v is None or want is None or (isinstance(v, want) and not (
                isinstance(v, bool) and bool not in want)):
            out[k] = v
            continue
        names = " or ".join(dict.fromkeys(_TYPE_NAMES[t] for t in want))
        problems.add(str(k), f"expected {names}, got {v!r}"[:200])
    return out


def _templates(raw: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """``(key path, column template)`` of the study's brand-templated column names."""
    for i, a in enumerate(raw.get("attributes") or []):
        if isinstance(a, Mapping) and isinstance(a.get("performance"), str):
            yield f"attributes[{i}].performance", a["performance"]
    outcomes = raw.get("outcomes")
    for name, spec in (outcomes.items() if isinstance(outcomes, Mapping) else ()):
        col = spec.get("column") if isinstance(spec, Mapping) else spec
        if isinstance(col, str):
            yield f"outcomes.{name}", col
    price = raw.get("price")
    if isinstance(price, Mapping) and isinstance(price.get("perceived"), str):
        yield "price.perceived", price["perceived"]


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and abs(value) != float("inf"))


def _free_name(base: str, taken: set[str]) -> str:
    """``base``, else ``base_1``, ``base_2`` … whichever is not in ``taken``."""
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name


def _quality(value: Any, problems: _Problems) -> dict[str, Any]:
    """The ``quality`` section, checked as the quality step would check it."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add("quality", f"expected a mapping of quality settings, got {value!r}")
        return {}
    q = dict(value)
    known = {"duration", "speeder_fraction", "straightline_min_items", "max_missing", "exclude"}
    for k in q:
        if k not in known:
            problems.add(f"quality.{k}", f"unknown key (known: {', '.join(sorted(known))})")
    bounds = {"speeder_fraction": (0, 1, False), "max_missing": (0, 1, True)}
    for k, (lo, hi, closed) in bounds.items():
        if k in q:
            v = q[k]
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and (
                lo <= v <= hi if closed else lo < v < hi)
            if not ok:
                problems.add(f"quality.{k}", f"expected a number between {lo} and {hi}, "
                                             f"got {v!r}")
    if "straightline_min_items" in q:
        v = q["straightline_min_items"]
        if not isinstance(v, int) or isinstance(v, bool) or v < 2:
            problems.add("quality.straightline_min_items",
                         f"expected a whole number of at least 2, got {v!r}")
    if "duration" in q and not isinstance(q["duration"], str):
        problems.add("quality.duration", f"expected a column name, got {q['duration']!r}")
    if "exclude" in q:
        ex = q["exclude"]
        ex = [ex] if isinstance(ex, str) else ex
        if not isinstance(ex, list) or any(c not in QUALITY_CHECKS for c in ex):
            problems.add("quality.exclude", f"expected a list of checks among "
                                            f"{', '.join(QUALITY_CHECKS)}, got {q['exclude']!r}")
        else:
            q["exclude"] = list(ex)
    return q


class _Problems(list):
    def add(self, key: str, msg: str) -> None:
        self.append(f"{key}: {msg}")


def _as_str_list(value: Any, key: str, problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(key, f"expected a list of column names, got {value!r}")
        return ()
    return tuple(value)


def _brand(value: Any, key: str, problems: _Problems) -> Brand | None:
    if isinstance(value, str) and value.strip():
        return Brand(value, slugify(value))
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return Brand(value["name"], str(value.get("code") or slugify(value["name"])))
    problems.add(key, f"expected a brand name or {{name, code}}, got {value!r}")
    return None


def _scale(name: str, value: Any, problems: _Problems) -> Scale | None:
    key = f"scales.{name}"
    if not isinstance(value, Mapping):
        problems.add(key, f"expected a mapping with min and max, got {value!r}")
        return None
    lo, hi = value.get("min"), value.get("max")
    if not _is_number(lo) or not _is_number(hi):
        problems.add(key, "min and max must both be numbers")
        return None
    if max(abs(lo), abs(hi)) > _SCALE_BOUND:
        problems.add(key, f"min and max must lie within ±{_SCALE_BOUND:g}, got {lo} and {hi}")
        return None
    if lo >= hi:
        problems.add(key, f"min ({lo}) must be below max ({hi})")
        return None
    missing = value.get("missing", []) or []
    if not isinstance(missing, list) or not all(isinstance(m, (int, float)) for m in missing):
        problems.add(f"{key}.missing", f"expected a list of numeric codes, got {missing!r}")
        missing = []
    labels = value.get("labels", {}) or {}
    if not isinstance(labels, Mapping) or not all(  # (JSON writes the codes as text)
            (isinstance(k, int) and not isinstance(k, bool))
            or (isinstance(k, str) and re.fullmatch(r"-?\d+", k)) for k in labels):
        problems.add(f"{key}.labels", f"expected a mapping of whole-number codes to labels, "
                                      f"got {labels!r}"[:200])
        labels = {}
    return Scale(name, float(lo), float(hi), tuple(float(m) for m in missing),
                 {int(k): str(v) for k, v in labels.items()})


def _column_spec(value: Any, key: str, default_scale: str,
                 problems: _Problems) -> dict[str, str] | None:
    if isinstance(value, str):
        return {"column": value, "scale": default_scale}
    if isinstance(value, Mapping) and isinstance(value.get("column"), str):
        return {"column": value["column"], "scale": str(value.get("scale", default_scale))}
    problems.add(key, f"expected a column name or {{column, scale}}, got {value!r}")
    return None


_OUTCOME_SCALES = {"value": "performance", "nps": "nps", "csat": "csat", "ces": "ces"}


def _parse(raw: Mapping[str, Any], root: str, source: str | None) -> Study:
    problems = _Problems()
    if not isinstance(raw, Mapping):
        raise StudySpecError([f"(top level): expected a mapping of keys, got {type(raw).__name__}"],
                             source)
    for k in raw:
        if k not in _KNOWN_KEYS:
            problems.add(str(k)[:60], "unknown key (a typo?)")
    raw = _well_typed(raw, problems)
    for key, items in _long_lists(raw):
        problems.add(key, f"{items:,} items, more than the {_LIST_BOUND:,} a list may hold")
    for key, text in _long_texts(raw):
        problems.add(key, f"{len(text):,} characters, more than the {_TEXT_BOUND} a title, label "
                          "or name may have")
    for key, template in _templates(raw):
        extra_fields = [f for f in _PLACEHOLDER.findall(template) if f != "brand"]
        if extra_fields or template.count("{") != template.count("}"):
            problems.add(key, f"'{template[:80]}': the only placeholder a column name may hold "
                              "is {brand}")
    for k in ("title", "brand", "attributes", "scales"):
        if k not in raw or raw[k] in (None, "", [], {}):
            problems.add(k, "required")

    title = str(raw.get("title", ""))
    brand = _brand(raw["brand"], "brand", problems) if raw.get("brand") else None
    competitors = tuple(
        b for i, c in enumerate(raw.get("competitors") or [])
        if (b := _brand(c, f"competitors[{i}]", problems)) is not None
    )
    all_brands = ([brand] if brand else []) + list(competitors)
    codes = [b.code for b in all_brands]
    for c in {c for c in codes if codes.count(c) > 1}:
        problems.add("competitors", f"two brands share the code '{c}'")

    scales: dict[str, Scale] = {}
    raw_scales = raw.get("scales") or {}
    if not isinstance(raw_scales, Mapping):
        problems.add("scales", "expected a mapping of scale name to {min, max}")
        raw_scales = {}
    for name, val in raw_scales.items():
        s = _scale(str(name), val, problems)
        if s:
            scales[str(name)] = s

    def need_scale(name: str, key: str) -> None:
        if raw_scales and name not in scales and name not in raw_scales:
            problems.add(key, f"scale '{name}' is not defined under scales")

    attributes: list[Attribute] = []
    raw_attrs = raw.get("attributes") or []
    if not isinstance(raw_attrs, list):
        problems.add("attributes", "expected a list")
        raw_attrs = []
    seen_ids: set[str] = set()
    for i, a in enumerate(raw_attrs):
        key = f"attributes[{i}]"
        if not isinstance(a, Mapping):
            problems.add(key, f"expected a mapping, got {a!r}")
            continue
        if not _text_fields(a, ("id", "label", "component", "performance", "importance",
                                "scale", "importance_scale"), key, problems):
            continue
        for req in ("id", "performance"):
            if not a.get(req):
                problems.add(f"{key}.{req}", "required")
        aid = str(a.get("id", f"attribute_{i}"))
        if aid in seen_ids:
            problems.add(f"{key}.id", f"duplicate attribute id '{aid}'")
        seen_ids.add(aid)
        comp = str(a.get("component", "quality"))
        if comp not in COMPONENTS:
            problems.add(f"{key}.component", f"'{comp}' is not one of {', '.join(COMPONENTS)}")
        perf = str(a.get("performance", ""))
        if perf and "{brand}" not in perf and competitors:
            problems.add(f"{key}.performance",
                         f"'{perf}' must contain {{brand}} (one column per brand) when the "
                         "study has competitors")
        kano = None
        if a.get("kano") is not None:
            k = a["kano"]
            if isinstance(k, Mapping) and k.get("functional") and k.get("dysfunctional"):
                kano = KanoPair(str(k["functional"]), str(k["dysfunctional"]))
            else:
                problems.add(f"{key}.kano", "expected {functional: column, dysfunctional: column}")
        scale = str(a.get("scale", "performance"))
        imp_scale = str(a.get("importance_scale", "importance"))
        need_scale(scale, f"{key}.scale")
        if a.get("importance"):
            need_scale(imp_scale, f"{key}.importance_scale")
        attributes.append(Attribute(
            id=aid, label=str(a.get("label", aid)), component=comp, performance=perf,
            importance=str(a["importance"]) if a.get("importance") else None, kano=kano,
            scale=scale, importance_scale=imp_scale,
        ))

    outcomes: dict[str, dict[str, str]] = {}
    raw_out = raw.get("outcomes") or {}
    if not isinstance(raw_out, Mapping):
        problems.add("outcomes", "expected a mapping of outcome name to column")
        raw_out = {}
    for name, val in raw_out.items():
        spec = _column_spec(val, f"outcomes.{name}", _OUTCOME_SCALES.get(name, "performance"),
                            problems)
        if spec:
            need_scale(spec["scale"], f"outcomes.{name}.scale")
            outcomes[str(name)] = spec

    if attributes and not outcomes and not any(a.importance for a in attributes):
        problems.add("outcomes", "the study needs an overall rating (e.g. `value: {column: "
                                 "..., scale: ...}`) or stated importance for its attributes: "
                                 "without either, no attribute's importance can be told")
    touchpoints: list[Touchpoint] = []
    stages = _as_str_list(raw.get("stages"), "stages", problems)
    for i, t in enumerate(raw.get("touchpoints") or []):
        key = f"touchpoints[{i}]"
        if not isinstance(t, Mapping) or not t.get("id") or not t.get("satisfaction"):
            problems.add(key, "expected {id, label, stage, satisfaction}")
            continue
        if not _text_fields(t, ("id", "label", "stage", "satisfaction", "importance", "scale"),
                            key, problems):
            continue
        stage = str(t.get("stage", ""))
        if stages and stage not in stages:
            problems.add(f"{key}.stage", f"'{stage}' is not one of the stages {list(stages)}")
        tscale = str(t.get("scale", "performance"))
        need_scale(tscale, f"{key}.scale")
        touchpoints.append(Touchpoint(str(t["id"]), str(t.get("label", t["id"])), stage,
                                      str(t["satisfaction"]),
                                      str(t["importance"]) if t.get("importance") else None,
                                      tscale))
    if touchpoints and not stages:
        stages = tuple(dict.fromkeys(t.stage for t in touchpoints))

    codeframe: list[Theme] = []
    for i, th in enumerate(raw.get("codeframe") or []):
        key = f"codeframe[{i}]"
        if not isinstance(th, Mapping) or not th.get("id"):
            problems.add(key, "expected {id, label, patterns}")
            continue
        if not _text_fields(th, ("id", "label", "quadrant"), key, problems):
            continue
        pats = th.get("patterns") or th.get("keywords") or []
        if isinstance(pats, str):
            pats = [pats]
        if not isinstance(pats, list):
            problems.add(f"{key}.patterns", f"expected a list of patterns, got {pats!r}"[:200])
            pats = []
        for j, p in enumerate(pats):
            try:
                compile_pattern(p)
            except PatternError as exc:
                problems.add(f"{key}.patterns[{j}]", f"pattern {str(p)[:80]!r}: {exc}")
        quadrant = th.get("quadrant")
        if quadrant is not None and quadrant not in ("says", "thinks", "does", "feels"):
            problems.add(f"{key}.quadrant", f"'{quadrant}' is not one of says, thinks, does, feels")
        codeframe.append(Theme(str(th["id"]), str(th.get("label", th["id"])),
                               tuple(str(p) for p in pats), quadrant))

    weights = raw.get("weights") or {}
    if isinstance(weights, str):
        weights = {"column": weights}
    if not isinstance(weights, Mapping):
        problems.add("weights", "expected {column: name} or {targets: {column: {level: share}}}")
        weights = {}
    weights = dict(weights)
    for name, want in (("column", str), ("targets", Mapping)):
        if weights.get(name) is not None and not isinstance(weights[name], want):
            problems.add(f"weights.{name}", f"expected {_TYPE_NAMES[want]}, got "
                                            f"{weights.pop(name)!r}"[:200])
    for col, target in (weights.get("targets") or {}).items():
        if not isinstance(target, Mapping) or not target:
            problems.add(f"weights.targets.{col}", "expected a mapping of level to share")
            continue
        if not all(_is_number(v) for v in target.values()):
            bad = next(v for v in target.values() if not _is_number(v))
            problems.add(f"weights.targets.{col}", f"shares must be numbers, got {bad!r}")
            continue
        total = sum(float(v) for v in target.values())
        if any(float(v) < 0 for v in target.values()) or total <= 0:
            problems.add(f"weights.targets.{col}", "shares must be non-negative, not all zero")

    kano_codes = dict(_DEFAULT_KANO_CODES)
    kano_raw = raw.get("kano") or {}
    codes_raw = kano_raw.get("codes") if isinstance(kano_raw, Mapping) else None
    if codes_raw is not None:
        if not isinstance(codes_raw, Mapping) or set(codes_raw) != set(KANO_ANSWERS):
            problems.add("kano.codes", f"expected one code for each of {', '.join(KANO_ANSWERS)}")
        elif not all(isinstance(v, int) and not isinstance(v, bool) for v in codes_raw.values()):
            bad = next(v for v in codes_raw.values() if not isinstance(v, int))
            problems.add("kano.codes", f"codes must be whole numbers, got {bad!r}")
        else:
            kano_codes = {k: int(v) for k, v in codes_raw.items()}
            if len(set(kano_codes.values())) != len(kano_codes):
                problems.add("kano.codes", "two answers share a code")

    price = dict(raw.get("price") or {})
    for name in ("perceived", "scale", "currency"):
        if price.get(name) is not None and not isinstance(price[name], str):
            problems.add(f"price.{name}", f"expected text, got {price.pop(name)!r}"[:200])
    if price.get("perceived"):
        need_scale(str(price.get("scale", "performance")), "price.scale")
    for group in ("van_westendorp", "purchase_likelihood"):
        cols = price.get(group)
        if cols is not None and (not isinstance(cols, Mapping)
                                 or not all(isinstance(c, str) for c in cols.values())):
            problems.add(f"price.{group}", f"expected a mapping of question to column, got "
                                           f"{price.pop(group)!r}"[:200])
    vw = price.get("van_westendorp")
    if vw is not None and (not isinstance(vw, Mapping) or set(vw) != {
            "too_cheap", "cheap", "expensive", "too_expensive"}):
        problems.add("price.van_westendorp",
                     "expected columns for too_cheap, cheap, expensive and too_expensive")
    gg = price.get("gabor_granger")
    if gg is not None and (not isinstance(gg, Mapping)
                           or not isinstance(gg.get("prices"), list)
                           or not isinstance(gg.get("columns"), list)
                           or len(gg["prices"]) != len(gg["columns"])
                           or not gg["prices"]):
        problems.add("price.gabor_granger", "expected equally long lists prices and columns")
    elif gg is not None:
        if not all(isinstance(c, str) for c in gg["columns"]):
            problems.add("price.gabor_granger.columns", "expected a list of column names")
        for j, v in enumerate(gg["prices"]):
            if not _is_number(v) or v < 0:
                problems.add(f"price.gabor_granger.prices[{j}]",
                             f"expected a price (a number, not negative), got {v!r}"[:200])
                break

    quality = _quality(raw.get("quality"), problems)
    segments = _as_str_list(raw.get("segments"), "segments", problems)
    extra = dict(raw.get("extra") or {})
    if raw.get("slug"):
        extra["slug"] = str(raw["slug"])
        if not _SLUG.fullmatch(extra["slug"]):
            problems.add("slug", f"'{extra['slug'][:60]}' must be lower-case letters, digits, '_' "
                                 "or '-' (at most 100; it names the run's folder)")

    management = raw.get("management")
    if management is not None and (not isinstance(management, str) or not management.strip()):
        problems.add("management", "expected the path of a CSV file (attribute, importance, "
                                   "performance), relative to the study file")
    needs_segment = raw.get("needs_segment")
    if needs_segment is not None and not (isinstance(needs_segment, str)
                                          and needs_segment.isidentifier()):
        problems.add("needs_segment", f"{str(needs_segment)[:60]!r}: expected a column name "
                                      "(letters, digits and '_')")
    if problems:
        raise StudySpecError(problems, source)
    return Study(
        title=title, brand=brand, competitors=competitors,
        respondent_id=str(raw["respondent_id"]) if raw.get("respondent_id") else None,
        attributes=tuple(attributes), scales=scales,
        client=str(raw.get("client", "")), data=raw.get("data"), segments=segments,
        wave=raw.get("wave"), weights=dict(weights), outcomes=outcomes, price=price,
        touchpoints=tuple(touchpoints), stages=stages,
        verbatims=_as_str_list(raw.get("verbatims"), "verbatims", problems),
        codeframe=tuple(codeframe), pii=_as_str_list(raw.get("pii"), "pii", problems),
        reverse=_as_str_list(raw.get("reverse"), "reverse", problems), quality=quality,
        kano_codes=kano_codes, transactions=dict(raw.get("transactions") or {}), extra=extra,
        management=management, needs_segment=needs_segment,
        root=root, source=source, weight_column=str(raw.get("weight_column") or "weight"),
        numbered_rows=bool(raw.get("numbered_rows", False)), bound=bool(raw.get("bound", False)),
    )


#: Deepest nesting of lists and mappings in a study file (the spec itself needs five).
_DEPTH_BOUND = 30


class _StudyLoader(yaml.SafeLoader):
    """YAML's safe loader without anchors and aliases (a study file needs none, and aliases
    nested in aliases expand to billions of items, a "billion laughs"), with a bound on nesting
    and no key given twice in one mapping (YAML would keep the last silently)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if self.check_event(yaml.events.AliasEvent):
            raise yaml.YAMLError(f"line {event.start_mark.line + 1}: aliases (*{event.anchor}) "
                                 "are not supported in a study file; write the value out")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > _DEPTH_BOUND:
                raise yaml.YAMLError(f"line {event.start_mark.line + 1}: lists and mappings "
                                     f"nested more than {_DEPTH_BOUND} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # a list or mapping as a key
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain name, not a list or mapping",
                    key_node.start_mark) from None
            if first != key_node.start_mark.line + 1:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{str(key)[:60]}' is given twice (first on line {first}); "
                                "YAML would keep only the last one", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def load_study(path: str | Path) -> Study:
    """Read and check a study file.

    Parameters
    ----------
    path : str or Path
        A YAML study file.

    Returns
    -------
    Study

    Raises
    ------
    StudySpecError
        When the file is missing, is not valid YAML, or breaks the spec (every problem listed).

    Examples
    --------
    >>> from cvmkit.study import load_study
    >>> study = load_study("data/demo/study.yaml")  # doctest: +SKIP
    >>> study.brand.name  # doctest: +SKIP
    'Acme'
    """
    p = Path(path)
    if not p.is_file():
        raise StudySpecError([f"(file): study file '{p}' does not exist"], str(p))
    try:
        size = p.stat().st_size
        if size > _FILE_BOUND:
            raise StudySpecError([f"(file): {size:,} bytes, more than a study file's "
                                  f"{_FILE_BOUND:,}"], str(p))
        text = p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudySpecError([f"(file): not UTF-8 text (byte {exc.start}: "
                              f"{exc.object[exc.start:exc.start + 1]!r}); save the study file "
                              "as UTF-8"], str(p)) from None
    except OSError as exc:
        raise StudySpecError([f"(file): cannot read the study file ({exc.strerror or exc})"],
                             str(p)) from None
    if "\x00" in text:
        raise StudySpecError(["(file): a binary file, not a YAML study file"], str(p))
    try:
        raw = yaml.load(text, Loader=_StudyLoader)  # noqa: S506 - a SafeLoader without aliases
    except RecursionError:
        raise StudySpecError([f"(yaml): nested more than {_DEPTH_BOUND} deep"], str(p)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        msg = getattr(exc, "problem", None) or str(exc)
        raise StudySpecError([f"(yaml){where}: not valid YAML ({msg})"], str(p)) from None
    if raw is None:
        raise StudySpecError(["(file): the study file is empty"], str(p))
    return Study.from_dict(raw, root=p.parent.resolve(), source=str(p))


def validate_study(study: Study, data: pd.DataFrame, source: str | None = None) -> list[str]:
    """Check a study against a data set; return the problems (empty when all is well).

    Every column the study names must exist; rated columns must be numeric.  Scale ranges are
    checked by :mod:`cvmkit.quality` (an out-of-range code is a data problem, not a spec one).

    Parameters
    ----------
    study : Study
    data : DataFrame
        The survey data, as read by :func:`cvmkit.io.read_responses` (missing codes not yet
        recoded is fine).
    source : str, optional
        The data file, named in messages.

    Returns
    -------
    list of str
        ``"key.path: message"`` lines.
    """
    import pandas as pd

    problems = _Problems()
    cols = set(data.columns)
    where = f" of {source}" if source else ""
    scales = study.column_scales()
    for col, key in study.referenced_columns().items():
        if col not in cols:
            problems.add(key, f"column '{col}' not in data{where}")
        elif col in scales and not pd.api.types.is_numeric_dtype(data[col]):
            bad = _first_non_numeric(data[col])
            problems.add(key, f"column '{col}' should be numeric ({bad})")
    for i, col in enumerate(study.pii):
        if col not in cols:
            problems.add(f"pii[{i}]", f"column '{col}' not in data{where}")
    for col, target in (study.weights.get("targets") or {}).items():
        if col in cols:
            levels = set(data[col].dropna().astype(str))
            for lvl in target:
                if str(lvl) not in levels:
                    problems.add(f"weights.targets.{col}.{lvl}",
                                 f"level '{lvl}' has no respondents in column '{col}'")
    return list(problems)


def _first_non_numeric(s: pd.Series) -> str:
    import pandas as pd

    coerced = pd.to_numeric(s, errors="coerce")
    bad = s[coerced.isna() & s.notna()]
    if bad.empty:
        return f"dtype {s.dtype}"
    return f"row {bad.index[0]}: {bad.iloc[0]!r}"


def iter_brand_columns(template: str, brands: Iterable[Brand]) -> dict[str, str]:
    """``{brand name: column}`` for a ``{brand}`` template."""
    return {b.name: template.format(brand=b.code) for b in brands}
