"""What the app derives from a name people typed: its slug, and the key a search compares.

Slugs: Django's `slugify` keeps only letters that decompose to ASCII, so Turkish "ı" vanished
("ılık" → "lk") and a Korean name gave "". `slug_from_name` transliterates first
(text-unidecode, the transliteration python-slugify uses by default): "İstanbul ılık" →
"istanbul-ilik", "학부모" → "hagbumo". An ASCII name gives the slug it always did. A name with no
letter or digit in any script ("🎓") still gives "", which the forms and the API refuse
asking for a slug. Slugs already stored are never re-derived.

Search: `search_fold` is the key for matching names regardless of case in any script, with the
Turkish I, ı, İ and i as one letter ("ISTANBUL", "istanbul", "İstanbul" and "ıstanbul" alike).
The databases cannot do this (SQLite's LIKE folds ASCII only; PostgreSQL's ILIKE never equates
I/ı/İ/i), so the name filters compare folded names in Python (`audiences.filters`).
"""

from __future__ import annotations

import unicodedata

from django.utils.text import slugify
from text_unidecode import unidecode

SLUG_LENGTH = 80

# Turkish has I/ı and İ/i; folding all four to "i" lets either spelling find the other.
_ONE_I = str.maketrans({"I": "i", "İ": "i", "ı": "i"})


def slug_from_name(name: str | None, max_length: int = SLUG_LENGTH) -> str:
    """The slug made from `name`: ASCII letters, digits, hyphens and underscores, lower case,
    at most `max_length` long; "" when the name has no letter or digit at all."""
    text = unicodedata.normalize("NFKC", str(name or ""))
    return slugify(unidecode(text))[:max_length].strip("-_")


def search_fold(text: str | None) -> str:
    """`text` as searches compare it: case folded in every script, Turkish I/ı/İ/i as "i"."""
    text = unicodedata.normalize("NFC", str(text or "")).translate(_ONE_I).casefold()
    # "i̇" (i and a combining dot: what str.lower makes of "İ") is the same letter again.
    return unicodedata.normalize("NFC", text.replace("i\u0307", "i"))
