"""Benchmark: can the ranked list of visual words be trusted? (issue: trustworthy discovery)

Usage:
    python bench/bench_trust.py --db PIPELINE.duckdb [--work DIR] [--settings robust,paper]
        [--seeds 0,1] [--jobs 2] [--crossfit-repeats R]

The pipeline database must have been through ingest (with base_colour in the metadata),
text, dedup and extract (docs/trust.md: the full shared Myntra set). It is copied per
setting and seed into --work; nothing is written to it. For every setting (a scope
definition) and seed: vocab -> split (seed) -> divergence -> visualness (crossfit, seed).
Printed, per setting:

- seed-to-seed stability of the cross-fitted ranking (by the AUC's lower bound): Spearman
  and top-30 overlap; prime-unit overlap (share of a word's 100 prime units two seeds
  share), ranked by kl_z (stored) and by raw KL (the paper's), over all words and over the
  words whose cross-fitted AUC lower bound is above 0.7 on both seeds;
- the top quartile of the ranking on the first seed, with how many of its words are care,
  product-part or category-bound words (hand lists below: evaluation only, never input);
- colour precision@50 against base_colour (which the method never reads) of the
  cross-fitted out-of-fold scores, next to the supervised ceiling: the same visualness code
  path with D+ replaced by the products whose base_colour is that colour.

Each seed's cross-fit costs crossfit_repeats x 5 + 1 fits per word (docs/trust.md gives
the measured times).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from attrdb.connection import connect
from attrdb.context.scopes import ScopeDefinition, define_scope
from attrdb.depth import run_depth
from attrdb.divergence import run_divergence
from attrdb.splits import run_split
from attrdb.stability import _compare, _prime_units, _ranking_scores
from attrdb.visualness import VisualnessConfig, run_visualness
from attrdb.vocab import run_vocab

SETTINGS = {
    # The defaults since this release: boilerplate lines dropped, negatives matched to the
    # positives' category (products.category) and shop.
    "robust": ScopeDefinition(),
    # The same, negatives matched on the category only (not the shop).
    "category_only": ScopeDefinition(match_shop=False),
    # The paper: every line of text, random negatives.
    "paper": ScopeDefinition(boilerplate="keep", negatives="random", location_words="keep"),
}
# Evaluation-only hand lists (what a reader would call not a visual attribute).
CARE = {"clean", "dry", "warm", "mild", "cold", "tumble", "damp", "direct", "wet", "lukewarm",
        "chlorine", "gentle", "hot"}
PART = {"upper", "inner", "inside", "front", "back", "left", "right", "outsole", "footbed",
        "forefoot", "orthotic", "medial", "lateral", "welt", "insert", "flap", "main",
        "internal", "top", "lower", "central"}
COLOURS = {"black": "Black", "blue": "Blue", "white": "White", "red": "Red", "green": "Green",
           "pink": "Pink", "grey": "Grey", "purple": "Purple", "brown": "Brown",
           "yellow": "Yellow", "beige": "Beige"}
TOP = 30
STRONG_AUC_LOW = 0.7  # "clearly visual": the cross-fitted AUC's lower bound above this


def _colour_precision(con: Any, scope: str, words: list[str], at: int = 50) -> dict[str, float]:
    """Share of the `at` highest-scored products (crossfit) whose base_colour is the word's."""
    result = {}
    for word in words:
        rows = con.execute(
            "SELECT json_extract_string(p.metadata, '$.base_colour') FROM predictions AS r "
            "JOIN products AS p ON p.product_id = r.product_id WHERE r.scope = ? "
            "AND r.word = ? AND r.method = 'crossfit' ORDER BY r.score DESC, r.product_id "
            "LIMIT ?", [scope, word, at]).fetchall()
        if rows:
            result[word] = sum(r[0] == COLOURS[word] for r in rows) / len(rows)
    return result


def _ceiling(path: Path, scope: str, words: list[str], config: VisualnessConfig,
             jobs: int) -> dict[str, float]:
    """Colour precision@50 when D+ is base_colour itself (same visualness code path)."""
    con = connect(path, upgrade=True)
    try:
        con.execute("DELETE FROM word_products WHERE scope = ? AND list_contains(?, word)",
                    [scope, words])
        con.execute(
            "INSERT INTO word_products (scope, word, product_id) "
            "SELECT DISTINCT s.scope, w.word, s.product_id FROM scope_products AS s "
            "JOIN products AS p ON p.product_id = s.product_id "
            "JOIN (SELECT unnest(?) AS word, unnest(?) AS colour) AS w "
            "ON json_extract_string(p.metadata, '$.base_colour') = w.colour "
            "WHERE s.scope = ?",
            [words, [COLOURS[w] for w in words], scope])
        run_visualness(con, scope=scope, words=words, methods=["crossfit"], config=config,
                       jobs=jobs, progress=False, force=True)
        return _colour_precision(con, scope, words)
    finally:
        con.close()


def run_setting(name: str, definition: ScopeDefinition, base: Path, work: Path,
                seeds: list[int], jobs: int, base_config: VisualnessConfig) -> dict[str, Any]:
    scope = f"bench_{name}"
    scores: dict[int, Any] = {}
    prime: dict[int, Any] = {}
    report: dict[str, Any] = {"setting": name, "definition": definition.as_dict(),
                              "negatives_per_positive": base_config.negatives_per_positive,
                              "crossfit_repeats": base_config.crossfit_repeats}
    for seed in seeds:
        path = work / f"{name}_seed{seed}.duckdb"
        shutil.copy(base, path)
        con = connect(path, upgrade=True)
        clock = time.perf_counter()
        define_scope(con, scope, definition)
        vocab = run_vocab(con, scope=scope)
        run_split(con, seed=seed)
        divergence = run_divergence(con, scope=scope)
        run_depth(con, scope=scope)
        config = replace(base_config, seed=seed)
        visualness = run_visualness(con, scope=scope, methods=["crossfit"], config=config,
                                    jobs=jobs, progress=False)
        model_id = divergence["model_id"]
        scores[seed] = _ranking_scores(con, model_id, scope, ["crossfit"])
        prime[seed] = _prime_units(con, model_id, scope)
        report[f"seconds_seed{seed}"] = round(time.perf_counter() - clock, 1)
        report[f"fit_seconds_seed{seed}"] = visualness.get("seconds_by_phase")
        if seed == seeds[0]:
            report["vocab"] = {k: v for k, v in vocab.items() if isinstance(v, (int, float))}
            ranked = sorted(scores[seed]["crossfit"].items(), key=lambda kv: -kv[1])
            quartile = [w for w, _ in ranked[: len(ranked) // 4]]
            bound = {r[0] for r in con.execute(
                "SELECT word FROM category_bound_words WHERE scope = ? AND bound",
                [scope]).fetchall()}
            report["top_quartile"] = quartile
            report["top_quartile_flagged"] = {
                "care": sorted(set(quartile) & CARE),
                "part": sorted(set(quartile) & PART),
                "category_bound": sorted(set(quartile) & bound),
            }
            report["n_flagged"] = len(set(quartile) & (CARE | PART | bound))
            report["top10"] = [
                (w, round(s, 3)) for w, s in ranked[:10]
            ]
            colours = [w for w in COLOURS if w in scores[seed]["crossfit"]]
            precision = _colour_precision(con, scope, colours)
            con.close()
            ceiling = _ceiling(path, scope, colours, config, jobs)
            report["colour_p50"] = {w: round(v, 3) for w, v in precision.items()}
            report["colour_p50_ceiling"] = {w: round(v, 3) for w, v in ceiling.items()}
            mean = sum(precision.values()) / len(precision)
            mean_ceiling = sum(ceiling.values()) / len(ceiling)
            report["colour_p50_mean"] = round(mean, 3)
            report["colour_p50_ceiling_mean"] = round(mean_ceiling, 3)
            report["colour_ratio"] = round(mean / mean_ceiling, 3)
        else:
            con.close()
        print(json.dumps(report, default=str), file=sys.stderr, flush=True)
    report["stability"] = _compare(scores, prime, seeds, ["crossfit"], TOP)
    # Prime units of the words that are clearly visual on every seed: is the unit list of
    # a word with signal reproducible, or only that of words without one noisy?
    strong = set.intersection(*(
        {w for w, v in scores[seed]["crossfit"].items() if v > STRONG_AUC_LOW} for seed in seeds
    ))
    strong_prime = {seed: {ranking: {w: units for w, units in by_word.items() if w in strong}
                           for ranking, by_word in prime[seed].items()} for seed in seeds}
    report["stability"]["prime_unit_overlap_strong_words"] = {
        "n_words": len(strong),
        **_compare(scores, strong_prime, seeds, [], TOP)["prime_unit_overlap"],
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--settings", default="robust,paper")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--negatives-per-positive", type=int,
                        default=VisualnessConfig().negatives_per_positive)
    parser.add_argument("--crossfit-repeats", type=int,
                        default=VisualnessConfig().crossfit_repeats)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-trust-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"work folder {work}; load {os.getloadavg()}", file=sys.stderr)
    results = []
    for name in args.settings.split(","):
        config = VisualnessConfig(negatives_per_positive=args.negatives_per_positive,
                                  crossfit_repeats=args.crossfit_repeats)
        results.append(run_setting(name, SETTINGS[name], args.db, work, seeds, args.jobs, config))
        print(json.dumps(results[-1], indent=1, default=str), flush=True)
    print(f"load {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
