"""The atlas's languages: Chinese at the site's root, English under ``en/``.

Interface strings are written in Chinese in the code and templates (the msgid *is* the Chinese text, so
Chinese stays primary and needs no catalog). ``locales/en/LC_MESSAGES/messages.po`` translates them;
the build compiles it in memory on every run (no committed ``.mo``), so a fresh clone works.
A message missing from the catalog would show its Chinese msgid on an English page: the tests scan
English pages for CJK characters and check that the catalog has no empty or fuzzy entry.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations
from markupsafe import Markup

from atlas.paths import PROJECT_ROOT
from atlas.problems import ContentError, Problem

LOCALES_DIR = PROJECT_ROOT / "locales"
DOMAIN = "messages"
PRIMARY = "zh"
LANGUAGES = ("zh", "en")  # the order pages are rendered in; the primary one lives at the root
HTML_LANG = {"zh": "zh-CN", "en": "en"}
PREFIX = {"zh": "", "en": "en/"}
NAMES = {"zh": "中文", "en": "English"}  # each language named in itself (the switcher's words)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention babel's extractor looks for)
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Language:
    code: str  # "zh" or "en"
    # compared by identity: caches keyed by a Language miss once a catalog is compiled anew (the preview server)
    translations: gettext.NullTranslations = field(repr=False)

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.code]

    @property
    def prefix(self) -> str:
        """Folder of this language's pages in the output ("" for the primary language)."""
        return PREFIX[self.code]

    @property
    def primary(self) -> bool:
        return self.code == PRIMARY

    def gettext(self, message: str, **values: object) -> str:
        """Translate ``message``; with ``values``, fill in its ``%(name)s`` placeholders."""
        translated = self.translations.gettext(message) if message else message
        return translated % values if values else translated

    def path(self, path: str) -> str:
        """An output path of the primary language as this language writes it."""
        return self.prefix + path


_NO_TRANSLATION = gettext.NullTranslations()  # the primary language: its msgids are its words


def catalog_path(code: str, locales: Path = LOCALES_DIR) -> Path:
    return locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def language(code: str, locales: Path = LOCALES_DIR) -> Language:
    """The language ``code`` with its catalog compiled (Chinese needs none: its msgids are its words)."""
    if code == PRIMARY:
        return Language(code, _NO_TRANSLATION)
    path = catalog_path(code, locales)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ContentError([Problem(path, 1, "catalog", f"the '{code}' message catalog is missing; run "
                                    "`make i18n-update` (or the pybabel commands in README.md)")]) from None
    return Language(code, compile_catalog(path, stamp))


def languages(locales: Path = LOCALES_DIR) -> list[Language]:
    return [language(code, locales) for code in LANGUAGES]


@functools.lru_cache(maxsize=8)  # keyed by the file's mtime, so an edited catalog is read again
def compile_catalog(path: Path, stamp: int) -> Translations:
    """Read a .po file and compile it in memory; a malformed one is a ``PATH:LINE`` problem."""
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
    except PoFileError as error:
        raise ContentError([Problem(path, error.lineno + 1, "catalog",
                                    f"{error.args[0].rsplit(' on ', 1)[0]}: {error.line!r}; fix the .po file "
                                    "(or regenerate it with `make i18n-update`)")]) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise ContentError([Problem(path, 1, "catalog", f"cannot read the catalog: {error}")]) from None
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation: it falls back (and tests fail)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def install_translations(env: jinja2.Environment, translations: gettext.NullTranslations) -> None:
    """``env.install_gettext_translations(translations, newstyle=True)``, with a faster ``_``/``gettext``/``ngettext``.

    Same results as Jinja's newstyle callables (``jinja2.ext._make_new_gettext``): the translation is Markup when
    autoescaping and is always %-formatted, escaping the values. ``_`` is ``gettext`` itself, not Jinja's alias
    that looks ``gettext`` up at every call (no template defines its own). Called on every render: the memo is new.
    """
    env.install_gettext_translations(translations, newstyle=True)  # also pgettext, npgettext (unused)
    gettext_, ngettext_ = template_gettext(translations)
    env.globals.update(_=gettext_, gettext=gettext_, ngettext=ngettext_)


def template_gettext(translations: gettext.NullTranslations) -> tuple[Callable[..., str], Callable[..., str]]:
    """Jinja's newstyle ``gettext`` and ``ngettext`` for ``translations``; a message given no values is
    translated and formatted once (a build calls ``_()`` ~80 times a page with a few hundred messages)."""
    # as Jinja's install_gettext_translations: the u- names first (the same methods on Python 3 catalogs)
    translate = getattr(translations, "ugettext", None) or translations.gettext
    translate_plural = getattr(translations, "ungettext", None) or translations.ngettext
    done: dict[str, Markup] = {}  # message -> Markup(translation) % {}, when autoescaping

    @jinja2.pass_eval_context  # not pass_context: that derives a context for each call inside a loop
    def gettext(eval_ctx: jinja2.nodes.EvalContext, message: str, /, **values: object) -> str:
        if not values and eval_ctx.autoescape and type(message) is str:
            markup = done.get(message)
            if markup is None:
                markup = done[message] = Markup(translate(message)) % values
            return markup
        translated = translate(message)
        return (Markup(translated) if eval_ctx.autoescape else translated) % values

    @jinja2.pass_eval_context
    def ngettext(eval_ctx: jinja2.nodes.EvalContext, singular: str, plural: str, count: int, /,
                 **values: object) -> str:
        values.setdefault("num", count)
        translated = translate_plural(singular, plural, count)
        return (Markup(translated) if eval_ctx.autoescape else translated) % values

    return gettext, ngettext


def untranslated(catalog_file: Path) -> list[tuple[int, str]]:
    """(line, msgid) of every entry of a catalog that is empty or fuzzy."""
    with catalog_file.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    return [(message.lineno, str(message.id)) for message in catalog
            if message.id and (not message.string or message.fuzzy)]
