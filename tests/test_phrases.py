"""Phrase attributes (attrdb.phrases via attrdb vocab --phrases) against a Python recount.

Constructed tagged sentences: the bigram counts, PMI and the log-likelihood ratio are
recomputed with collections.Counter and scipy's G-test, and the phrases' D+ sets checked.
"""

from __future__ import annotations

import math
from collections import Counter

import duckdb
import numpy as np
import pytest
from scipy.stats import chi2_contingency

from attrdb.errors import InputError
from attrdb.vocab import run_vocab

# (shop, [sentences of (word, Penn tag)]) per product; the title is sentence 0.
ROUND = [("round", "JJ"), ("neck", "NN")]
VNECK = [("v", "NN"), ("-", "HYPH"), ("neck", "NN")]
CATALOGUE: list[tuple[str, list[list[tuple[str, str]]]]] = []
for _ in range(12):
    body = [("a", "DT"), ("soft", "JJ"), ("top", "NN"), (",", ","), ("neck", "NN")]
    CATALOGUE.append(("acme", [[("acme", "NNP"), ("red", "JJ"), ("top", "NN")], ROUND + body]))
for _ in range(8):
    CATALOGUE.append(("zen", [[("zen", "NNP"), ("blue", "JJ"), ("dress", "NN")],
                              VNECK + [("and", "CC"), ("soft", "JJ"), ("fabric", "NN")],
                              [("v", "NN")], [("neck", "NN"), ("red", "JJ")]]))
for _ in range(6):
    CATALOGUE.append(("zen", [[("zen", "NNP"), ("red", "JJ"), ("dress", "NN")],
                              [("round", "VBD"), ("neck", "NN"), ("soft", "JJ"), ("top", "NN")]]))


def _load(con: duckdb.DuckDBPyConnection) -> None:
    for i, (shop, lines) in enumerate(CATALOGUE):
        pid = f"p{i:02d}"
        con.execute("INSERT INTO products (product_id, shop, source, source_row) "
                    "VALUES (?, ?, 'toy', ?)", [pid, shop, i])
        con.execute("INSERT INTO duplicate_groups VALUES (?, ?, ?, true)", [pid, shop, pid])
        for line_no, line in enumerate(lines):
            field = "title" if line_no == 0 else "description"
            for pos_i, (word, tag) in enumerate(line):
                con.execute(
                    "INSERT INTO tokens (product_id, word, pos, field, line_no, position, norm) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", [pid, word, tag, field, line_no, pos_i, word])


def _expected_pairs() -> list[tuple[str, str, str, bool]]:
    """Every adjacent (product, first, second, of_kind) pair, hyphens skipped."""
    heads = {"JJ", "JJR", "JJS", "NN", "NNS", "NNP", "NNPS"}
    nouns = {"NN", "NNS", "NNP", "NNPS"}
    out = []
    for i, (_, lines) in enumerate(CATALOGUE):
        for line in lines:
            for k in range(len(line) - 1):
                (a, ta), (b, tb) = line[k], line[k + 1]
                if ta == "HYPH":
                    continue
                if tb == "HYPH":
                    if k + 2 < len(line):
                        c, tc = line[k + 2]
                        out.append((f"p{i:02d}", a, c, ta in heads and tc in nouns))
                    continue
                # No pair across a compound's edge ('neck t' in 'round neck t-shirt').
                if (k + 2 < len(line) and line[k + 2][1] == "HYPH") or (
                        k > 0 and line[k - 1][1] == "HYPH"):
                    continue
                out.append((f"p{i:02d}", a, b, ta in heads and tb in nouns))
    return out


def test_candidates_match_recount_and_g_test(con) -> None:
    _load(con)
    summary = run_vocab(con, min_count=3, phrases=5, phrase_min_llr=0.0)
    pairs = _expected_pairs()
    n = len(pairs)
    n12 = Counter((a, b) for _, a, b, _ in pairs)
    n1 = Counter(a for _, a, _, _ in pairs)
    n2 = Counter(b for _, _, b, _ in pairs)
    found = {r[0]: r[1:] for r in con.execute(
        "SELECT phrase, n_occurrences, n_products, n_kind, pmi, llr, rank, selected "
        "FROM phrase_candidates").fetchall()}
    shops = {"acme", "zen"}
    expected = {}
    for (a, b), k in n12.items():
        if a in shops or b in shops or not (a.isalpha() and b.isalpha()):
            continue
        kind = len({p for p, x, y, ok in pairs if (x, y) == (a, b) and ok})
        pmi = math.log(k * n / (n1[a] * n2[b]))
        if kind >= 3 and pmi > 0:
            expected[f"{a} {b}"] = (k, len({p for p, x, y, _ in pairs if (x, y) == (a, b)}),
                                    kind, pmi, n1[a], n2[b])
    assert set(found) == set(expected)
    for phrase, (k, n_products, kind, pmi, a, b) in expected.items():
        table = np.array([[k, a - k], [b - k, n - a - b + k]])
        g = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        got = found[phrase]
        assert got[:3] == (k, n_products, kind)
        assert got[3] == pytest.approx(pmi) and got[4] == pytest.approx(g)
    # 'v-neck' (hyphen) and 'round neck' are phrases; 'top neck' crosses a comma, 'v neck'
    # never pairs across lines; 'zen blue' holds the shop's name.
    assert {"round neck", "v neck", "soft top"} <= set(found)
    assert "top neck" not in found and "zen blue" not in found
    # round neck: 12 products tagged JJ NN, 6 more tagged VBD NN (D+ still holds them).
    assert found["round neck"][1:3] == (18, 12)
    assert summary["n_phrases"] == len(summary["phrases"]) == min(5, len(found))


def test_phrases_join_vocabulary_and_d_plus(con) -> None:
    _load(con)
    run_vocab(con, min_count=3, phrases=2, phrase_min_llr=0.0, exclude=["soft top"])
    vocab = dict(con.execute("SELECT word, kind FROM vocabulary").fetchall())
    phrases = sorted(w for w, k in vocab.items() if k == "phrase")
    assert len(phrases) == 2 and "soft top" not in phrases
    ranks = con.execute("SELECT kind, min(rank), max(rank) FROM vocabulary GROUP BY kind "
                        "ORDER BY 2").fetchall()
    assert ranks[0][0] == "adjective" and ranks[1][1] == ranks[0][2] + 1
    d_plus = {p: {r[0] for r in con.execute(
        "SELECT product_id FROM word_products WHERE word = ?", [p]).fetchall()}
        for p in phrases}
    pairs = _expected_pairs()
    for p in phrases:
        a, b = p.split()
        assert d_plus[p] == {pid for pid, x, y, _ in pairs if (x, y) == (a, b)}
    selected = {r[0] for r in con.execute(
        "SELECT phrase FROM phrase_candidates WHERE selected").fetchall()}
    assert selected == set(phrases)
    # A rerun without phrases removes them and their candidates.
    run_vocab(con, min_count=3)
    assert con.execute("SELECT count(*) FROM vocabulary WHERE kind = 'phrase'"
                       ).fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM phrase_candidates").fetchall()[0][0] == 0


def test_threshold_and_errors(con) -> None:
    _load(con)
    run_vocab(con, min_count=3, phrases=50)  # default G^2 >= 10.83
    llr = [r[0] for r in con.execute("SELECT llr FROM phrase_candidates").fetchall()]
    assert llr and min(llr) >= 10.83
    with pytest.raises(InputError, match="--phrases"):
        run_vocab(con, phrases=-1)


def test_report_section(con, tmp_path) -> None:
    from attrdb.report import build_report

    _load(con)
    con.execute("INSERT INTO models (model_id, name, weights, weights_sha256, input_size, "
                "n_units) VALUES ('m', 'toy', 'none', '0', 224, 1)")
    assert build_report(con, tmp_path / "a.html").statuses["phrases"] == "absent"
    run_vocab(con, min_count=3, phrases=2, phrase_min_llr=0.0)
    result = build_report(con, tmp_path / "r.html")
    assert result.statuses["phrases"] == "ok", result.failures
    assert "round neck" in (tmp_path / "r.html").read_text()
