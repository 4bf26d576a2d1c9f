"""Measure attribute neighbourhoods on a real catalogue against a hand list of word kinds.

Usage:
    python bench/bench_neighbours.py --db PIPELINE.duckdb [--scope default] [--divergence]
        [--kinds tests/data/word_kinds.csv] [--methods cosine,spearman,prime_jaccard]

The database must have been through vocab, split and extract (``--divergence`` runs the
divergence stage first; the file is changed, so pass a copy). For each method the
neighbours stage runs, then, with the hand list of kinds (colour / pattern / material /
care / shape ...; kept with the tests, never read by the method):

- knn: over the labelled words, the mean share of each word's 5 nearest neighbours that
  share its kind, (a) among all vocabulary words and (b) among the labelled words only,
  beside the share a random neighbour would give (chance);
- groups: for each kind, the group holding most of its words, that share, and the group's
  purity (share of the group's labelled words of that kind).
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from pathlib import Path

import numpy as np

from attrdb.connection import connect
from attrdb.divergence import run_divergence
from attrdb.neighbours import METHODS, run_neighbours, similarity_matrix

REPO = Path(__file__).resolve().parent.parent
K = 5


def read_kinds(path: Path) -> dict[str, str]:
    """word -> kind from a CSV with columns word, kind ('#' lines are comments)."""
    with path.open(newline="", encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {r["word"].strip(): r["kind"].strip() for r in csv.DictReader(lines)}


def knn_agreement(words: list[str], matrix: np.ndarray, kinds: dict[str, str],
                  among_labelled: bool) -> tuple[float, float, int]:
    """Mean share of the K nearest neighbours with the word's kind, chance, words scored."""
    labelled = [i for i, w in enumerate(words) if w in kinds]
    pool = labelled if among_labelled else list(range(len(words)))
    shares = []
    for i in labelled:
        candidates = [j for j in pool if j != i]
        near = sorted(candidates, key=lambda j: (-matrix[i, j], words[j]))[:K]
        shares.append(np.mean([kinds.get(words[j]) == kinds[words[i]] for j in near]))
    counts = Counter(kinds[words[i]] for i in labelled)
    n = len(labelled) if among_labelled else len(words)
    chance = sum(c * (c - 1) for c in counts.values()) / (len(labelled) * (n - 1))
    return float(np.mean(shares)), chance, len(labelled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--scope", default="default")
    parser.add_argument("--divergence", action="store_true")
    parser.add_argument("--kinds", default=str(REPO / "tests" / "data" / "word_kinds.csv"))
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--n-groups", type=int, default=20)
    args = parser.parse_args()
    kinds_all = read_kinds(Path(args.kinds))
    con = connect(args.db)
    if args.divergence:
        start = time.perf_counter()
        summary = run_divergence(con, scope=args.scope)
        print(f"divergence: {summary['n_words']} words in {time.perf_counter() - start:.1f} s")
    for method in args.methods.split(","):
        start = time.perf_counter()
        summary = run_neighbours(con, scope=args.scope, method=method, n_groups=args.n_groups)
        seconds = time.perf_counter() - start
        words, matrix = similarity_matrix(con, summary["model_id"], args.scope, method)
        kinds = {w: k for w, k in kinds_all.items() if w in words}
        all_share, all_chance, n = knn_agreement(words, matrix, kinds, among_labelled=False)
        lab_share, lab_chance, _ = knn_agreement(words, matrix, kinds, among_labelled=True)
        print(f"\n== {method} of {summary['value']}: {len(words)} words, {n} labelled "
              f"({dict(Counter(kinds.values()))}), {seconds:.1f} s")
        print(f"{K}-NN sharing the kind: {all_share:.2f} among all words (chance "
              f"{all_chance:.2f}); {lab_share:.2f} among labelled words (chance {lab_chance:.2f})")
        group_of = dict(con.execute(
            "SELECT word, group_id FROM word_groups WHERE scope = ? AND method = ?",
            [args.scope, method]).fetchall())
        for kind in sorted(set(kinds.values())):
            members = [w for w, k in kinds.items() if k == kind]
            groups = Counter(group_of[w] for w in members)
            best, held = groups.most_common(1)[0]
            in_group = [w for w, g in group_of.items() if g == best and w in kinds]
            purity = sum(kinds[w] == kind for w in in_group) / len(in_group)
            size = sum(1 for g in group_of.values() if g == best)
            print(f"  {kind:9s} {len(members):3d} words; group {best} (size {size}) holds "
                  f"{held / len(members):.2f} of them, purity {purity:.2f}: "
                  f"{', '.join(sorted(w for w in members if group_of[w] == best)[:10])}")
        for group in summary["groups"][:8]:
            print(f"  group {group['group_id']} ({group['size']}): "
                  f"{', '.join(group['words'][:14])}")
    con.close()


if __name__ == "__main__":
    main()
