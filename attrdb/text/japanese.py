"""Japanese tokenisation with Sudachi (``sudachidict_core``), split mode C.

Mode C keeps the longest units (アメリカンカジュアル stays one word) and
``normalized_form()`` merges spelling variants (カワイイ / かわいい / 可愛い → 可愛い) and
some English forms (American casual → アメリカンカジュアル). POS is Sudachi's hierarchy
joined by '-' without its '*' slots, e.g. 形容詞-一般, 名詞-普通名詞-サ変可能.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from attrdb.errors import ModelError
from attrdb.text.english import Key, TokenRow

# Sudachi refuses inputs over 49,149 bytes; 12,000 characters stay below it in UTF-8.
_MAX_CHARS = 12_000


@lru_cache(maxsize=None)
def load_sudachi() -> Any:
    """A mode-C Sudachi tokenizer on the core dictionary.

    Raises:
        ModelError: sudachipy or sudachidict_core is not installed.
    """
    try:
        from sudachipy import Dictionary, SplitMode

        return Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    except Exception as exc:  # ImportError, or the dictionary package missing
        raise ModelError(
            f"Sudachi with sudachidict_core is needed for Japanese text: {exc}; "
            "install it: pip install sudachipy sudachidict_core"
        ) from exc


def _pos(morpheme: Any) -> str:
    return "-".join(part for part in morpheme.part_of_speech()[:4] if part != "*")


def _norm(morpheme: Any) -> str:
    form = str(morpheme.normalized_form())
    # Latin words keep the English convention (lower case) so both paths agree.
    return form.lower() if form.isascii() else form


def morphemes(text: str) -> list[tuple[str, str, str]]:
    """(surface, norm, pos) of each non-blank morpheme of ``text``."""
    tokenizer = load_sudachi()
    found: list[tuple[str, str, str]] = []
    for begin in range(0, len(text), _MAX_CHARS):
        for morpheme in tokenizer.tokenize(text[begin : begin + _MAX_CHARS]):
            surface = str(morpheme.surface())
            if not surface.strip():
                continue
            found.append((surface, _norm(morpheme), _pos(morpheme)))
    return found


def normalize_japanese(text: str) -> str:
    """One term's normal form: its morphemes' normalised forms, concatenated.

    Used for whole tags and synonym terms, so a tag written アメカジ and a synonym entry
    アメカジ land on the same key.
    """
    return "".join(norm for _surface, norm, _pos in morphemes(text))


class JapaneseTagger:
    """Same interface as :class:`attrdb.text.english.EnglishTagger`."""

    lang = "ja"

    def __init__(self) -> None:
        load_sudachi()

    def tag(self, jobs: Iterable[tuple[Key, list[str]]]) -> Iterator[tuple[Key, list[TokenRow]]]:
        """Tokenise each job's lines; yields ``(key, rows)`` per job."""
        for key, lines in jobs:
            rows: list[TokenRow] = []
            for line_no, line in enumerate(lines):
                for position, (surface, norm, pos) in enumerate(morphemes(line)):
                    rows.append((line_no, position, surface, norm, pos))
            yield key, rows
