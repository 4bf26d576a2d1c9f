"""CNN activations: tapped pretrained models, robust image loading, batched extraction.

Public model API (shared with saliency): ``load_model``, ``model_from_db``,
``TappedModel``, ``load_rgb``, ``ImageLoadError``. Heavy imports (torch) happen when a
submodule is imported, not when ``attrdb.cnn`` itself is; importing the package configures
the allocator (``attrdb.cnn.allocator``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrdb.cnn.allocator import keep_freed_memory

# Before any torch tensor exists, in every process that reaches a torch path of attrdb
# (CLI, Python API, DataLoader and Spark python workers, saliency, fine-tuning): each of
# them imports this package first. Cheap (ctypes, no torch); see attrdb/cnn/allocator.py.
keep_freed_memory()

if TYPE_CHECKING:
    from attrdb.cnn.images import ImageLoadError, load_rgb
    from attrdb.cnn.models import TappedModel, load_model
    from attrdb.model_registry import model_from_db

__all__ = ["ImageLoadError", "TappedModel", "load_model", "load_rgb", "model_from_db"]

_HOME = {
    "ImageLoadError": "attrdb.cnn.images",
    "load_rgb": "attrdb.cnn.images",
    "TappedModel": "attrdb.cnn.models",
    "load_model": "attrdb.cnn.models",
    "model_from_db": "attrdb.model_registry",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        import importlib

        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'attrdb.cnn' has no attribute {name!r}")
