"""Text analysis: clean listing text, tag words (spaCy / Sudachi), merge synonyms.

``run_text`` (in :mod:`attrdb.text.tokenize`) fills ``tokens`` and ``text_lines``; the
near-duplicate, vocabulary and split stages that read them are plain SQL
(:mod:`attrdb.dedup`, :mod:`attrdb.vocab`, :mod:`attrdb.splits`).
"""
