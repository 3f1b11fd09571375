"""Upper- and lower-casing that knows the language on screen.

Python's `str.lower` turns Turkish "I" into "i" and "İ" into "i̇" (i plus a combining dot), and
`str.upper` turns "i" into "I": in Turkish the pairs are I/ı and İ/i. Every place that changes
the case of text a reader sees goes through these (the template filters of the same names do,
`axreg.templatetags.language_casing`); machine comparisons (e-mail addresses, header names)
keep `str.lower`/`casefold`.
"""

from __future__ import annotations

from django.utils.translation import get_language

# Languages whose i has a dotted and a dotless form (Turkish, Azerbaijani).
_DOTTED_I = {"tr", "az"}


def _dotted_i(language: str | None) -> bool:
    return (language or get_language() or "").split("-")[0].lower() in _DOTTED_I


def lower(text: str, language: str | None = None) -> str:
    """ "İSTANBUL" → "istanbul", "IŞIK" → "ışık" in Turkish; `str.lower` elsewhere."""
    text = str(text)
    if _dotted_i(language):
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def upper(text: str, language: str | None = None) -> str:
    """ "istanbul" → "İSTANBUL", "ışık" → "IŞIK" in Turkish; `str.upper` elsewhere."""
    text = str(text)
    if _dotted_i(language):
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def capfirst(text: str, language: str | None = None) -> str:
    """The first letter upper-cased as `upper` does it: "ilk yanıt" → "İlk yanıt" in Turkish."""
    text = str(text)
    return upper(text[:1], language) + text[1:]


def lower_first(text: str, language: str | None = None) -> str:
    """The first letter lower-cased, for a label used inside a sentence ("Open" → "open"),
    "İptal" → "iptal" in Turkish; a label that is an acronym ("NPS") stays as it is."""
    text = str(text)
    if text[:2].isupper():
        return text
    return lower(text[:1], language) + text[1:]
