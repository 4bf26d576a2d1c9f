"""Rebuild the bundled sample (attrdb/sample/) from ../shared/data/myntra.

The sample is a real subset: every imaged listing of eight brands chosen because they hold
many near-duplicate listings (repeated or templated descriptions) across the three main
categories (accessories, apparel, footwear). Run from the repository root:
    python tools/make_sample.py [--data ../shared/data/myntra]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

BRANDS = [
    "Lino Perros", "Baggit",                      # accessories (bags, wallets)
    "Mark Taylor", "SCULLERS", "Gini and Jony", "Indigo Nation",  # apparel
    "Catwalk", "Franco Leone",                    # footwear
]
COLUMNS = [
    "id", "title", "brand", "master_category", "sub_category", "article_type", "gender",
    "base_colour", "colour1", "season", "year", "usage", "article_attributes",
    "description_text",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="../shared/data/myntra", type=Path)
    parser.add_argument("--out", default="attrdb/sample", type=Path)
    args = parser.parse_args()
    images = args.data / "images"
    imaged = [int(p.stem) for p in images.glob("*.jpg")]
    con = duckdb.connect()
    con.execute("CREATE TABLE imaged AS SELECT unnest(?::BIGINT[]) AS id", [imaged])
    rel = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM read_parquet(?) JOIN imaged USING (id) "
        "WHERE brand IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
        [str(args.data / "styles.parquet"), BRANDS],
    ).to_arrow_table()
    (args.out / "images").mkdir(parents=True, exist_ok=True)
    con.register("sample_rows", rel)
    con.execute(
        "COPY sample_rows TO ? (FORMAT parquet, COMPRESSION zstd)",
        [str(args.out / "products.parquet")],
    )
    for product_id in rel.column("id").to_pylist():
        shutil.copy(images / f"{product_id}.jpg", args.out / "images" / f"{product_id}.jpg")
    print(f"{rel.num_rows} listings written to {args.out}")


if __name__ == "__main__":
    main()
