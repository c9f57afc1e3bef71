"""Site search: the tokenizer and the search index shipped as a script (``file://`` forbids fetching JSON).

Chinese has no spaces, so CJK text becomes overlapping character bigrams (a lone character stays a
unigram) and other letters and digits become whole lower-cased words. ``static/js/search.js`` holds the
browser twin of :func:`tokenize`; ``tests/search_cases.json`` runs both on the same cases so they cannot
drift, and :data:`TOKENIZER` names the rule in the index so the page refuses an index made by another rule.

The index ships the documents (one row each, shared chain/park/district names stored once) and MiniSearch
indexes them in the browser. At 10,000 projects that file is under 5 MB, where a serialised MiniSearch index
would add 10 MB for a load only about a third faster (figures: ``bench/search_bench.py``).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace

from atlas.i18n import N_, Language
from atlas.model import Chain, Park, Project
from atlas.render.views import district_of, entry_path
from atlas.resolve import Atlas

TOKENIZER = "cjk-bigram-1"  # bump (here and in search.js) whenever the token rule changes
INDEX_PATH = "static/search/index.js"
GLOBAL_NAME = "ATLAS_SEARCH"

# Scripts written without spaces, split into bigrams: (first, last) code points, inclusive.
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3134F),  # CJK extensions B–G
)
_FULLWIDTH_FIRST, _FULLWIDTH_LAST, _FULLWIDTH_SHIFT = 0xFF01, 0xFF5E, 0xFEE0  # ＡＢＣ１２３ → ABC123


def is_cjk(code: int) -> bool:
    return any(first <= code <= last for first, last in CJK_RANGES)


def tokenize(text: str) -> list[str]:
    """Search tokens of ``text``, in order: "MiniLED背板" → ["miniled", "背板"]; "黄岛区" → ["黄岛", "岛区"]."""
    tokens: list[str] = []
    run: list[str] = []
    run_is_cjk = False
    for char in text:
        code = ord(char)
        if _FULLWIDTH_FIRST <= code <= _FULLWIDTH_LAST:
            code -= _FULLWIDTH_SHIFT
            char = chr(code)
        if code < 0x80:
            cjk, word = False, char.isalnum()
        else:
            cjk = is_cjk(code)
            word = not cjk and unicodedata.category(char)[0] in "LMN"
        if run and (cjk != run_is_cjk or not (cjk or word)):
            _flush(run, run_is_cjk, tokens)
            run = []
        if cjk or word:
            run.append(char)
            run_is_cjk = cjk
    if run:
        _flush(run, run_is_cjk, tokens)
    return tokens


def _flush(run: list[str], cjk: bool, tokens: list[str]) -> None:
    if not cjk:
        tokens.append("".join(run).lower())  # the whole word at once: a final Σ lowers to ς, as in JS
    elif len(run) == 1:
        tokens.append(run[0])
    else:
        tokens.extend(run[i] + run[i + 1] for i in range(len(run) - 1))


# --- documents ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    folder: str  # where the kind's pages are written: entry_path(folder, slug)


KINDS = (Kind("chain", N_("产业链"), "chains"), Kind("park", N_("园区"), "parks"),
         Kind("project", N_("项目"), "projects"))
KIND_BY_CODE = {kind.code: kind for kind in KINDS}


@dataclass(frozen=True)
class SearchDocument:
    """One searchable entry. Field order is the row order in the index (search.js reads rows by ``columns``)."""

    kind: str  # chain / park / project
    slug: str
    name: str
    name_en: str
    chain: tuple[str, ...]  # names of its chains (shared names are stored once in the index: ``labels``)
    park: tuple[str, ...]
    district: tuple[str, ...]
    companies: str
    summary: str
    body: str

    @property
    def path(self) -> str:
        return entry_path(KIND_BY_CODE[self.kind].folder, self.slug)


COLUMNS = tuple(SearchDocument.__dataclass_fields__)
FIELDS = COLUMNS[2:]  # the searched fields
LABELLED = ("chain", "park", "district")


def search_documents(atlas: Atlas) -> list[SearchDocument]:
    """Chains, parks and projects as search documents, in the order the site lists them."""
    memo, kept = _MEMO.documents, {}
    documents = [_remembered(memo, kept, (chain,), lambda chain=chain: chain_document(chain))
                 for chain in atlas.chains]
    for park in atlas.parks:  # a park's document names its chains
        inputs = (park, *(atlas.chain_by_slug.get(slug) for slug in park.chains))
        documents.append(_remembered(memo, kept, inputs, lambda park=park: park_document(atlas, park)))
    for project in atlas.projects:
        inputs = (project, atlas.chain_by_slug.get(project.chain or ""), atlas.park_by_slug.get(project.park or ""),
                  district_of(atlas, project))
        documents.append(_remembered(memo, kept, inputs, lambda project=project: project_document(atlas, project)))
    _MEMO.documents = kept
    return documents


class _Memo:
    """The documents of the latest index, kept for the next: the preview server rebuilds with the same entry
    objects for unchanged files, so a rebuild after one edit makes one or a few documents anew, not 10,000
    (each is ~150 µs of text work). A document is reused only when every input is the very same object."""

    def __init__(self) -> None:
        self.documents: dict[int, tuple[tuple, SearchDocument]] = {}  # id(entry) -> (inputs, document)
        self.translated: dict[tuple[int, str], tuple[tuple, SearchDocument]] = {}
        self.names: dict[str, str | None] | None = None  # the English names the translated documents used


_MEMO = _Memo()


def _remembered(memo: dict, kept: dict, inputs: tuple, make, key=None) -> SearchDocument:
    key = id(inputs[0]) if key is None else key
    known = memo.get(key)
    if known is not None and len(known[0]) == len(inputs) and all(
            a is b or (isinstance(a, str) and a == b) for a, b in zip(known[0], inputs)):
        document = known[1]
    else:
        document = make()
    kept[key] = (inputs, document)  # the inputs are held, so no id in the memo is reused by another object
    return document


def chain_document(chain: Chain) -> SearchDocument:
    extra = [chain.leader, *_notes(chain)]
    return SearchDocument("chain", chain.slug, chain.name, chain.name_en or "", (), (), (), "", chain.summary or "",
                          body_text(chain.body, extra, chain.summary or ""))


def park_document(atlas: Atlas, park: Park) -> SearchDocument:
    chains = tuple(atlas.chain_by_slug[slug].name for slug in park.chains if slug in atlas.chain_by_slug)
    district = (park.location.district,) if park.location and park.location.district else ()
    companies = "、".join([*park.enterprises, *([park.operator] if park.operator else [])])
    extra = [park.listed_note, *(policy.text for policy in park.policies), *_notes(park)]
    return SearchDocument("park", park.slug, park.name, park.name_en or "", chains, (), district, companies,
                          park.summary or "", body_text(park.body, extra, park.summary or ""))


def project_document(atlas: Atlas, project: Project) -> SearchDocument:
    chain = atlas.chain_by_slug.get(project.chain or "")
    park = atlas.park_by_slug.get(project.park or "")
    district = district_of(atlas, project)
    extra = [project.status_note, *project.capacity, *project.tags, *_notes(project)]
    return SearchDocument("project", project.slug, project.name, project.name_en or "",
                          (chain.name,) if chain else (), (park.name,) if park else (), (district,) if district else (),
                          "、".join(project.companies), project.summary or "",
                          body_text(project.body, extra, project.summary or ""))


def _notes(entry: Chain | Park | Project) -> list[str | None]:
    """Short texts an entry holds besides its body: facts, milestone notes, where it is."""
    location = getattr(entry, "location", None)
    return [*(fact.text for fact in entry.facts), *(m.note for m in entry.milestones),
            location.note if location else None]


_DELIMITERS = "。！？；，、：!?;,:\n"
_CLAUSE = re.compile(f"[^{_DELIMITERS}]+[{_DELIMITERS}]*")
_SEARCH_BUDGET = 2_000_000  # characters read by substring searches per document


def body_text(markdown: str, extra: list[str | None], summary: str) -> str:
    """The body as plain text, then the entry's other short texts, each clause only the first time.

    Entries quote their source more than once (summary, body, facts); a clause said before adds nothing
    to a search for it, so it is left out. That keeps 10,000 projects inside the 5 MB index budget.
    """
    said = summary
    seen = {summary, *(clause.rstrip(_DELIMITERS).strip() for clause in _CLAUSE.findall(summary))}
    searched = 0
    texts = []
    for part in (plain_text(markdown), *extra):
        kept = []
        for clause in _CLAUSE.findall(part or ""):
            core = clause.rstrip(_DELIMITERS).strip()
            if not core or core in seen:
                continue
            # each substring search reads all that was said: past a budget only exact repeats are left out,
            # so a huge body of distinct clauses costs linear time (real entries stay far below it)
            searched += len(said)
            if searched <= _SEARCH_BUDGET:
                if core in said:
                    continue
                said += "\n" + core
            kept.append(clause.strip())
            seen.add(core)
        if kept:
            texts.append("".join(kept))
    return " ".join(texts)


def _first_group(match: re.Match) -> str:
    return match.group(1)


def _closed_comment(match: re.Match) -> str:
    return " " if match.group().endswith("-->") else match.group()


# Every pattern runs in linear time on any text: a match that fails stops at the next bracket or line end,
# and no two quantifiers in a row can take the same characters, so hostile bodies ("[" * 100_000,
# "<" * 100_000, 100,000 blank lines; tests/test_hostile.py) are not rescanned from every position.
_MARKUP = re.compile(r"[*_`#>|<\[\]~-]|^[ \t]*\d+[.)]", re.M)
_MARKDOWN = (
    # an unclosed comment runs to the end (no later one can close either) and is kept as text
    (re.compile(r"<!--.*?(?:-->|\Z)", re.S), _closed_comment),
    (re.compile(r"!?\[([^\[\]]*)\]\(([^()]*)\)"), _first_group),  # links and images keep their text
    (re.compile(r"\[([^\[\]]*)\]\[[^\[\]]*\]"), _first_group),  # reference links
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:.*$", re.M), ""),  # link definitions
    (re.compile(r"<[^<>]*>"), " "),  # inline HTML tags
    (re.compile(r"^ {0,3}(?:#{1,6}|>+|[-*+]|\d+[.)])[ \t]+", re.M), ""),  # heading, quote, list markers
    (re.compile(r"^[ \t]*(?:\|[ \t]*)?:?-{3,}.*$", re.M), ""),  # table rules and horizontal rules
    (re.compile(r"\*\*|__|~~|`+|(?<!\w)[*_]|[*_](?!\w)"), ""),  # emphasis and code marks
    (re.compile(r"\|"), " "),  # table cell borders (the spaces around them are joined below)
)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees (no marks, no link targets), on one line."""
    text = markdown
    if _MARKUP.search(text):
        for pattern, replacement in _MARKDOWN:
            text = pattern.sub(replacement, text)
    return " ".join(html.unescape(text).split())


# --- the index file -----------------------------------------------------------------------------------

def index_payload(documents: list[SearchDocument], lang: Language | None = None) -> dict:
    """The index as data: documents as rows, with the chain, park and district names stored once."""
    labels: dict[str, int] = {}
    kinds = {kind.code: number for number, kind in enumerate(KINDS)}
    rows = []
    for document in documents:
        row: list = [kinds[document.kind]]
        for column in COLUMNS[1:]:
            value = getattr(document, column)
            row.append([labels.setdefault(name, len(labels)) for name in value] if column in LABELLED else value)
        rows.append(row)
    return {"tokenizer": TOKENIZER, "columns": list(COLUMNS), "fields": list(FIELDS), "labelled": list(LABELLED),
            "kinds": [{"kind": kind.code, "label": lang.gettext(kind.label) if lang else kind.label,
                       "path": entry_path(kind.folder, "{slug}")}
                      for kind in KINDS],
            "labels": list(labels), "documents": rows}


def index_script(documents: list[SearchDocument], lang: Language | None = None) -> str:
    """The index as a script that sets ``window.ATLAS_SEARCH``, safe inside any HTML script element."""
    data = json.dumps(index_payload(documents, lang), ensure_ascii=False, separators=(",", ":"))
    # "<" never occurs outside strings in JSON: escaping it rules out "</script>" and "<!--"
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.{GLOBAL_NAME} = {data};\n"


def search_index_file(atlas: Atlas, lang: Language | None = None) -> bytes:
    """The index of the primary language, or (``lang``) of another: its names, summaries and bodies."""
    documents = search_documents(atlas)
    if lang is not None and not lang.primary:
        names = _english_names(atlas)  # once, not once per document
        if names != _MEMO.names:
            _MEMO.translated, _MEMO.names = {}, names
        memo, kept = _MEMO.translated, {}
        documents = [_remembered(memo, kept, (document, _entry_of(atlas, document), lang.translations),
                                 lambda document=document: translated_document(atlas, document, lang, names),
                                 (id(document), lang.code))
                     for document in documents]
        _MEMO.translated = kept
    return index_script(documents, lang).encode("utf-8")


def _entry_of(atlas: Atlas, document: SearchDocument) -> object:
    return {"chain": atlas.chain_by_slug, "park": atlas.park_by_slug,
            "project": atlas.project_by_slug}[document.kind][document.slug]


def index_path(lang: Language | None = None) -> str:
    """``static/search/index.js`` for the primary language, ``index.en.js``… for the others."""
    return INDEX_PATH if lang is None or lang.primary else INDEX_PATH.replace(".js", f".{lang.code}.js")


def _english_names(atlas: Atlas) -> dict[str, str | None]:
    return {c.name: c.name_en for c in atlas.chains} | {p.name: p.name_en for p in atlas.parks}


def translated_document(atlas: Atlas, document: SearchDocument, lang: Language,
                        names: Mapping[str, str | None] | None = None) -> SearchDocument:
    """A document of another language: its name and texts in that language where written (else the Chinese),
    the Chinese name second (so both find it), chain, park and district names translated."""
    entry = _entry_of(atlas, document)
    names = _english_names(atlas) if names is None else names
    summary = entry.summary_en or entry.summary or ""
    extra = _english_extra(entry)
    # the Chinese body leaves out what the Chinese summary said, as in the primary index
    body = body_text(entry.body_en, extra, summary) if entry.body_en else body_text(entry.body, extra,
                                                                                      entry.summary or "")
    return replace(document, name=entry.name_en or entry.name, name_en=entry.name if entry.name_en else "",
                   chain=tuple(names.get(n) or n for n in document.chain),
                   park=tuple(names.get(n) or n for n in document.park),
                   district=tuple(lang.gettext(d) for d in document.district), summary=summary,
                   companies=_english_companies(entry), body=body)


def _english(entry: object, field: str) -> str | None:
    """A short text's English twin, else the Chinese."""
    return getattr(entry, f"{field}_en", None) or getattr(entry, field, None)


def _english_items(entry: object, field: str) -> tuple[str, ...]:
    """A list's English twin (written item by item), else the Chinese list."""
    return getattr(entry, f"{field}_en", ()) or getattr(entry, field, ())


def _english_companies(entry: Chain | Park | Project) -> str:
    if isinstance(entry, Project):
        return "; ".join(_english_items(entry, "companies"))
    if isinstance(entry, Park):
        return "; ".join([*_english_items(entry, "enterprises"), *([_english(entry, "operator")] if entry.operator
                                                                    else [])])
    return ""


def _english_extra(entry: Chain | Park | Project) -> list[str | None]:
    """The short texts :func:`body_text` adds to the body (see the ``*_document`` functions), in English where
    written, else in Chinese."""
    location = getattr(entry, "location", None)
    notes = [*(_english(fact, "text") for fact in entry.facts), *(_english(m, "note") for m in entry.milestones),
             _english(location, "note") if location else None]
    if isinstance(entry, Project):
        return [_english(entry, "status_note"), *_english_items(entry, "capacity"), *_english_items(entry, "tags"),
                *notes]
    if isinstance(entry, Park):
        return [_english(entry, "listed_note"), *(_english(policy, "text") for policy in entry.policies), *notes]
    return [_english(entry, "leader"), *notes]
