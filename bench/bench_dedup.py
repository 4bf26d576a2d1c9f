"""Near-duplicate removal on the full Myntra catalogue: SQL vs scikit-learn per shop.

    python bench/bench_dedup.py [--styles PATH] [--cache PATH] [--threshold 0.1]

The tokens come from ``attrdb text`` on all listings; that takes minutes, so the tagged
database is cached (default /tmp/attrdb_bench_text.duckdb) and reused by later runs; the
first run prints the text-stage throughput. Each dedup approach then runs in its own
process (peak RSS = that process's ru_maxrss) from the same tokens table to a partition:
SQL = ``run_dedup`` (sql/dedup/*.sql); scikit-learn = the same binary bags of words built
in Python, ``AgglomerativeClustering(metric='cosine', linkage='single',
distance_threshold=t)`` per shop. Prints times, the ratio, peak memory and whether the
partitions are identical, plus the removed share and the top 30 adjectives.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

DEFAULT_STYLES = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "myntra" / "styles.parquet"
)
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "attrdb_bench_text.duckdb"


def build_cache(styles: Path, cache: Path, n_process: int) -> None:
    """Load the catalogue into products and run the text stage once (timed)."""
    from attrdb.connection import connect
    from attrdb.text.tokenize import run_text

    partial = cache.with_name(cache.name + ".partial")
    con = connect(partial, create=True)
    if not con.execute("SELECT count(*) FROM products").fetchall()[0][0]:
        con.execute(
            "INSERT INTO products (product_id, shop, title, description, category, source, "
            "source_row) SELECT CAST(id AS VARCHAR), brand, title, description_text, "
            "article_type, ?, row_number() OVER () FROM read_parquet(?)",
            [str(styles), str(styles)],
        )
    summary = run_text(con, n_process=n_process, progress=True, batch_size=1000)
    con.close()
    partial.rename(cache)
    wal = partial.with_name(partial.name + ".wal")
    if wal.exists():
        wal.rename(cache.with_name(cache.name + ".wal"))
    print(
        f"text stage: {summary['products']} products, {summary['tokens']} tokens in "
        f"{summary['seconds']:.0f} s = {summary['products_per_second']} products/s "
        f"(n_process={n_process}, model {summary['english_model']})"
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_sql(db: str, threshold: float, queue: mp.Queue) -> None:
    from attrdb.connection import connect
    from attrdb.dedup import run_dedup

    con = connect(db)
    base = _peak_mb()
    started = time.perf_counter()
    summary = run_dedup(con, threshold=threshold)
    seconds = time.perf_counter() - started
    groups = con.execute("SELECT product_id, group_id FROM duplicate_groups").fetchall()
    con.close()
    queue.put(("sql", seconds, base, _peak_mb(), _partition(groups), summary))


def run_sklearn(db: str, threshold: float, queue: mp.Queue) -> None:
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from attrdb.connection import connect

    con = connect(db, read_only=True)
    base = _peak_mb()
    started = time.perf_counter()
    rows = con.execute(
        "SELECT p.product_id, coalesce(p.shop, ''), t.word FROM products AS p "
        "LEFT JOIN tokens AS t ON t.product_id = p.product_id "
        "AND t.field IN ('title', 'description')"
    ).fetchall()
    con.close()
    bags: dict[str, set[str]] = defaultdict(set)
    shops: dict[str, list[str]] = defaultdict(list)
    for product_id, shop, word in rows:
        if product_id not in bags:
            shops[shop].append(product_id)
        bag = bags[product_id]
        if word is not None and word.isalpha() and word not in ENGLISH_STOP_WORDS:
            bag.add(word)
    loaded = time.perf_counter()
    groups: list[tuple[str, str]] = []
    for shop, members in shops.items():
        # An empty bag (no usable word) is its own group: cosine is undefined for it.
        groups.extend((p, p) for p in members if not bags[p])
        products = [p for p in members if bags[p]]
        if len(products) < 2:
            groups.extend((p, p) for p in products)
            continue
        vocab = {w: i for i, w in enumerate(sorted({w for p in products for w in bags[p]}))}
        matrix = np.zeros((len(products), len(vocab)))
        for i, product_id in enumerate(products):
            for word in bags[product_id]:
                matrix[i, vocab[word]] = 1.0
        labels = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="single", distance_threshold=threshold
        ).fit(matrix).labels_
        groups.extend((p, f"{shop}:{label}") for p, label in zip(products, labels, strict=True))
    seconds = time.perf_counter() - started
    summary = {"load_seconds": round(loaded - started, 1)}
    queue.put(("sklearn", seconds, base, _peak_mb(), _partition(groups), summary))


def _partition(pairs: list[tuple[str, str]]) -> frozenset[frozenset[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for product_id, group in pairs:
        members[group].add(product_id)
    return frozenset(frozenset(m) for m in members.values())


def _in_process(target, db: str, threshold: float):  # type: ignore[no-untyped-def]
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(db, threshold, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--styles", type=Path, default=DEFAULT_STYLES)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--threshold", type=float, default=0.1)
    parser.add_argument("--n-process", type=int, default=1, help="spaCy processes (first run)")
    args = parser.parse_args()
    if not args.cache.exists():
        build_cache(args.styles, args.cache, args.n_process)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.duckdb"
        shutil.copy(args.cache, db)
        wal = args.cache.with_name(args.cache.name + ".wal")
        if wal.exists():
            shutil.copy(wal, db.with_name(db.name + ".wal"))
        _prepare(db)
        _, sql_s, sql_base, sql_peak, sql_part, summary = _in_process(
            run_sql, str(db), args.threshold
        )
        _, sk_s, sk_base, sk_peak, sk_part, sk_summary = _in_process(
            run_sklearn, str(db), args.threshold
        )
        top = _top_adjectives(str(db))
    print(f"\nnear-duplicates, {summary['n_products']} listings, {summary['n_shops']} shops, "
          f"cosine distance < {args.threshold}")
    print(f"{'approach':<28}{'seconds':>9}{'peak RSS MB':>13}{'(baseline)':>12}")
    print(f"{'SQL (attrdb dedup)':<28}{sql_s:>9.1f}{sql_peak:>13.0f}{sql_base:>12.0f}")
    print(f"{'scikit-learn per shop':<28}{sk_s:>9.1f}{sk_peak:>13.0f}{sk_base:>12.0f}")
    print(f"  (scikit-learn: {sk_summary['load_seconds']} s of it reading tokens, building bags)")
    print(f"speed-up SQL vs scikit-learn: {sk_s / sql_s:.1f}x")
    print(f"identical partitions: {sql_part == sk_part} ({len(sql_part)} groups)")
    print(f"removed as near-duplicates: {summary['n_removed']} of {summary['n_products']} "
          f"({summary['removed_share']:.1%})")
    print("top 30 adjectives (kept products): " + ", ".join(f"{w} {n}" for w, n in top))
    sys.stdout.flush()


def _prepare(db: Path) -> None:
    """Bring the copy to the current schema and checkpoint it, outside the timed part."""
    from attrdb.connection import connect

    con = connect(db, upgrade=True)
    con.execute("CHECKPOINT")
    con.close()


def _top_adjectives(db: str) -> list[tuple[str, int]]:
    from attrdb.connection import connect
    from attrdb.vocab import run_vocab

    con = connect(db)
    run_vocab(con, top_n=30)
    rows = con.execute("SELECT word, n_kind FROM vocabulary WHERE scope = 'default' ORDER BY rank")
    top = [(w, int(n)) for w, n in rows.fetchall()]
    con.close()
    return top


if __name__ == "__main__":
    main()
