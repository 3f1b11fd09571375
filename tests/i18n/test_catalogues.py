"""The catalogues in locale/ say everything the code marks, in Korean and Turkish, and every
template string a reader sees is marked.

- `makemessages` over a copy of the code finds exactly the msgids that locale/ holds: a string
  marked since the last merge (or one no longer used) fails here with its text.
- No entry is untranslated or fuzzy, and `msgfmt -c` accepts each catalogue (a translation that
  drops or renames a `%(name)s` placeholder would crash the page that formats it).
- A template's visible text and its title/placeholder/aria-label/alt attributes are inside
  `{% translate %}` / `{% blocktranslate %}`: the template is read with Django's own lexer, every
  tag and variable replaced by a placeholder, and what is left parsed as HTML.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
LANGUAGES = ("ko", "tr")
DOMAINS = ("django", "djangojs")
# What makemessages reads, as the merge and ./ax run it.
SOURCES = ("audiences", "journeys", "measurements", "webhooks", "axreg", "templates", "static/js")
MAKEMESSAGES = ["--no-wrap", "--no-location", "-l", "ko", "-l", "tr"]


def _catalogue(language: str, domain: str) -> polib.POFile:
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: run the merge (docs/i18n.md)"
    return polib.pofile(str(path))


def _keys(po: polib.POFile) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete and e.msgid}


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """makemessages over a copy of the sources, so the check never rewrites locale/."""
    copy = tmp_path_factory.mktemp("makemessages")
    for source in SOURCES:
        shutil.copytree(
            ROOT / source, copy / source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    (copy / "locale").mkdir()
    django_admin = Path(
        shutil.which("django-admin") or Path(settings.BASE_DIR) / ".venv/bin/django-admin"
    )
    for domain, extensions in (("django", ["-e", "html,txt,py"]), ("djangojs", [])):
        subprocess.run(
            [str(django_admin), "makemessages", "-d", domain, *extensions, *MAKEMESSAGES],
            cwd=copy,
            check=True,
            capture_output=True,
            # Without the project's settings: makemessages then writes into ./locale only.
            env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        )
    return copy / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogues_hold_exactly_what_the_code_marks(fresh_catalogues, language, domain):
    fresh_path = fresh_catalogues / language / "LC_MESSAGES" / f"{domain}.po"
    fresh = _keys(polib.pofile(str(fresh_path))) if fresh_path.exists() else set()
    stored = _keys(_catalogue(language, domain)) if fresh else set()
    new = sorted(msgid for _ctx, msgid in fresh - stored)
    gone = sorted(msgid for _ctx, msgid in stored - fresh)
    assert not new and not gone, (
        f"locale/{language}/{domain}.po is out of date (run the merge, docs/i18n.md):\n"
        + "".join(f"  marked, not in the catalogue: {m!r}\n" for m in new[:40])
        + "".join(f"  in the catalogue, no longer marked: {m!r}\n" for m in gone[:40])
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    if domain == "djangojs" and not path.exists():
        pytest.skip("no JavaScript strings marked")
    po = _catalogue(language, domain)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries() if e.msgid]
    assert not untranslated and not fuzzy, (
        f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy in {path.relative_to(ROOT)}: "
        f"{(untranslated + fuzzy)[:20]}"
    )
    # msgfmt -c: placeholders and plural forms agree with the msgid; it exits non-zero if not.
    check = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr


def test_a_placeholder_dropped_by_a_translation_is_caught(tmp_path):
    """The check above can fail: msgfmt -c refuses a translation that loses %(name)s."""
    bad = tmp_path / "bad.po"
    bad.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "%(name)s has no owner"\nmsgstr "책임자가 없습니다"\n',
        encoding="utf-8",
    )
    check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(bad)], capture_output=True)
    assert check.returncode != 0


# --- unmarked template text -------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
# Attributes a reader sees or hears.
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description", "label"}
# Words that are the same in every language: the product's name, metric acronyms, units.
SAME_IN_EVERY_LANGUAGE = re.compile(
    r"AX Registry|eNPS|\b[A-Z]{2,6}s?\b|\b[A-Z]{1,3}\s?\+\s?[A-Z]{1,3}\b"
    r"|&[a-z]+;|&#\d+;|\bn\b|\bh\b"
)
# Spaced, so a tag inside an HTML tag (`<a{% if %} class="x"{% endif %}>`) still parses.
PLACEHOLDER = " \x00 "


def _unmarked_text(source: str) -> list[str]:
    """The readable text of a template that is not inside a translation tag."""
    pieces: list[str] = []
    skip_until: str | None = None
    for token in Lexer(source).tokenize():
        if skip_until:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skip_until:
                skip_until = None
            pieces.append(PLACEHOLDER)
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                skip_until = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skip_until = "endcomment"
            elif name == "verbatim":
                skip_until = "endverbatim"
        pieces.append(PLACEHOLDER)
    finder = _ReadableText()
    finder.feed("".join(pieces))
    finder.close()
    return finder.found


class _ReadableText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._skipping = 0  # inside <script>, <style>, <code>…

    @staticmethod
    def _readable(text: str) -> str | None:
        rest = SAME_IN_EVERY_LANGUAGE.sub(" ", text.replace(PLACEHOLDER, " "))
        return text.strip() if re.search(r"[^\W\d_]{2,}", rest) else None

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code", "pre", "kbd", "samp"):
            self._skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and self._readable(value):
                self.found.append(f'{name}="{value.strip()}"')
            button = tag == "input" and dict(attrs).get("type") in ("submit", "button")
            if name == "value" and button and value and self._readable(value):
                self.found.append(f'value="{value.strip()}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "pre", "kbd", "samp") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping and self._readable(data):
            self.found.append(" ".join(data.split()))


def test_the_unmarked_text_finder_finds_what_a_reader_would_see():
    source = (
        '{% load i18n %}<h1>{% translate "Audiences" %}</h1><p>Nobody owns {{ name }}</p>'
        '<button title="Move up">↑</button>{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}'
        '<script>const a = "not for readers";</script><span>NPS</span> <b>{{ value }} %</b>'
        '{% comment %}Not shown{% endcomment %}<input type="submit" value="Save">'
    )
    assert _unmarked_text(source) == ["Nobody owns \x00", 'title="Move up"', 'value="Save"']
    assert (
        _unmarked_text('<a{% if x %} class="on"{% endif %} href="{% url "y" %}">{{ n }}</a>') == []
    )


def test_every_template_string_is_marked():
    unmarked = {}
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        found = _unmarked_text(path.read_text(encoding="utf-8"))
        if found:
            unmarked[str(path.relative_to(ROOT))] = found
    assert not unmarked, "text not marked for translation:\n" + "\n".join(
        f"  {name}: {', '.join(repr(t[:60]) for t in texts[:6])}"
        for name, texts in unmarked.items()
    )
