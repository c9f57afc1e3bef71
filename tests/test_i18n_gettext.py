"""The templates' faster gettext (atlas.i18n.install_translations) renders exactly what Jinja's newstyle one does."""

from __future__ import annotations

import gettext

import jinja2
import pytest
from markupsafe import Markup

from atlas.i18n import install_translations, language


class DictTranslations(gettext.NullTranslations):
    def __init__(self, words: dict[str, str]):
        super().__init__()
        self.words = words

    def gettext(self, message):
        return self.words.get(message, message)

    def ngettext(self, singular, plural, n):
        return self.words.get(singular if n == 1 else plural, singular if n == 1 else plural)


WORDS = {"项目": "Projects", "<b>粗</b>": "<b>bold</b>", "百分之%(n)s": "%(n)s%%", "共 %(n)s 个": "%(n)s in all",
         "一个": "one item", "%(num)s 个": "%(num)s items", "链接": "see %(link)s", "百分百": "100%%"}
TEMPLATES = {
    "plain": "{{ _('项目') }}|{{ gettext('项目') }}|{{ _('未翻译') }}|{{ _('项目') }}",
    "markup in message": "{{ _('<b>粗</b>') }}",
    "values escaped": "{{ _('共 %(n)s 个', n='<i>') }}|{{ _('链接', link=link) }}",
    "percent": "{{ _('百分之%(n)s', n=5) }}|{{ _('百分百') }}|{{ _('100%%') }}",
    "placeholder without value": "{{ _('共 %(n)s 个') }}",
    "lone percent": "{{ _('50%') }}",
    "in a loop": "{% for x in [1, 2] %}{% set y = x %}{{ _('项目') }}{{ _('共 %(n)s 个', n=y) }}{% endfor %}",
    "autoescape off": "{% autoescape false %}{{ _('<b>粗</b>') }}|{{ _('共 %(n)s 个', n='<i>') }}{% endautoescape %}",
    "plural": "{{ ngettext('一个', '%(num)s 个', 1) }}|{{ ngettext('一个', '%(num)s 个', 3) }}|"
              "{{ ngettext('一个', '%(num)s 个', 2, num='<2>') }}",
    "a variable message": "{{ _(word) }}|{{ _(marked) }}",
    "a value named message": "{{ _('链接', message='m', link='x') }}",
    "pgettext kept": "{{ pgettext('ctx', '项目') }}",
    "trans block": "{% trans n=3 %}共 {{ n }} 个{% endtrans %}",
}
VALUES = {"link": Markup('<a href="x">here</a>'), "word": "项目", "marked": Markup("<b>粗</b>")}


def render(source: str, translations: gettext.NullTranslations, fast: bool, autoescape: bool = True) -> str:
    env = jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined)
    if fast:
        install_translations(env, translations)
    else:
        env.install_gettext_translations(translations, newstyle=True)
    try:
        return "ok:" + env.from_string(source).render(VALUES)
    except (KeyError, ValueError, TypeError) as error:
        return f"error:{type(error).__name__}"


@pytest.mark.parametrize("autoescape", [True, False])
@pytest.mark.parametrize("translations", [DictTranslations(WORDS), gettext.NullTranslations()], ids=["en", "null"])
@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_same_output_as_jinja_newstyle(name, translations, autoescape):
    source = TEMPLATES[name]
    assert render(source, translations, True, autoescape) == render(source, translations, False, autoescape)


def test_expected_words():
    """The reference itself: translated, escaped values, markup of the message kept, formatted once."""
    english = DictTranslations(WORDS)
    assert render(TEMPLATES["plain"], english, True) == "ok:Projects|Projects|未翻译|Projects"
    assert render(TEMPLATES["values escaped"], english, True) == 'ok:&lt;i&gt; in all|see <a href="x">here</a>'
    assert render(TEMPLATES["percent"], english, True) == "ok:5%|100%|100%"
    assert render(TEMPLATES["placeholder without value"], english, True) == "error:KeyError"


def test_a_new_install_forgets_the_old_words():
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    template = env.from_string("{{ _('项目') }}")
    install_translations(env, DictTranslations({"项目": "Projects"}))
    assert template.render() == "Projects"
    install_translations(env, DictTranslations({"项目": "Items"}))  # e.g. the preview recompiled an edited catalog
    assert template.render() == "Items"
    install_translations(env, gettext.NullTranslations())
    assert template.render() == "项目"


def test_the_real_catalog_matches():
    english = language("en").translations
    source = "{{ _('项目') }}|{{ _('产业链') }}|{{ _('%(name)s位置地图', name='<x>') }}"
    fast = render(source, english, True)
    assert fast == render(source, english, False)
    assert fast.startswith("ok:") and "&lt;x&gt;" in fast and "项目" not in fast
