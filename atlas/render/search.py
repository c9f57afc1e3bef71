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
from dataclasses import dataclass

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


KINDS = (Kind("chain", "产业链", "chains"), Kind("park", "园区", "parks"), Kind("project", "项目", "projects"))
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
    return ([chain_document(chain) for chain in atlas.chains]
            + [park_document(atlas, park) for park in atlas.parks]
            + [project_document(atlas, project) for project in atlas.projects])


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


def body_text(markdown: str, extra: list[str | None], summary: str) -> str:
    """The body as plain text, then the entry's other short texts, each clause only the first time.

    Entries quote their source more than once (summary, body, facts); a clause said before adds nothing
    to a search for it, so it is left out. That keeps 10,000 projects inside the 5 MB index budget.
    """
    said = summary
    texts = []
    for part in (plain_text(markdown), *extra):
        kept = []
        for clause in _CLAUSE.findall(part or ""):
            core = clause.rstrip(_DELIMITERS).strip()
            if core and core not in said:
                kept.append(clause.strip())
                said += "\n" + core
        if kept:
            texts.append("".join(kept))
    return " ".join(texts)


def _first_group(match: re.Match) -> str:
    return match.group(1)


_MARKUP = re.compile(r"[*_`#>|<\[\]~-]|^\s*\d+[.)]", re.M)
_MARKDOWN = (
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), _first_group),  # links and images keep their text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), _first_group),  # reference links
    (re.compile(r"^ {0,3}\[[^\]]+\]:.*$", re.M), ""),  # link definitions
    (re.compile(r"<[^>]*>"), " "),  # inline HTML tags
    (re.compile(r"^ {0,3}(?:#{1,6}|>+|[-*+]|\d+[.)])[ \t]+", re.M), ""),  # heading, quote, list markers
    (re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}.*$", re.M), ""),  # table rules and horizontal rules
    (re.compile(r"\*\*|__|~~|`+|(?<!\w)[*_]|[*_](?!\w)"), ""),  # emphasis and code marks
    (re.compile(r"\s*\|\s*"), " "),  # table cell borders
)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees (no marks, no link targets), on one line."""
    text = markdown
    if _MARKUP.search(text):
        for pattern, replacement in _MARKDOWN:
            text = pattern.sub(replacement, text)
    return " ".join(html.unescape(text).split())


# --- the index file -----------------------------------------------------------------------------------

def index_payload(documents: list[SearchDocument]) -> dict:
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
            "kinds": [{"kind": kind.code, "label": kind.label, "path": entry_path(kind.folder, "{slug}")}
                      for kind in KINDS],
            "labels": list(labels), "documents": rows}


def index_script(documents: list[SearchDocument]) -> str:
    """The index as a script that sets ``window.ATLAS_SEARCH``, safe inside any HTML script element."""
    data = json.dumps(index_payload(documents), ensure_ascii=False, separators=(",", ":"))
    # "<" never occurs outside strings in JSON: escaping it rules out "</script>" and "<!--"
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.{GLOBAL_NAME} = {data};\n"


def search_index_file(atlas: Atlas) -> bytes:
    return index_script(search_documents(atlas)).encode("utf-8")
