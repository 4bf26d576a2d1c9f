"""Benchmark and compare context-robust discovery on a real catalogue.

Usage:
    python bench/bench_context.py --db PIPELINE.duckdb [--work DIR] [--jobs 2]
        [--settings default,clean,matched,clean_matched,apparel]
    python bench/bench_context.py --report DB      # print the comparison of a finished DB

The pipeline database must have been through ingest, text, dedup, split and extract (the
Myntra images: docs/context.md). It is copied into --work (default: a temporary folder,
kept so the results can be inspected) and, for each setting, a scope is defined and run
through vocab -> divergence -> visualness -> metadata-check, one stage at a time, in this
process. Settings:

- default: the paper (all kept products, boilerplate kept, random negatives);
- clean: boilerplate lines dropped, random negatives;
- matched: boilerplate kept, negatives matched to the positives' article type;
- clean_matched: both;
- apparel: one domain (master_category Apparel), boilerplate dropped, matched negatives.

Prints seconds per stage and peak memory, then per setting the top and bottom 15 words by
V(u) (resample accuracy) and by the random-sample accuracy, the most common boilerplate
lines, and the metadata agreement (precision at 50 / 100 against base_colour and Pattern).
Set ATTRDB_MEMORY_LIMIT (e.g. 4GB) on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from attrdb.connection import connect
from attrdb.context.boilerplate import top_boilerplate
from attrdb.context.metadata_check import run_metadata_check
from attrdb.context.scopes import ScopeDefinition, define_scope
from attrdb.divergence import run_divergence
from attrdb.visualness import run_visualness
from attrdb.vocab import run_vocab

SETTINGS: dict[str, ScopeDefinition | None] = {
    "default": None,
    "clean": ScopeDefinition(boilerplate="drop", negatives="random"),
    "matched": ScopeDefinition(boilerplate="keep", negatives="category_matched"),
    "clean_matched": ScopeDefinition(boilerplate="drop", negatives="category_matched"),
    "apparel": ScopeDefinition(category_field="metadata.master_category",
                               categories=("Apparel",), boilerplate="drop",
                               negatives="category_matched"),
}
N_WORDS = 15


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The Myntra columns the check compares against (the method never reads them).
MYNTRA_ATTRIBUTES = {"colour": "base_colour", "pattern": "article_attributes.Pattern"}


def run_settings(db: Path, settings: list[str], jobs: int) -> list[dict]:
    """Define each setting's scope and run its stages; returns one timing row per setting."""
    con = connect(db, upgrade=True)
    rows = []
    try:
        for scope in settings:
            definition = SETTINGS[scope]
            if definition is not None:
                define_scope(con, scope, definition, replace_existing=True)
            row: dict = {"scope": scope}
            for stage, call in (
                ("vocab", lambda s=scope: run_vocab(con, scope=s)),
                ("divergence", lambda s=scope: run_divergence(con, scope=s)),
                ("visualness", lambda s=scope: run_visualness(
                    con, scope=s, jobs=jobs, progress=False, force=True)),
                ("metadata_check", lambda s=scope: run_metadata_check(
                    con, scope=s, attributes=MYNTRA_ATTRIBUTES)),
            ):
                started = time.perf_counter()
                summary = call()
                row[f"{stage}_s"] = round(time.perf_counter() - started, 1)
                row[stage] = summary
            row["peak_mb"] = round(_peak_mb())
            rows.append(row)
            print(f"{scope}: vocab {row['vocab_s']} s, divergence {row['divergence_s']} s, "
                  f"visualness {row['visualness_s']} s, metadata {row['metadata_check_s']} s, "
                  f"peak {row['peak_mb']} MB", file=sys.stderr, flush=True)
    finally:
        con.close()
    return rows


def report(db: Path) -> None:
    """Print the comparison tables of a database that holds the settings' results."""
    con = connect(db, read_only=True)
    try:
        scopes = [r[0] for r in con.execute(
            "SELECT DISTINCT scope FROM visualness ORDER BY scope = 'default' DESC, scope"
        ).fetchall()]
        print("| setting | products | words | boilerplate lines dropped | tokens dropped "
              "| category-bound words | mean V(u) | mean random acc. |")
        print("|---|---|---|---|---|---|---|---|")
        for scope in scopes:
            n_products, n_words = con.execute(
                "SELECT (SELECT count(*) FROM scope_products WHERE scope = $s), "
                "(SELECT count(*) FROM vocabulary WHERE scope = $s)", {"s": scope}
            ).fetchall()[0]
            summary = json.loads(con.execute(
                "SELECT summary FROM runs WHERE stage = 'vocab' AND scope = ? AND status = 'ok' "
                "ORDER BY run_id DESC LIMIT 1", [scope]).fetchall()[0][0])
            bp = summary.get("boilerplate", {})
            means = dict(con.execute(
                "SELECT method, avg(accuracy) FROM visualness WHERE scope = ? "
                "AND method IN ('random', 'resample') GROUP BY method", [scope]).fetchall())
            print(f"| {scope} | {n_products} | {n_words} | {bp.get('n_excluded_lines', 0)} | "
                  f"{bp.get('n_excluded_tokens', 0)} | "
                  f"{summary.get('n_category_bound_words', '')} | "
                  f"{means.get('resample', float('nan')):.3f} | "
                  f"{means.get('random', float('nan')):.3f} |")
        for method, label in (("resample", "V(u), resample"), ("random", "random sample")):
            print(f"\n### Most and least visual words ({label} accuracy)\n")
            for scope in scopes:
                for order, name in (("visual_rank", "top"), ("nonvisual_rank", "bottom")):
                    words = con.execute(
                        f"SELECT word, accuracy, category_bound FROM visualness_context "
                        f"WHERE scope = ? AND method = ? ORDER BY {order} LIMIT ?",
                        [scope, method, N_WORDS]).fetchall()
                    shown = ", ".join(f"{w}{'*' if b else ''} {a:.2f}" for w, a, b in words)
                    print(f"- **{scope}** {name}: {shown}")
        # Where the words that name a catalogue colour or pattern rank (1 = most visual).
        attribute_words = [r[0] for r in con.execute(
            "SELECT DISTINCT word FROM metadata_agreement ORDER BY word").fetchall()]
        print("\n### Rank of the colour and pattern words (visual_rank / words ranked)\n")
        print("| word | method | " + " | ".join(scopes) + " |")
        print("|---" * (len(scopes) + 2) + "|")
        for method in ("resample", "random"):
            for word in attribute_words:
                cells = []
                for scope in scopes:
                    found = con.execute(
                        "SELECT visual_rank, n_words FROM visualness_ranking WHERE scope = ? "
                        "AND method = ? AND word = ?", [scope, method, word]).fetchall()
                    cells.append(f"{found[0][0]}/{found[0][1]}" if found else "")
                print(f"| {word} | {method} | " + " | ".join(cells) + " |")
            medians = [con.execute(
                "SELECT median(visual_rank / n_words) FROM visualness_ranking WHERE scope = ? "
                "AND method = ? AND list_contains(?, word)", [scope, method, attribute_words]
            ).fetchall()[0][0] for scope in scopes]
            print(f"| **median percentile** | {method} | "
                  + " | ".join("" if m is None else f"{m:.2f}" for m in medians) + " |")
        print("\n### Metadata agreement (test split, means over the attribute's words)\n")
        print("| setting | attribute | words | method | P@50 | categories alone @50 | P@100 "
              "| categories alone @100 | base rate | text label |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for row in con.execute(
            "SELECT scope, attribute, method, max(n_words), "
            "max(mean_precision) FILTER (WHERE k = 50), "
            "max(mean_category_rate) FILTER (WHERE k = 50), "
            "max(mean_precision) FILTER (WHERE k = 100), "
            "max(mean_category_rate) FILTER (WHERE k = 100), "
            "max(mean_base_rate), max(mean_text_precision) FROM metadata_agreement_summary "
            "GROUP BY scope, attribute, method "
            "ORDER BY attribute, scope = 'default' DESC, scope, method"
        ).fetchall():
            scope, attribute, method, n_words, p50, c50, p100, c100, base, text = row
            print(f"| {scope} | {attribute} | {n_words} | {method} | {p50:.3f} | {c50:.3f} | "
                  f"{p100:.3f} | {c100:.3f} | {base:.3f} | {text:.3f} |")
        words = con.execute(
            "SELECT attribute, list(DISTINCT word ORDER BY word) FROM metadata_agreement "
            "WHERE scope = 'default' GROUP BY attribute ORDER BY attribute").fetchall()
        for attribute, listed in words:
            print(f"\n{attribute} words (default): {', '.join(listed)}")
        per_word = con.execute(
            "SELECT word, scope, precision FROM metadata_agreement WHERE method = 'resample' "
            "AND k = 50 AND attribute = 'colour' ORDER BY word, scope").fetchall()
        table: dict[str, dict[str, float]] = {}
        for word, scope, precision in per_word:
            table.setdefault(word, {})[scope] = precision
        print("\n| colour word (resample P@50) | " + " | ".join(scopes) + " |")
        print("|---" * (len(scopes) + 1) + "|")
        for word, values in table.items():
            cells = " | ".join("" if values.get(s) is None else f"{values[s]:.2f}"
                               for s in scopes)
            print(f"| {word} | {cells} |")
        for scope in scopes:
            lines = top_boilerplate(con, scope, 12)
            if lines and scope in ("clean", "default"):
                print(f"\n### Most common boilerplate lines ({scope})\n")
                for line in lines:
                    print(f"{line['rank']}. \"{line['example']}\": {line['n_products']} "
                          f"listings, {line['n_shops']} shops")
        coverage = con.execute(
            "SELECT scope, count(*) FILTER (WHERE kept), count(*) FILTER (WHERE n_pos_unmatched "
            "> 0), sum(n_pos_unmatched), sum(n_pos) FROM matched_coverage GROUP BY scope "
            "ORDER BY scope").fetchall()
        print("\n| matched scope | words with KL | words partly unmatched | positives unmatched "
              "| positives matched |")
        print("|---|---|---|---|---|")
        for row in coverage:
            print("| " + " | ".join(str(x) for x in row) + " |")
    finally:
        con.close()


def main() -> None:
    """Parse arguments, run the settings (unless --report) and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="pipeline database to copy and run")
    parser.add_argument("--work", type=Path, help="folder for the copy (kept)")
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report", type=Path, help="only print the comparison of this DB")
    args = parser.parse_args()
    if args.report:
        report(args.report)
        return
    if args.db is None:
        parser.error("--db or --report is required")
    work = args.work or Path(tempfile.mkdtemp(prefix="attrdb-bench-context-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "context.duckdb"
    shutil.copy(args.db, db)
    settings = [s.strip() for s in args.settings.split(",") if s.strip()]
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        parser.error(f"unknown settings {', '.join(unknown)}; choose from {', '.join(SETTINGS)}")
    rows = run_settings(db, settings, args.jobs)
    print("| setting | vocab s | divergence s | visualness s | metadata-check s | peak MB |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['scope']} | {row['vocab_s']} | {row['divergence_s']} | "
              f"{row['visualness_s']} | {row['metadata_check_s']} | {row['peak_mb']} |")
    print()
    report(db)
    print(f"\n(database kept at {db})", file=sys.stderr)


if __name__ == "__main__":
    main()
