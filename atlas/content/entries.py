"""What each kind of entry may contain, and how a raw entry becomes a model object."""

from __future__ import annotations

import re
from collections.abc import Iterable

from atlas.content import fields as f
from atlas.content.fields import Checker, Spec
from atlas.content.load import LineDict, RawEntry, parse_yaml, read_text
from atlas.model import GROUPS, Chain, Page, Park, Project, Source
from atlas.problems import Problem

COMMON_TEXT = {"summary": Spec(f.text), "summary_en": Spec(f.text)}

SOURCE_SPECS = {
    "title": Spec(f.text, required=True), "title_en": Spec(f.text), "publisher": Spec(f.text),
    "publisher_en": Spec(f.text), "author": Spec(f.text), "author_en": Spec(f.text), "date": Spec(f.date),
    "date_note": Spec(f.text), "date_note_en": Spec(f.text), "url": Spec(f.url), "note": Spec(f.text),
    "note_en": Spec(f.text),
}

CHAIN_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text),
    "group": Spec(f.choice(GROUPS), required=True), "group_basis": Spec(f.basis), "group_ref": Spec(f.ref),
    "named": Spec(f.basis), "named_note": Spec(f.text), "named_note_en": Spec(f.text), "leader": Spec(f.text),
    "leader_en": Spec(f.text), **COMMON_TEXT,
    "facts": Spec(f.facts), "figures": Spec(f.figures), "milestones": Spec(f.milestones),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PARK_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text), "chains": Spec(f.slugs),
    "chains_basis": Spec(f.basis), "named": Spec(f.basis), "location": Spec(f.location),
    "listed": Spec(f.year_or_date), "listed_note": Spec(f.text), "listed_note_en": Spec(f.text),
    "operator": Spec(f.text), "operator_en": Spec(f.text), "enterprises": Spec(f.texts),
    "enterprises_en": Spec(f.texts), "policies": Spec(f.facts), **COMMON_TEXT,
    "facts": Spec(f.facts), "figures": Spec(f.figures), "milestones": Spec(f.milestones),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PROJECT_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text),
    "chain": Spec(f.slug), "chain_basis": Spec(f.basis), "park": Spec(f.slug), "park_basis": Spec(f.basis),
    "status": Spec(f.status, required=True), "status_note": Spec(f.text), "status_note_en": Spec(f.text),
    "investment_yi": Spec(f.amount), "investment_min_yi": Spec(f.amount), "investment_note": Spec(f.text),
    "investment_note_en": Spec(f.text), "companies": Spec(f.texts), "companies_en": Spec(f.texts),
    "capacity": Spec(f.texts), "capacity_en": Spec(f.texts), "location": Spec(f.location),
    "milestones": Spec(f.milestones), **COMMON_TEXT, "tags": Spec(f.texts), "tags_en": Spec(f.texts),
    "facts": Spec(f.facts),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PAGE_SPECS = {"title": Spec(f.text, required=True), "title_en": Spec(f.text), "summary": Spec(f.text),
              "summary_en": Spec(f.text), "draft": Spec(f.flag)}

SPECS = {"sources": SOURCE_SPECS, "chains": CHAIN_SPECS, "parks": PARK_SPECS, "projects": PROJECT_SPECS,
         "pages": PAGE_SPECS}
MODELS = {"sources": Source, "chains": Chain, "parks": Park, "projects": Project, "pages": Page}
TEMPLATES_FOR_NEW = ("chain", "park", "project")


def build_entry(raw: RawEntry, check: Checker, districts: Iterable[str]):
    """Read a raw entry into its model object (or None, with problems recorded in ``check``)."""
    specs = dict(SPECS[raw.kind])
    if "location" in specs:
        names = tuple(districts)
        specs["location"] = Spec(lambda c, r, li, n: f.location(c, r, li, n, names))
    if raw.kind in ("sources",) and raw.body:
        check.add(raw.body_line, "body", "source entries have no body; put remarks in 'note'")
    before = len(check.problems)
    values = f.read_fields(check, raw.data, specs)
    _cross_field_checks(raw, values, check)
    if len(check.problems) > before:
        return None
    if raw.kind != "sources":
        values["body"] = raw.body
        values["body_en"] = raw.body_en
    return MODELS[raw.kind](slug=raw.slug, path=raw.path, **values)


def _cross_field_checks(raw: RawEntry, values: dict, check: Checker) -> None:
    data = raw.data
    if raw.kind == "chains" and values.get("group") not in (None, "unstated") and "group_basis" not in values:
        check.add(data.line_of("group"), "group_basis",
                  "say how the group is supported: stated, implied or external (or use group: unstated)")
    if raw.kind == "projects":
        for link in ("chain", "park"):
            if f"{link}_basis" in values and link not in values:
                check.add(data.line_of(f"{link}_basis"), f"{link}_basis", f"'{link}_basis' given without '{link}'")
        if "investment_yi" in values and "investment_min_yi" in values:
            check.add(data.line_of("investment_min_yi"), "investment_min_yi",
                      "give either investment_yi (the amount) or investment_min_yi (a lower bound), not both")
    for listed in ("companies", "enterprises"):  # translated item by item: the two lists must pair up
        chinese, english = values.get(listed), values.get(f"{listed}_en")
        if chinese is not None and english is not None and len(chinese) != len(english):
            check.add(data.line_of(f"{listed}_en"), f"{listed}_en", f"{len(english)} English names for "
                      f"{len(chinese)} in '{listed}'; give one English name per item, in the same order")


TRANSLATED_KINDS = ("chains", "parks", "projects")  # entries whose pages the English edition must name and describe
# Further fields with an English twin (``FIELD_en``), by kind ("a.b": field b inside a); ITEM_TWINS: in list items.
TWIN_FIELDS = {
    "chains": ("named_note", "leader", "group_ref.note"),
    "parks": ("listed_note", "operator", "enterprises", "location.note"),
    "projects": ("status_note", "investment_note", "companies", "capacity", "tags", "location.note"),
    "sources": ("author", "date_note"),
    "pages": ("summary",),
}
CHINESE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")  # a value without any needs no twin
ITEM_TWINS = {"facts": ("note",), "policies": ("note",), "figures": ("period", "reported_by", "note")}


def translation_warnings(entries: Iterable[RawEntry]) -> list[Problem]:
    """What the English edition still lacks, as warnings: names, summaries and bodies without an English twin.

    Missing English is never an error (the English page shows the Chinese, marked untranslated); ``check``
    lists these, and ``check --strict`` fails on them.
    """
    found = []
    entries = list(entries)
    for root in dict.fromkeys(raw.path.parent.parent for raw in entries):  # entries live in ROOT/<kind>/
        found += _figures_file_warnings(root / "figures.yaml")
    for raw in entries:
        if raw.kind in TWIN_FIELDS and isinstance(raw.data, dict):
            found += _missing_twins(raw)
        if raw.kind not in TRANSLATED_KINDS or not isinstance(raw.data, dict):
            continue
        data = raw.data
        if data.get("name") and not data.get("name_en"):
            found.append(Problem(raw.path, data.line_of("name"), "name_en", "warning: no English name; add name_en "
                                 "(the English page shows the Chinese name, marked untranslated)"))
        if data.get("summary") and not data.get("summary_en"):
            found.append(Problem(raw.path, data.line_of("summary"), "summary_en", "warning: no English summary; add "
                                 "summary_en (the English page shows the Chinese summary, marked untranslated)"))
        if raw.body.strip() and not raw.body_en.strip():
            english = raw.path.with_name(f"{raw.slug}.en.md").name
            found.append(Problem(raw.path, raw.body_line or 1, "body", f"warning: no English body; write {english} "
                                 "beside this file (the English page shows the Chinese text, marked untranslated)"))
    return sorted(found)


def _figures_file_warnings(path) -> list[Problem]:
    """The city figures (figures.yaml) without English for what the figures page shows; a file that does not
    parse gives none here (``check`` reports it as a problem)."""
    if not path.is_file():
        return []
    text, problems = read_text(path)
    data, problems = parse_yaml(text, path) if text is not None else (None, problems)
    if problems or not isinstance(data, LineDict):
        return []
    return _missing_twins(RawEntry("figures", "figures", path, data), ("figures",))


def _missing_twins(raw: RawEntry, lists: tuple[str, ...] = tuple(ITEM_TWINS)) -> list[Problem]:
    """Warnings for the fields of TWIN_FIELDS and ITEM_TWINS that have Chinese but no English twin."""
    found = []
    own = TWIN_FIELDS.get(raw.kind, ())
    places = [(raw.data, name, name) for name in own if "." not in name]
    for name in own:
        if "." in name:
            outer, inner = name.split(".")
            if isinstance(raw.data.get(outer), dict):
                places.append((raw.data[outer], inner, name))
    for listed in lists:
        names = ITEM_TWINS[listed]
        items = raw.data.get(listed)
        for index, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict):
                places += [(item, name, f"{listed}[{index + 1}].{name}") for name in names]
    for data, name, shown in places:
        if CHINESE.search(str(data.get(name) or "")) and not data.get(f"{name}_en") and hasattr(data, "line_of"):
            found.append(Problem(raw.path, data.line_of(name), f"{shown}_en", f"warning: no English for '{shown}'; "
                                 f"add {name}_en beside it (the English page shows the Chinese, marked untranslated)"))
    return found
