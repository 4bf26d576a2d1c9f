"""Benchmark: networks and poolings compared on one pipeline database (issue 20).

Usage (one command, from a clone with attrdb installed):
    cp /work/team/myntra_base.duckdb compare.duckdb
    python bench/bench_compare.py --db compare.duckdb --out DIR
        [--networks efficientnet_lite0,efficientnet_lite0_random,efficientnet_lite1,...]
        [--tuned ID=WEIGHTS.pth,...] [--poolings max,mean]
        [--methods initial,resample,crossfit] [--crossfit-repeats R]
        [--colours black,blue,...] [--only-compare | --report-only] [--no-html]

The database must have been through ingest (with base_colour in the metadata), text,
dedup, vocab and split (docs/compare.md: the full shared Myntra set); an older database is
migrated first (`attrdb migrate`), and when its scope was redefined since `vocab` ran (the
default scope changed in later releases) `attrdb vocab` is run again. It is written to: run
it on a copy. For every network (`--networks`: architectures; `--tuned`: fine-tuned weights, their
architecture read from the `.lineage.json` beside them, docs/finetune.md):
`attrdb extract --pooling both` (one forward pass), then `--pooling max` and `--pooling
mean` copy its halves; for every feature set (network x pooling): divergence, depth and
visualness with the given methods and ONE setting (`--crossfit-repeats`, default the
visualness default). A finished stage is skipped: extraction resumes, divergence and depth
are skipped when the feature set has depth results, visualness skips words done with the
same settings. Then `attrdb compare` trains the base_colour ceiling of every feature set
with the settings of its own crossfit results (the `both` sets with `--crossfit-repeats`),
the compare views are written to DIR/compare.json and DIR/compare.md with the machine
load and each stage's seconds (from `runs`), and `attrdb report` to DIR/report.html.
`--only-compare` skips the extraction and analysis (for a database prepared by hand);
`--report-only` also skips `attrdb compare`. Stages run through the CLI, one process
each, with OMP_NUM_THREADS=1 unless set.

Takes (2 shared cores, Myntra 4,620 images; docs/compare.md): per network 6-40 min of
extraction at load 2-20, per feature set 0.5-4 min of divergence and depth, visualness
crossfit R = 1 3.5-5 min at load 5-10 (initial + resample ~1 min; R = 5 about 4x); the
compare stage ~8 min for 18 ceilings at R = 1. On a prepared database (every stage done)
the run is the compare stage, the views and the report.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from attrdb.connection import connect
from attrdb.context.scopes import ensure_scope_current
from attrdb.errors import StateError
from attrdb.sqlfiles import query_sql_file

REPO = Path(__file__).resolve().parent.parent
# The 11 colour words of docs/trust.md's ceiling (bench/bench_trust.py), so the numbers
# compare with the measurements before this benchmark.
COLOURS = "black,blue,white,red,green,pink,grey,purple,brown,yellow,beige"
VIEWS = {
    "feature_sets": "SELECT * FROM compare_feature_sets ORDER BY model_id",
    "settings": "SELECT * EXCLUDE (settings_key) FROM compare_settings "
                "ORDER BY scope, method, model_id",
    "table1": "SELECT * FROM compare_table1 WHERE scope = $scope ORDER BY method, model_id",
    "floor": "SELECT * FROM compare_floor WHERE scope = $scope ORDER BY method, model_id",
    "rank_correlation": "SELECT * FROM compare_rank_correlation WHERE scope = $scope "
                        "ORDER BY method, model_a, model_b",
    "ceiling": "SELECT model_id, count(*) AS n_words, avg(precision) AS mean_precision, "
               "min(precision) AS min_precision, max(precision) AS max_precision "
               "FROM metadata_precision WHERE scope = $scope AND labels = 'metadata' "
               "GROUP BY model_id ORDER BY model_id",
    # Colour precision above the random network of the same pooling, paired over the
    # attribute words (text-trained crossfit and ceiling separately), t interval (scipy).
    "colour_floor": "WITH p AS (SELECT m.model_id, f.pooling, f.kind, m.labels, m.method, "
                    "m.word, m.precision FROM metadata_precision AS m JOIN "
                    "compare_feature_sets AS f USING (model_id) WHERE m.scope = $scope AND "
                    "m.method = 'crossfit') SELECT t.model_id, r.model_id AS floor_model_id, "
                    "t.labels, count(*) AS n_words, avg(t.precision - r.precision) AS "
                    "mean_d_precision, stddev_samp(t.precision - r.precision) AS "
                    "sd_d_precision FROM p AS t JOIN p AS r ON r.kind = 'random_init' AND "
                    "r.pooling = t.pooling AND r.labels = t.labels AND r.word = t.word AND "
                    "r.model_id <> t.model_id GROUP BY ALL ORDER BY t.labels, t.model_id",
    "precision_per_word": "SELECT model_id, method, labels, word, n_ranked, n_agree, "
                          "precision, precision_low, precision_high FROM metadata_precision "
                          "WHERE scope = $scope ORDER BY word, model_id, labels, method",
    "word_depth": "SELECT * FROM compare_word_depth WHERE scope = $scope AND list_contains("
                  "string_split($colours, ','), word) ORDER BY word, model_id",
    "layer_magnitude": "SELECT * FROM compare_layer_magnitude WHERE scope = $scope "
                       "ORDER BY model_id, layer_index",
    "prime_layers": "SELECT * FROM compare_prime_layers WHERE scope = $scope "
                    "ORDER BY model_id, unit_pooling, layer_index",
    "stage_seconds": "SELECT stage, params->>'model_id' AS model_id, params->>'pooling' AS "
                     "pooling, epoch(finished_at - started_at) AS seconds, summary->>"
                     "'images_per_s' AS images_per_s FROM runs WHERE status = 'ok' AND stage "
                     "IN ('extract', 'divergence', 'depth', 'visualness', 'compare') "
                     "ORDER BY run_id",
}


def _attrdb(db: Path, *args: str) -> float:
    """Run one CLI command on the database; its wall seconds."""
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    started = time.perf_counter()
    command = [sys.executable, str(REPO / "cli.py"), "--db", str(db), "--quiet", *args]
    print(f"$ attrdb {' '.join(args)}  (load {os.getloadavg()[0]:.1f})", file=sys.stderr,
          flush=True)
    subprocess.run(command, check=True, env=env)
    return round(time.perf_counter() - started, 1)


def _has(db: Path, query: str, params: list[Any]) -> bool:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return bool(con.execute(query, params).fetchall()[0][0])
    finally:
        con.close()


def ensure_vocabulary(db: Path, scope: str) -> None:
    """Run `attrdb vocab` again when the scope was redefined after it ran (an old base)."""
    con = connect(db)
    try:
        ensure_scope_current(con, scope, upstream=("vocab",))
        stale = False
    except StateError:
        stale = True
    finally:
        con.close()
    if stale:
        _attrdb(db, "vocab", "--scope", scope)


def pending_images(db: Path, model_id: str) -> int:
    """Kept products the feature set has neither a vector nor an error for."""
    con = connect(db)
    try:
        return int(query_sql_file(con, "cnn/pending_count",
                                  {"model_id": model_id, "all_products": False})[0][0])
    finally:
        con.close()


def tuned_networks(spec: str) -> list[tuple[str, list[str]]]:
    """(model id, extract arguments) of each ``ID=WEIGHTS.pth`` of ``--tuned``."""
    found = []
    for item in filter(None, (x.strip() for x in spec.split(","))):
        model_id, _, weights = item.partition("=")
        sidecar = Path(weights).with_suffix(".lineage.json")
        if not model_id or not weights or not sidecar.is_file():
            raise SystemExit(f"--tuned {item!r}: expected ID=WEIGHTS.pth with "
                             f"{sidecar.name} beside the weights")
        arch = json.loads(sidecar.read_text())["name"]
        found.append((model_id, ["--arch", arch, "--model", model_id, "--weights", weights]))
    return found


def prepare(db: Path, scope: str, networks: list[tuple[str, list[str]]], poolings: list[str],
            methods: str, repeats: int | None) -> list[str]:
    """Extract every network once (both), copy its halves, analyse every feature set with
    one visualness setting."""
    ensure_vocabulary(db, scope)
    feature_sets = []
    for network, extract_args in networks:
        # A finished feature set is not extracted again: even a run that does nothing is
        # a new extract run, and visualness counts its results stale after one.
        for pooling in ("both", *poolings):
            model_id = network if pooling == "max" else f"{network}:{pooling}"
            if pending_images(db, model_id):
                _attrdb(db, "extract", *extract_args, "--pooling", pooling, "--workers", "0")
            if pooling != "both":
                feature_sets.append(model_id)
    setting = ["--crossfit-repeats", str(repeats)] if repeats is not None else []
    for model_id in feature_sets:
        if not _has(db, "SELECT count(*) FROM layer_depth WHERE model_id = ? AND scope = ?",
                    [model_id, scope]):
            _attrdb(db, "divergence", "--model", model_id, "--scope", scope)
            _attrdb(db, "depth", "--model", model_id, "--scope", scope)
        _attrdb(db, "visualness", "--model", model_id, "--scope", scope, "--methods", methods,
                *setting, "--jobs", "1")
    return feature_sets


def report(db: Path, out: Path, scope: str, colours: str) -> dict[str, Any]:
    """The compare views for the scope, as JSON-able rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        result: dict[str, Any] = {}
        for name, query in VIEWS.items():
            params = {k: v for k, v in (("scope", scope), ("colours", colours))
                      if f"${k}" in query}
            cursor = con.execute(query, params)
            columns = [d[0] for d in cursor.description]
            result[name] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    from scipy.stats import t as student_t

    for row in result["colour_floor"]:
        n, sd = row["n_words"], row["sd_d_precision"]
        half = (float(student_t.ppf(0.975, n - 1)) * sd / n ** 0.5
                if n > 1 and sd is not None else None)
        row["low"] = None if half is None else row["mean_d_precision"] - half
        row["high"] = None if half is None else row["mean_d_precision"] + half
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result, indent=1, default=str))
    (out / "compare.md").write_text(_markdown(result))
    return result


def _markdown(result: dict[str, Any]) -> str:
    lines = [f"load average at the end: {os.getloadavg()}", ""]
    for name, rows in result.items():
        lines.append(f"## {name}")
        if not rows:
            lines += ["(none)", ""]
            continue
        columns = list(rows[0])
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for row in rows:
            lines.append("| " + " | ".join(
                f"{v:.3f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scope", default="default")
    parser.add_argument("--networks", default="efficientnet_lite0,efficientnet_lite0_random,"
                                              "efficientnet_lite1,efficientnet_lite2")
    parser.add_argument("--tuned", default="",
                        help="fine-tuned networks, ID=WEIGHTS.pth,... (a .lineage.json "
                             "beside each names its architecture)")
    parser.add_argument("--poolings", default="max,mean")
    parser.add_argument("--methods", default="initial,resample,crossfit")
    parser.add_argument("--crossfit-repeats", type=int, default=None,
                        help="one cross-fit setting for every feature set and its ceiling "
                             "(default: the visualness default)")
    parser.add_argument("--colours", default=COLOURS)
    parser.add_argument("--only-compare", action="store_true")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--no-html", action="store_true", help="skip DIR/report.html")
    args = parser.parse_args()
    print(f"load {os.getloadavg()}", file=sys.stderr)
    timings: dict[str, float] = {}
    _attrdb(args.db, "migrate")  # an older database (the shared base) to this schema
    if not (args.only_compare or args.report_only):
        networks = [(n, ["--arch", n]) for n in args.networks.split(",") if n]
        prepare(args.db, args.scope, networks + tuned_networks(args.tuned),
                args.poolings.split(","), args.methods, args.crossfit_repeats)
    con = duckdb.connect(str(args.db), read_only=True)
    both = [r[0] for r in con.execute(
        "SELECT model_id FROM models WHERE pooling = 'both' AND model_id IN "
        "(SELECT model_id FROM activation_vectors) ORDER BY 1").fetchall()]
    scored = [r[0] for r in con.execute(
        "SELECT DISTINCT model_id FROM predictions WHERE scope = ? ORDER BY 1",
        [args.scope]).fetchall()]
    con.close()
    if not args.report_only:
        setting = ([] if args.crossfit_repeats is None
                   else ["--crossfit-repeats", str(args.crossfit_repeats)])
        timings["compare"] = _attrdb(args.db, "compare", "--scope", args.scope, "--words",
                                     args.colours, "--models", ",".join(scored + both),
                                     *setting)
    result = report(args.db, args.out, args.scope, args.colours)
    if not args.no_html:
        timings["report"] = _attrdb(args.db, "report", "--scope", args.scope, "--out",
                                    str(args.out / "report.html"))
    summary = {"load_end": os.getloadavg(), "seconds": timings,
               "table1": [{k: r[k] for k in ("model_id", "method", "settings", "n_words",
                                             "mean_accuracy", "mean_auc", "mean_precision",
                                             "ceiling_precision", "share_of_ceiling",
                                             "ceiling_note")}
                          for r in result["table1"]],
               "ceiling": result["ceiling"], "floor": result["floor"],
               "colour_floor": result["colour_floor"]}
    print(json.dumps(summary, indent=1, default=str))


if __name__ == "__main__":
    main()
