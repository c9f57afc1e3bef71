"""Formatting shared by templates: amounts, dates, labels, and sanitised Markdown."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

import jinja2
import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from atlas.i18n import N_, Language, language
from atlas.model import BASES, GROUPS, PRECISIONS, STATUSES

CHINESE = language("zh")
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

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


@functools.lru_cache(maxsize=512)  # keyed by the text: a Chinese body shown on both editions renders once
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


@functools.lru_cache(maxsize=1024)  # a project table shows one per row, and amounts repeat (50 亿元, 100 亿元…)
def yi(value: float | None, lower_bound: float | None = None, lang: Language = CHINESE) -> str:
    """An amount in 亿元 as shown on the site (in English: CNY billions); unknown is 未披露, never 0."""
    if value is not None:
        return amount(value, lang)
    if lower_bound is not None:
        return lang.gettext("未披露（%(amount)s以上）", amount=amount(lower_bound, lang))
    return lang.gettext("未披露")


def amount(value: float | int, lang: Language = CHINESE) -> str:
    """50 -> '50 亿元'; in English 'CNY 5 billion': 亿元 are 100 million yuan, so billions are the amount ÷ 10,
    exactly (one more decimal than the source gave, never rounded)."""
    if lang.primary:
        return f"{number(value)} 亿元"
    return f"CNY {billions(value)} billion"


def billions(value: float | int) -> str:
    """An amount in 亿元 as billions of yuan: 81.7 -> '8.17', 3942.1 -> '394.21', 50 -> '5'."""
    shifted = Decimal(repr(float(value))) / 10
    text = f"{shifted:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def date_label(value: str | None, lang: Language = CHINESE) -> str:
    """A YYYY[-MM[-DD]] date as the language writes it: '2023年10月' / 'Oct 2023'."""
    if lang.primary or not value:
        return zh_date(value) if lang.primary else lang.gettext("日期未知")
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS_EN[int(parts[1]) - 1]
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) > 2 else f"{month} {parts[0]}"


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


def status_label(status: str, lang: Language = CHINESE) -> str:
    return lang.gettext(STATUSES[status][0])


def group_label(group: str, lang: Language = CHINESE) -> str:
    return lang.gettext(GROUPS[group][0])


def basis_label(basis: str | None, lang: Language = CHINESE) -> str:
    return lang.gettext(BASES[basis][0]) if basis else ""


def precision_label(precision: str, lang: Language = CHINESE) -> str:
    return lang.gettext(PRECISIONS[precision][0])


# --- content in the page's language -----------------------------------------------------------------

NOT_TRANSLATED = N_("尚未翻译")
NOT_TRANSLATED_NOTE = N_("（尚未翻译，以下为中文原文）")


def plain(lang: Language, entry: object, field: str) -> str:
    """A short field in the page's language as plain text (for titles, attributes, chart and map labels):
    English if given, else the Chinese followed by "(not yet translated)" — plain text cannot carry lang="zh-CN"."""
    value = getattr(entry, field) or ""
    english = None if lang.primary else getattr(entry, f"{field}_en", None)
    if lang.primary or english or not CJK.search(value):
        return english or value
    return _untranslated_plain(lang) % {"text": value}


@functools.lru_cache(maxsize=8)
def _untranslated_plain(lang: Language) -> str:
    return lang.gettext("%(text)s（尚未翻译）")


def localized(lang: Language, entry: object, field: str) -> Markup:
    """A short field (a name) in the page's language; missing English shows the Chinese, marked untranslated."""
    value = getattr(entry, field) or ""
    if lang.primary:
        return escape(value)
    english = getattr(entry, f"{field}_en", None)
    if english:
        return escape(english)
    if not value:
        return Markup("")
    # an f-string of escaped parts: Markup.format is slow, and every map place of the English edition comes here
    return Markup(f"{_untranslated_open(lang)}{escape(value)}</span>")


@functools.lru_cache(maxsize=8)
def _untranslated_open(lang: Language) -> str:
    return f'<span class="untranslated" lang="zh-CN" title="{escape(lang.gettext(NOT_TRANSLATED))}">'


def localized_text(lang: Language, entry: object, field: str) -> Markup:
    """A sentence-length field (a summary, a note): like :func:`localized`, with a visible note when untranslated."""
    value = getattr(entry, field) or ""
    english = None if lang.primary else getattr(entry, f"{field}_en", None)
    if lang.primary or english or not value:
        return escape(english or value)
    return Markup('<span class="untranslated" lang="zh-CN">{}</span> <small class="untranslated-note">{}</small>'
                  ).format(value, lang.gettext(NOT_TRANSLATED_NOTE))


def localized_body(lang: Language, entry: object) -> Markup:
    """An entry's Markdown body in the page's language: the ``.en.md`` body, or the Chinese one marked."""
    if lang.primary:
        return markdown_to_html(entry.body)
    if entry.body_en.strip():
        return markdown_to_html(entry.body_en)
    if not entry.body.strip():
        return Markup("")
    return Markup('<div class="untranslated" lang="zh-CN"><p class="untranslated-note" lang="{}">{}</p>{}</div>'
                  ).format(lang.html_lang, lang.gettext(NOT_TRANSLATED_NOTE), markdown_to_html(entry.body))


def localized_items(lang: Language, entry: object, field: str) -> list[Markup]:
    """A list field (companies, capacity) item by item in the page's language: the ``_en`` list if given,
    else each Chinese item marked untranslated."""
    items = getattr(entry, field) or ()
    english = None if lang.primary else getattr(entry, f"{field}_en", None)
    if lang.primary or english:
        return [escape(item) for item in (english or items)]
    return [Markup('<span class="untranslated" lang="zh-CN" title="{}">{}</span>').format(
        lang.gettext(NOT_TRANSLATED), item) for item in items]


def chinese(lang: Language, value: object) -> Markup:
    """Words that exist only in Chinese (verbatim quotes, company names): marked lang="zh-CN" on other pages."""
    if value is None or value == "":
        return Markup("")
    if lang.primary or not CJK.search(str(value)):
        return escape(value)
    return Markup('<span lang="zh-CN">{}</span>').format(value)


# Qingdao's ten districts (content/geo): their names are interface words, translated in the catalog.
DISTRICTS = (N_("市南区"), N_("市北区"), N_("黄岛区"), N_("崂山区"), N_("李沧区"), N_("城阳区"), N_("即墨区"),
             N_("胶州市"), N_("平度市"), N_("莱西市"))


def district_label(lang: Language, district: str | None) -> Markup:
    """A district's name in the page's language; a name the catalog does not know stays Chinese, marked."""
    if not district:
        return Markup("")
    translated = lang.gettext(district)
    if lang.primary or translated != district:
        return escape(translated)
    return Markup('<span lang="zh-CN">{}</span>').format(district)


def language_helpers(lang: Language) -> dict:
    """The functions templates call to show content in the page's language."""
    return {
        "name": lambda entry, field="name": localized(lang, entry, field),
        "plain": lambda entry, field="name": plain(lang, entry, field),
        "text_of": lambda entry, field: localized_text(lang, entry, field),
        "items_of": lambda entry, field: localized_items(lang, entry, field),
        "body": lambda entry: localized_body(lang, entry),
        "zh": lambda value: chinese(lang, value),
        "district": lambda value: district_label(lang, value),
    }


def _lang(context) -> Language:
    return context.get("lang") or CHINESE


@jinja2.pass_context
def _yi_filter(context, value, lower_bound=None) -> str:
    return yi(value, lower_bound, _lang(context))


@jinja2.pass_context
def _amount_filter(context, value) -> str:
    return amount(value, _lang(context))


@jinja2.pass_context
def _date_filter(context, value) -> str:
    return date_label(value, _lang(context))


def _label_filter(function):
    @jinja2.pass_context
    def label(context, value):
        return function(value, _lang(context))
    return label


def host(url: str) -> str:
    match = re.match(r"^https?://([^/]+)", url or "")
    return match.group(1) if match else url


FILTERS = {
    "markdown": markdown_to_html, "number": number, "yi": _yi_filter, "amount": _amount_filter,
    "zh_date": _date_filter, "date": _date_filter, "status_label": _label_filter(status_label),
    "group_label": _label_filter(group_label), "basis_label": _label_filter(basis_label),
    "precision_label": _label_filter(precision_label), "host": host,
}
