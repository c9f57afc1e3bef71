"""Formatting shared by templates: amounts, dates, labels, and sanitised Markdown."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from atlas.model import BASES, GROUPS, PRECISIONS, STATUSES

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope", "colspan", "rowspan"},
                      "td": {"colspan", "rowspan"}, "ol": {"start"}}


URL_SCHEMES = {"http", "https", "mailto"}  # and relative links; never javascript:, data:, vbscript:

# CommonMark plus tables. markdown-it's parser stays close to linear on hostile text (Python-Markdown took
# a minute on 10 KB of '['); bodies are also capped in size (atlas.content.load.MAX_BODY_BYTES).
# Raw HTML is parsed so that nh3 can keep the allow-listed tags (<sub>, <abbr>…) and drop the rest.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
# Every link target becomes a link, so that nh3 alone decides which schemes survive (a refused one leaves
# the link's text, as for raw HTML) rather than two filters with different rules.
_MARKDOWN.validateLink = lambda url: True


def markdown_to_html(text: str) -> Markup:
    """Render an entry's Markdown body, then keep only an allow-list of tags (no scripts, no styles)."""
    if not text.strip():
        return Markup("")
    clean = nh3.clean(_MARKDOWN.render(text), tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
    return Markup(clean.strip())


def number(value: float | int | str) -> str:
    """1234.5 -> '1,234.5'; keeps the source's precision (no rounding to fewer decimals)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.10f}".rstrip("0").rstrip(".")


def yi(value: float | None, lower_bound: float | None = None) -> str:
    """An amount in 亿元 as shown on the site; unknown is 未披露, never 0."""
    if value is not None:
        return f"{number(value)} 亿元"
    if lower_bound is not None:
        return f"未披露（{number(lower_bound)} 亿元以上）"
    return "未披露"


def zh_date(value: str | None) -> str:
    """'2023-10' -> '2023年10月'; '2023-10-07' -> '2023年10月7日'."""
    if not value:
        return "日期未知"
    parts = value.split("-")
    out = f"{parts[0]}年"
    if len(parts) > 1:
        out += f"{int(parts[1])}月"
    if len(parts) > 2:
        out += f"{int(parts[2])}日"
    return out


def status_label(status: str) -> str:
    return STATUSES[status][0]


def group_label(group: str) -> str:
    return GROUPS[group][0]


def basis_label(basis: str | None) -> str:
    return BASES[basis][0] if basis else ""


def precision_label(precision: str) -> str:
    return PRECISIONS[precision][0]


def host(url: str) -> str:
    match = re.match(r"^https?://([^/]+)", url or "")
    return match.group(1) if match else url


FILTERS = {
    "markdown": markdown_to_html, "number": number, "yi": yi, "zh_date": zh_date, "status_label": status_label,
    "group_label": group_label, "basis_label": basis_label, "precision_label": precision_label, "host": host,
}
