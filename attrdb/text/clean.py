"""Make noisy listing text safe to tag: HTML remnants, odd Unicode, lines and sentences.

Cleaning never fails on odd input: markup is dropped, entities decoded, text NFKC-normalised
(full-width letters become ASCII, half-width katakana full-width), and control, format,
private-use and symbol characters (emoji, ™, ☆) become spaces. Lines keep their order so
``line_no`` stays meaningful for the boilerplate detector.
"""

from __future__ import annotations

import html
import re
import unicodedata

# A tag is short and has no nested brackets; anything longer is left as text.
_HTML_TAG = re.compile(r"<[^<>]{0,500}>")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
# Sentence ends: English ./!/? followed by space and a capital or digit; Japanese 。！？.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|(?<=[。！？!?])")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def has_japanese(text: str) -> bool:
    """True when ``text`` holds kana or kanji (the ``auto`` language rule)."""
    return _JAPANESE.search(text) is not None


def clean_text(text: str | None) -> str:
    """Strip HTML remnants and odd characters; keeps newlines. None gives ''."""
    if not text:
        return ""
    text = html.unescape(_HTML_TAG.sub(" ", text))
    text = _HTML_TAG.sub(" ", text)  # markup that was entity-escaped (&lt;b&gt;)
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        return _ASCII_CONTROL.sub(" ", text)
    return "".join(_clean_char(ch) for ch in text)


def _clean_char(ch: str) -> str:
    if ch == "\n" or ch == "\t":
        return ch
    category = unicodedata.category(ch)
    # C*: control, format (zero-width joiners), surrogates, private use, unassigned.
    # So: emoji and other pictographs, never attribute words.
    if category[0] == "C" or category == "So":
        return " "
    return ch


def split_lines(text: str | None) -> list[str]:
    """Cleaned non-empty lines of a field: split on line breaks, then on sentence ends."""
    lines: list[str] = []
    for raw in clean_text(text).splitlines():
        for part in _SENTENCE_END.split(raw):
            line = _SPACES.sub(" ", part).strip()
            if line:
                lines.append(line)
    return lines


def normalize_tag(tag: str | None) -> str:
    """One tag as one line: cleaned, whitespace collapsed ('' when nothing is left)."""
    return _SPACES.sub(" ", " ".join(clean_text(tag).split())).strip()
