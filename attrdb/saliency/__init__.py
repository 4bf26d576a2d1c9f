"""Attribute saliency (paper Sec. 6, eq. 5): where in an image is the attribute?

- ``occlusion``: one sweep of mean-image patches records every unit at every position.
- ``maps``: per-unit receptive-field maps R_i from a sweep, and eq. 5 (KL-weighted sum).
- ``gradient``: the smoothed-gradient baseline (Simonyan et al.) of the word's classifier.
- ``metrics``: pixel-wise AP, IoU at thresholds, pointing game.
- ``stage.run_saliency`` (``attrdb saliency``) and ``evaluate.run_evaluate``
  (``attrdb evaluate``, on Clothing Co-Parsing, see ``attrdb.ccp``).

Importing this package imports neither torch nor scipy; the functions that need them do.
"""
