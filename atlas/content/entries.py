"""What each kind of entry may contain, and how a raw entry becomes a model object."""

from __future__ import annotations

from collections.abc import Iterable

from atlas.content import fields as f
from atlas.content.fields import Checker, Spec
from atlas.content.load import RawEntry
from atlas.model import GROUPS, Chain, Page, Park, Project, Source

COMMON_TEXT = {"summary": Spec(f.text), "summary_en": Spec(f.text)}

SOURCE_SPECS = {
    "title": Spec(f.text, required=True), "title_en": Spec(f.text), "publisher": Spec(f.text),
    "publisher_en": Spec(f.text), "author": Spec(f.text), "date": Spec(f.date), "date_note": Spec(f.text),
    "url": Spec(f.url), "note": Spec(f.text), "note_en": Spec(f.text),
}

CHAIN_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text),
    "group": Spec(f.choice(GROUPS), required=True), "group_basis": Spec(f.basis), "group_ref": Spec(f.ref),
    "named": Spec(f.basis), "named_note": Spec(f.text), "leader": Spec(f.text), **COMMON_TEXT,
    "facts": Spec(f.facts), "figures": Spec(f.figures), "milestones": Spec(f.milestones),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PARK_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text), "chains": Spec(f.slugs),
    "chains_basis": Spec(f.basis), "named": Spec(f.basis), "location": Spec(f.location),
    "listed": Spec(f.year_or_date), "listed_note": Spec(f.text), "operator": Spec(f.text),
    "enterprises": Spec(f.texts), "policies": Spec(f.facts), **COMMON_TEXT,
    "facts": Spec(f.facts), "figures": Spec(f.figures), "milestones": Spec(f.milestones),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PROJECT_SPECS = {
    "name": Spec(f.text, required=True), "name_en": Spec(f.text),
    "chain": Spec(f.slug), "chain_basis": Spec(f.basis), "park": Spec(f.slug), "park_basis": Spec(f.basis),
    "status": Spec(f.status, required=True), "status_note": Spec(f.text),
    "investment_yi": Spec(f.amount), "investment_min_yi": Spec(f.amount), "investment_note": Spec(f.text),
    "companies": Spec(f.texts), "capacity": Spec(f.texts), "location": Spec(f.location),
    "milestones": Spec(f.milestones), **COMMON_TEXT, "tags": Spec(f.texts), "facts": Spec(f.facts),
    "sources": Spec(f.refs, required=True), "draft": Spec(f.flag),
}

PAGE_SPECS = {"title": Spec(f.text, required=True), "title_en": Spec(f.text), "summary": Spec(f.text),
              "draft": Spec(f.flag)}

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
