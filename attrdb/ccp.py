"""Clothing Co-Parsing (CCP) as a tag dataset with human regions.

CCP (Yang, Luo, Lin, CVPR 2014; Apache-2.0) has 1,004 street photos, each with an 8-bit
label map (one label id per pixel, 0 = null/background). The labels present in a photo are
its tags (the Wear-style tag dataset of the paper) and a label's pixels are the human
region of that tag, the ground truth for attribute saliency.

Layout read here: ``photos/<image>.jpg``, ``label_maps/<image>.png``, ``labels.csv``
(``label_id,label``). Label maps are the authority for which tags a photo has
(``pixel_level_boxes.csv`` is derived from them).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import InputError
from attrdb.pipeline import PipelineConfig, config_from_dict, run_stages

#: the shop every CCP photo gets (one catalogue, no near-duplicate groups across shops).
CCP_SHOP = "ccp"
#: label id 0 marks pixels nobody labelled; never a tag.
NULL_LABEL = 0


def check_ccp_dir(ccp_dir: str | Path) -> Path:
    """The CCP folder, or InputError naming what is missing."""
    root = Path(ccp_dir)
    for part in ("photos", "label_maps", "labels.csv"):
        if not (root / part).exists():
            raise InputError(f"{root}: not a CCP folder ({part} is missing)")
    return root


@lru_cache(maxsize=4)
def read_labels(ccp_dir: str | Path) -> dict[int, str]:
    """label_id -> label name from ``labels.csv``."""
    path = check_ccp_dir(ccp_dir) / "labels.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    try:
        return {int(r["label_id"]): r["label"].strip() for r in rows}
    except (KeyError, ValueError) as exc:
        raise InputError(f"{path}: expected columns label_id,label ({exc})") from None


def label_map(ccp_dir: str | Path, image: str) -> np.ndarray:
    """The ``H x W`` uint8 label ids of one photo."""
    from PIL import Image

    path = check_ccp_dir(ccp_dir) / "label_maps" / f"{image}.png"
    if not path.is_file():
        raise InputError(f"{path}: no label map for CCP image {image!r}")
    with Image.open(path) as im:
        return np.asarray(im)


def label_id(ccp_dir: str | Path, tag: str) -> int:
    """The label id of a tag."""
    ids = [i for i, name in read_labels(ccp_dir).items() if name == tag]
    if not ids:
        raise InputError(f"{tag!r} is not a CCP label")
    return ids[0]


def region(ccp_dir: str | Path, image: str, tag: str) -> np.ndarray:
    """Boolean ``H x W`` mask of the pixels labelled ``tag`` in one photo."""
    return label_map(ccp_dir, image) == label_id(ccp_dir, tag)


def photo_tags(ccp_dir: str | Path, n_photos: int | None = None) -> list[tuple[str, list[str]]]:
    """(image, tags) for the photos in id order (the first ``n_photos``, default all),
    tags in label-id order."""
    root = check_ccp_dir(ccp_dir)
    names = read_labels(root)
    out = []
    for path in sorted((root / "photos").glob("*.jpg"))[:n_photos]:
        image = path.stem
        present = np.unique(label_map(root, image))
        tags = [names[int(i)] for i in present if int(i) != NULL_LABEL and int(i) in names]
        out.append((image, tags))
    return out


def write_listings(
    ccp_dir: str | Path, target: str | Path, *, n_photos: int | None = None
) -> Path:
    """Write CCP as a tag-listing Parquet: id, shop, title, tags, image_path.

    The title is left empty: a photo's only text is its tags. Photos whose label map has
    no label but null keep an empty tag list (ingest rejects them: no text).
    ``n_photos`` keeps the first photos in id order (a quick subset), default all.

    Returns:
        The Parquet file written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = check_ccp_dir(ccp_dir).resolve()
    rows = photo_tags(root, n_photos)
    table = pa.table(
        {
            "id": [image for image, _ in rows],
            "shop": [CCP_SHOP] * len(rows),
            "title": [""] * len(rows),
            "tags": pa.array([tags for _, tags in rows], type=pa.list_(pa.string())),
            "image_path": [str(root / "photos" / f"{image}.jpg") for image, _ in rows],
        }
    )
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out)
    return out


def preset_config(
    ccp_dir: str | Path,
    listings: str | Path,
    *,
    scope: str = DEFAULT_SCOPE,
    model: str = "efficientnet_lite0",
    weights: str | Path | None = None,
    device: str = "auto",
) -> PipelineConfig:
    """The run config that prepares a CCP database for ``attrdb evaluate``.

    Ingest of the generated listings (:func:`write_listings`; the photos folder is the
    images root, the listings hold absolute photo paths), text (English: tags only), dedup
    (a no-op here: photos have no title or description, whose words dedup compares), vocab
    of kind ``tag``, split (the defaults), extract, divergence (the defaults) and
    visualness (``resample`` classifiers, for the gradient baseline): the ordinary
    pipeline stages with their usual skipping (``attrdb run``).

    Args:
        ccp_dir: the CCP folder.
        listings: the catalogue :func:`write_listings` wrote.
        scope: scope of vocab, divergence and visualness.
        model: CNN architecture for extract.
        weights: its weights file (default: the embedded / cached one).
        device: torch device for extract.
    """
    root = check_ccp_dir(ccp_dir).resolve()
    extract: dict[str, Any] = {"model": model, "device": device}
    if weights is not None:
        extract["weights"] = str(weights)
    data = {
        "pipeline": {"scope": scope, "publish": False},
        "ingest": {"source": str(listings), "images_root": str(root / "photos")},
        "text": {"lang": "en"},
        "dedup": {},
        "vocab": {"kind": "tag"},
        "split": {},
        "extract": extract,
        "divergence": {},
        "visualness": {"methods": ["resample"], "jobs": 1},
    }
    return config_from_dict(data, base=root)


def prepare_database(
    con: duckdb.DuckDBPyConnection,
    ccp_dir: str | Path,
    *,
    listings: str | Path,
    n_photos: int | None = None,
    progress: bool = True,
    **preset: Any,
) -> dict[str, Any]:
    """Load CCP into a database and run the stages the saliency evaluation needs.

    Writes the listings, then runs :func:`preset_config` through the ordinary pipeline
    (:func:`attrdb.pipeline.run_stages`): stages already done with the same inputs are
    skipped, an interrupted one resumes.

    Args:
        con: the CCP database (one catalogue per database: never the Myntra one).
        ccp_dir: the CCP folder.
        listings: where to write the generated Parquet catalogue.
        n_photos: load only the first photos in id order (default all 1,004).
        progress: one line per stage on stderr (False: quiet).
        **preset: options of :func:`preset_config` (scope, model, weights, device).

    Returns:
        Stage name -> its summary, or "skipped".
    """
    write_listings(ccp_dir, listings, n_photos=n_photos)
    config = preset_config(ccp_dir, listings, **preset)
    outcomes = run_stages(con, config, echo=None if progress else lambda line: None)
    return {o.name: "skipped" if o.action == "skipped" else o.summary for o in outcomes}
