"""Every page the app links to, walked as lead, owner and viewer on the demo seeded in Korean
and in Turkish: what a reader sees is in that language.

Korean is written in Hangul, so any Latin word left on a Korean page is English that nobody
marked (or a catalogue entry nobody translated): the walk lists each with its page. Turkish is
written in Latin letters, so there the walk looks for words the English interface uses and
the Turkish catalogue never does. Product words that are the same in every language (NPS,
CSAT, the product's name, e-mail addresses, codes) are left out, and so is what a page shows in
`<code>` or marks `translate="no"`, or in another language on purpose (`lang="en-gb"` on the
language switch's "English").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.guards.test_page_walk import ROLES, kind_of, walk

START = ["/app/"]
MAX_PAGES = 300
SKIPPED_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "svg"}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Machine text a reader meets in any language: addresses, codes, units, the product's name.
SAME_IN_EVERY_LANGUAGE = re.compile(
    # Latin letters, not \b: a Korean particle joins an acronym ("CSAT와") into one \w run.
    r"AX Registry|eNPS|[\w.+-]+@[\w.-]+|https?://\S+|\S+/\S+"
    r"|(?<![A-Za-z])[A-Z]{2,6}s?(?![A-Za-z])|(?<![A-Za-z])[A-Z][a-z]?\d\S*"
)
WORD = re.compile(r"[A-Za-z][A-Za-z’'-]{2,}")


class VisibleText(HTMLParser):
    """The words a reader sees or hears, without what a page shows in another language."""

    def __init__(self, page_language: str) -> None:
        super().__init__()
        self.page_language = page_language
        self.chunks: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    @property
    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden in self._stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        other_language = values.get("lang") not in (None, self.page_language)
        hidden = tag in SKIPPED_TAGS or values.get("translate") == "no" or other_language
        if tag not in ("br", "img", "input", "meta", "link", "hr", "source", "wbr", "col"):
            self._stack.append((tag, hidden))
        if hidden or self._hidden:
            return
        for name in SHOWN_ATTRIBUTES & values.keys():
            self.chunks.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.chunks.append(values.get("value") or "")

    def handle_endtag(self, tag):
        while self._stack:
            open_tag, _hidden = self._stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not self._hidden:
            self.chunks.append(data)


def latin_words(html: str, page_language: str) -> list[str]:
    parser = VisibleText(page_language)
    parser.feed(html)
    text = SAME_IN_EVERY_LANGUAGE.sub(" ", " ".join(parser.chunks))
    return WORD.findall(text)


def english_only_words() -> set[str]:
    """Words of the English interface that its Turkish translation never uses."""
    english, turkish = set(), set()
    path = settings.BASE_DIR / "locale" / "tr" / "LC_MESSAGES" / "django.po"
    for entry in polib.pofile(str(path)):
        for text in (entry.msgid, entry.msgid_plural or ""):
            english |= {w.casefold() for w in WORD.findall(re.sub(r"%\(\w+\)s|<[^>]+>", " ", text))}
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            turkish |= {w.casefold() for w in WORD.findall(text)}
    return english - turkish


def _walk_every_role(language: str, check) -> tuple[int, dict[str, list[str]]]:
    """The page walk of tests/guards/test_page_walk.py on the demo seeded in `language`, as
    lead, owner and viewer whose browser asks for it; `check(html)` lists a page's leftovers."""
    call_command("seed_demo", language=language, stdout=StringIO())
    problems: dict[str, list[str]] = {}

    def on_page(url: str, html: str) -> None:
        view = kind_of(url)[0]
        for word in check(html):
            if word not in problems.setdefault(view, []):
                problems[view].append(word)

    pages = 0
    for role, email in ROLES.items():
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(get_user_model().objects.get(email=email))
        result = walk(client, role, START, on_page=on_page, max_pages=MAX_PAGES)
        assert not result.problems, result.problems  # no 5xx, every page with the layout
        pages += len(result.visited)
    problems = {view: words for view, words in problems.items() if words}
    return pages, problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"  {view}: {', '.join(words[:25])}" for view, words in problems.items())


def test_the_visible_text_reader_skips_code_other_languages_and_tags():
    html = (
        '<p>오디언스 <code>teachers</code> Nobody</p><button lang="en-gb">English</button>'
        '<a title="Move up">↑</a><span translate="no">Riverside</span> NPS 40 a@b.example'
    )
    assert latin_words(html, "ko") == ["Nobody", "Move"]


@pytest.mark.django_db
def test_every_page_in_korean_has_no_english_left():
    pages, problems = _walk_every_role("ko", lambda html: latin_words(html, "ko"))
    assert pages > 30
    assert not problems, "English on Korean pages (view: words):\n" + _report(problems)


@pytest.mark.django_db
def test_every_page_in_turkish_has_no_english_left():
    english = english_only_words()
    assert len(english) > 300 and {"save", "cancel"} <= english  # the interface's own words

    def check(html: str) -> list[str]:
        return [w for w in latin_words(html, "tr") if w.casefold() in english]

    pages, problems = _walk_every_role("tr", check)
    assert pages > 30
    assert not problems, "English on Turkish pages (view: words):\n" + _report(problems)
