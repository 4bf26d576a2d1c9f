"""Maps for images and words: sweep once per image (or reuse the stored sweep), then build
every word's eq. 5 map for every K, and the baselines, from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from attrdb.errors import InputError, StateError
from attrdb.saliency import store
from attrdb.saliency.gradient import gradient_map
from attrdb.saliency.inputs import mean_image, normalised, squash
from attrdb.saliency.maps import (
    DEFAULT_SIGMA_FACTOR,
    attribute_map,
    center_prior,
    map_shape,
    unit_maps,
)
from attrdb.saliency.occlusion import DEFAULT_STRIDE, PAPER_PATCHES, Sweep, occlusion_sweep

if TYPE_CHECKING:
    import torch

    from attrdb.cnn.models import TappedModel

KL_OCCLUSION = "kl_occlusion"
GRADIENT = "gradient"
CENTER_PRIOR = "center_prior"
METHODS = (KL_OCCLUSION, GRADIENT, CENTER_PRIOR)
DEFAULT_KS = (1, 8, 64)


@dataclass(frozen=True)
class SweepSettings:
    """How images are swept and maps drawn.

    Attributes:
        size: side of the square sweep input (None: the model's input size).
        patches: patch sides in sweep pixels.
        stride: patch stride in sweep pixels.
        batch_size: occluded copies per forward pass.
        sigma_factor: smoothing sigma as a fraction of the patch side.
        map_size: long side of the stored maps (the image's aspect ratio is kept).
        mean_images: images averaged into the occluder's mean image.
    """

    size: int | None = None
    patches: tuple[int, ...] = PAPER_PATCHES
    stride: int = DEFAULT_STRIDE
    batch_size: int = 64
    sigma_factor: float = DEFAULT_SIGMA_FACTOR
    map_size: int = 128
    mean_images: int = 200

    def check(self, input_size: int) -> SweepSettings:
        """Validated settings with ``size`` resolved."""
        size = self.size or input_size
        if self.stride < 1 or self.batch_size < 1 or self.map_size < 8 or self.mean_images < 1:
            raise InputError("stride, batch size and mean images must be >= 1, map size >= 8")
        if not self.patches or any(p < 1 or p > size for p in self.patches):
            raise InputError(
                f"patch sides must lie in 1..{size} (the sweep size), got {self.patches}"
            )
        if self.sigma_factor <= 0:
            raise InputError("sigma factor must be positive")
        return SweepSettings(
            size, tuple(sorted(set(self.patches))), self.stride, self.batch_size,
            self.sigma_factor, self.map_size, self.mean_images,
        )


@dataclass(frozen=True)
class WordUnits:
    """A word's units of highest KL (best first) and its classifier for the gradient map."""

    unit_ids: np.ndarray
    kl: np.ndarray
    classifier: store.Classifier | None


def word_units(
    con: duckdb.DuckDBPyConnection,
    *,
    model_id: str,
    scope: str,
    word: str,
    k: int,
    classifier_method: str | None,
) -> WordUnits:
    """Read a word's top-``k`` units (and classifier, when a method is named).

    Raises:
        StateError: the divergence (or visualness) stage has no result for the word.
    """
    ids, kl = store.top_units(con, model_id=model_id, scope=scope, word=word, k=k)
    if len(ids) < k:
        raise StateError(
            f"word {word!r} has {len(ids)} units with a KL in scope {scope!r} for model "
            f"{model_id!r}, {k} needed; run `attrdb divergence` for it"
        )
    clf = None
    if classifier_method is not None:
        clf = store.load_classifier(
            con, model_id=model_id, scope=scope, word=word, method=classifier_method
        )
        if clf is None:
            raise StateError(
                f"word {word!r} has no {classifier_method!r} classifier in scope {scope!r}; "
                "run `attrdb visualness` (the gradient baseline back-propagates it)"
            )
    return WordUnits(ids, kl, clf)


def units_forward(model: TappedModel) -> Callable[[torch.Tensor], torch.Tensor]:
    """Batched max-pooled units in channels-last layout (about 2x faster on CPU convs)."""
    import torch

    model.to(memory_format=torch.channels_last)

    def forward(batch: torch.Tensor) -> torch.Tensor:
        return model.forward_units(batch.contiguous(memory_format=torch.channels_last))

    return forward


class MapMaker:
    """Sweeps images (reusing stored sweeps) and turns them into maps for words."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        model: TappedModel,
        settings: SweepSettings,
        *,
        progress: bool = False,
    ) -> None:
        self.con = con
        self.model = model
        self.settings = settings.check(model.input_size)
        self.size = int(self.settings.size or model.input_size)
        self.progress = progress
        pixels = mean_image(con, self.size, n_images=self.settings.mean_images, progress=progress)
        self.occluder = normalised(model, pixels)
        self.forward = units_forward(model)
        self.n_swept = 0
        self.n_reused = 0

    def load_input(self, image_path: str) -> tuple[torch.Tensor, tuple[int, int]]:
        """The normalised sweep input of an image, and the image's (height, width)."""
        from attrdb.cnn.images import load_rgb

        image = load_rgb(image_path)
        return normalised(self.model, squash(image, self.size)), (image.height, image.width)

    def sweep(self, product_id: str, image_path: str) -> tuple[Sweep, tuple[int, int]]:
        """The image's sweep at these settings: the stored one, else run and store it."""
        s = self.settings
        stored = store.load_sweep(
            self.con, model_id=self.model.model_id, product_id=product_id,
            size=self.size, stride=s.stride,
        )
        if stored is not None and set(s.patches) <= set(stored[0].deltas):
            self.n_reused += 1
            sweep, image_hw = stored
            return Sweep(sweep.size, sweep.stride, sweep.base,
                         {p: sweep.deltas[p] for p in s.patches}), image_hw
        x, image_hw = self.load_input(image_path)
        sweep = occlusion_sweep(
            self.forward, x, self.occluder, patches=s.patches, stride=s.stride,
            batch_size=s.batch_size, progress=self.progress,
        )
        if sweep.n_units != self.model.n_units:
            raise StateError(
                f"sweep recorded {sweep.n_units} units, the model has {self.model.n_units}"
            )
        store.save_sweep(
            self.con, model_id=self.model.model_id, product_id=product_id, sweep=sweep,
            image_hw=image_hw,
        )
        self.n_swept += 1
        # Maps come from the stored (float16) drops, so a map drawn now equals one drawn
        # later from the stored sweep.
        stored_deltas = {p: store.as_stored(d) for p, d in sweep.deltas.items()}
        return Sweep(sweep.size, sweep.stride, sweep.base, stored_deltas), image_hw

    def image_maps(
        self,
        product_id: str,
        image_path: str,
        words: Mapping[str, WordUnits],
        *,
        ks: Sequence[int],
        methods: Sequence[str],
    ) -> list[store.MapRow]:
        """Every requested map of one image: eq. 5 per word and K, and the baselines."""
        s = self.settings
        rows: list[store.MapRow] = []
        image_hw: tuple[int, int] | None = None
        if KL_OCCLUSION in methods:
            sweep, image_hw = self.sweep(product_id, image_path)
            out_hw = map_shape(image_hw, s.map_size)
            needed = np.unique(np.concatenate([w.unit_ids[: max(ks)] for w in words.values()]))
            r = unit_maps(
                sweep.select(needed), size=self.size, stride=s.stride, out_hw=out_hw,
                sigma_factor=s.sigma_factor,
            )
            row_of = {int(u): i for i, u in enumerate(needed)}
            for word, wu in words.items():
                for k in ks:
                    idx = [row_of[int(u)] for u in wu.unit_ids[:k]]
                    m = attribute_map(r[idx], wu.kl[:k])
                    rows.append(store.MapRow(product_id, word, KL_OCCLUSION, int(k), m))
        if GRADIENT in methods:
            x, image_hw = self.load_input(image_path)
            out_hw = map_shape(image_hw, s.map_size)
            sigma = s.sigma_factor * min(s.patches)
            for word, wu in words.items():
                if wu.classifier is None:
                    raise StateError(f"word {word!r} has no classifier for the gradient map")
                m = gradient_map(self.model, x, wu.classifier, out_hw=out_hw, sigma=sigma)
                rows.append(store.MapRow(product_id, word, GRADIENT, None, m))
        if CENTER_PRIOR in methods:
            if image_hw is None:
                _, image_hw = self.load_input(image_path)
            prior = center_prior(map_shape(image_hw, s.map_size))
            rows.extend(store.MapRow(product_id, w, CENTER_PRIOR, None, prior) for w in words)
        return rows
