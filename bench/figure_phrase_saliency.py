"""Draw stored KL-occlusion maps of phrases (or any words) over their images, for the docs.

Usage:
    python bench/figure_phrase_saliency.py --db DB --word "round neck" --word "v neck"
        [--k 8] [--out docs/img] [--n-images 3]

Reads ``saliency_maps`` (written by ``attrdb saliency --word ...``) and writes one PNG per
word, ``phrase_saliency_<word>.png``: for each of its first images the photo, then the
map stretched to its own range (attrdb.saliency.figures.overlay_panel; these catalogue
images have no human region, so the first tile is the photo alone).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from attrdb.connection import connect
from attrdb.divergence import resolve_model
from attrdb.saliency.compute import KL_OCCLUSION
from attrdb.saliency.figures import overlay_panel
from attrdb.saliency.store import load_map


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--word", action="append", required=True)
    parser.add_argument("--scope", default="default")
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--n-images", type=int, default=3)
    parser.add_argument("--out", default="docs/img")
    args = parser.parse_args()
    from PIL import Image

    con = connect(args.db, read_only=True)
    model_id = resolve_model(con, None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for word in args.word:
        found = con.execute(
            "SELECT DISTINCT m.product_id, p.image_path FROM saliency_maps AS m "
            "JOIN products AS p USING (product_id) WHERE m.model_id = ? AND m.scope = ? "
            "AND m.word = ? AND m.method = ? AND m.k = ? ORDER BY m.product_id LIMIT ?",
            [model_id, args.scope, word, KL_OCCLUSION, args.k, args.n_images]).fetchall()
        panels = []
        for pid, path in found:
            stored = load_map(con, model_id=model_id, scope=args.scope, product_id=pid,
                              word=word, method=KL_OCCLUSION, k=args.k)
            if stored is None:
                continue
            panel = overlay_panel(Path(path), np.zeros((2, 2)), [(f"K={args.k}", stored)],
                                  f"{word} {pid}")
            assert isinstance(panel, Image.Image)
            panels.append(panel)
        if not panels:
            print(f"{word}: no stored maps")
            continue
        canvas = Image.new("RGB", (sum(p.width for p in panels), panels[0].height), "white")
        x = 0
        for panel in panels:
            canvas.paste(panel, (x, 0))
            x += panel.width
        target = out / f"phrase_saliency_{word.replace(' ', '_')}.png"
        canvas.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        print(f"{word}: {len(panels)} images -> {target}")
    con.close()


if __name__ == "__main__":
    main()
