"""Commands ``saliency`` (attribute maps, eq. 5) and ``evaluate`` (maps vs human regions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from attrdb.cli import options
from attrdb.cli.common import console_info, database, settings
from attrdb.cli.options import DEFAULT_SCOPE
from attrdb.errors import InputError
from attrdb.saliency.compute import SweepSettings
from attrdb.saliency.evaluate import run_evaluate
from attrdb.saliency.occlusion import PAPER_SIZE, PAPER_STRIDE
from attrdb.saliency.stage import run_saliency
from attrdb.stages import require_inputs

# Every default comes from the library (SweepSettings, the stage functions), written once
# there; attrdb.saliency imports no torch at module level.
_SWEEP = SweepSettings()
_MAPS = options.defaults_of(run_saliency)
_EVAL = options.defaults_of(run_evaluate)
DEFAULT_PATCHES = ",".join(map(str, _SWEEP.patches))
DEFAULT_STRIDE = _SWEEP.stride
DEFAULT_KS = ",".join(map(str, _MAPS["ks"]))

__all__ = ["DEFAULT_KS", "DEFAULT_PATCHES", "DEFAULT_STRIDE", "PAPER_SIZE", "PAPER_STRIDE",
           "register"]


def _ints(text: str, option: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(f"{option} takes comma-separated integers, not {text!r}") from None
    if not values:
        raise InputError(f"{option} needs at least one value")
    return values


def _floats(text: str, option: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise InputError(f"{option} takes comma-separated numbers, not {text!r}") from None
    if not values:
        raise InputError(f"{option} needs at least one value")
    return values


def _sweep_settings(
    size: int | None, patches: str, stride: int, paper: bool, batch_size: int,
    map_size: int, sigma_factor: float, mean_images: int,
) -> SweepSettings:
    if paper:
        size, patches, stride = PAPER_SIZE, DEFAULT_PATCHES, PAPER_STRIDE
    return SweepSettings(
        size=size, patches=_ints(patches, "--patches"), stride=stride, batch_size=batch_size,
        sigma_factor=sigma_factor, map_size=map_size, mean_images=mean_images,
    )


_SIZE_HELP = "Square sweep input side in px (default: the model input size)."
_PAPER_HELP = "The paper's sweep: 256 px, patches 24,48,96, stride 4 (~8,000 passes/image)."

# The sweep options of both commands, declared once.
_Size = Annotated[Optional[int], typer.Option("--size", help=_SIZE_HELP)]  # noqa: UP045
_Patches = Annotated[str, typer.Option("--patches", help="Patch sides, px.")]
_Stride = Annotated[int, typer.Option("--stride", help="Patch stride, px.")]
_Paper = Annotated[bool, typer.Option("--paper", help=_PAPER_HELP)]
_BatchSize = Annotated[int, typer.Option("--batch-size", help="Occluded copies per pass.")]
_MapSize = Annotated[int, typer.Option("--map-size", help="Long side of stored maps.")]
_SigmaFactor = Annotated[float, typer.Option("--sigma-factor", help="Sigma / patch side.")]
_MeanImages = Annotated[int, typer.Option("--mean-images", help="Images in the mean image.")]
_Ks = Annotated[str, typer.Option("--k", help="Units of highest KL accumulated.")]


def register(app: typer.Typer) -> None:
    """Add ``saliency`` and ``evaluate`` to the app."""

    @app.command("saliency")
    def saliency(
        ctx: typer.Context,
        words: Annotated[list[str], typer.Option("--word", help="Word to map (repeatable).")],
        products: Annotated[
            Optional[list[str]],  # noqa: UP045 - typer needs Optional
            typer.Option("--product", help="Image to map (repeatable) (default: test positives)."),
        ] = None,
        scope: options.Scope = DEFAULT_SCOPE,
        model_id: options.Model = None,
        ks: _Ks = DEFAULT_KS,
        methods: str = typer.Option(
            ",".join(_MAPS["methods"]), "--method", help="kl_occlusion, gradient, center_prior."
        ),
        split: str = typer.Option(_MAPS["split"], "--split", help="Split of the default images."),
        limit: int = typer.Option(_MAPS["limit"], "--limit", help="Default images per word."),
        size: _Size = None,
        patches: _Patches = DEFAULT_PATCHES,
        stride: _Stride = DEFAULT_STRIDE,
        paper: _Paper = False,
        batch_size: _BatchSize = _SWEEP.batch_size,
        map_size: _MapSize = _SWEEP.map_size,
        sigma_factor: _SigmaFactor = _SWEEP.sigma_factor,
        mean_images: _MeanImages = _SWEEP.mean_images,
        classifier: str = typer.Option(
            _MAPS["classifier_method"], "--classifier",
            help="Visualness classifier the gradient uses.",
        ),
        device: options.Device = "auto",
        weights: Optional[str] = typer.Option(None, "--weights", help="Model weights file."),  # noqa: UP045
    ) -> None:
        """Attribute maps of words on images: KL-weighted occlusion maps (eq. 5), gradient."""
        sweep = _sweep_settings(
            size, patches, stride, paper, batch_size, map_size, sigma_factor, mean_images
        )
        with database(ctx) as con:
            summary = run_saliency(
                con, words=words, products=products, scope=scope, model_id=model_id,
                ks=_ints(ks, "--k"), methods=options.names(methods), split=split, limit=limit,
                settings=sweep, classifier_method=classifier, device=device, weights=weights,
                progress=settings(ctx).progress,
            )
        console_info(
            f"saliency: {summary['maps']} maps on {summary['images']} images "
            f"({summary['sweeps_run']} sweeps run, {summary['sweeps_reused']} reused)"
        )

    @app.command("evaluate")
    def evaluate(
        ctx: typer.Context,
        ccp: Annotated[Path, typer.Option("--ccp", help="Clothing Co-Parsing folder.")],
        prepare: bool = typer.Option(
            False, "--prepare/--no-prepare",
            help="First load CCP and run the CCP preset through the pipeline (ingest ... "
            "visualness; done stages skipped). Without it the inputs must be there.",
        ),
        listings: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option("--listings", help="Where prepare writes CCP's catalogue (by --db)."),
        ] = None,
        scope: options.Scope = DEFAULT_SCOPE,
        model_id: options.Model = None,
        n_words: int = typer.Option(
            _EVAL["n_words"], "--n-words", help="Most frequent tags evaluated."
        ),
        old_words: Annotated[
            Optional[int], options.hidden_alias("--words", "--n-words")  # noqa: UP045
        ] = None,
        n_images: int = typer.Option(_EVAL["n_images"], "--n-images", help="Test photos per tag."),
        old_images: Annotated[
            Optional[int], options.hidden_alias("--images", "--n-images")  # noqa: UP045
        ] = None,
        exclude: str = typer.Option(",".join(_EVAL["exclude"]), "--exclude", help="Tags left out."),
        ks: _Ks = DEFAULT_KS,
        methods: str = typer.Option(
            ",".join(_EVAL["methods"]), "--method", help="Maps scored."
        ),
        thresholds: str = typer.Option(
            ",".join(map(str, _EVAL["thresholds"])), "--thresholds", help="IoU thresholds."
        ),
        tolerance: float = typer.Option(
            _EVAL["tolerance"], "--tolerance", help="Pointing-game tolerance, px."
        ),
        size: _Size = None,
        patches: _Patches = DEFAULT_PATCHES,
        stride: _Stride = DEFAULT_STRIDE,
        paper: _Paper = False,
        batch_size: _BatchSize = _SWEEP.batch_size,
        map_size: _MapSize = _SWEEP.map_size,
        sigma_factor: _SigmaFactor = _SWEEP.sigma_factor,
        mean_images: _MeanImages = _SWEEP.mean_images,
        figures: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option("--figures", help="Folder for overlay PNGs of the first words."),
        ] = None,
        n_figures: int = typer.Option(
            _EVAL["n_figures"], "--n-figures", help="Words drawn with --figures."
        ),
        device: options.Device = "auto",
    ) -> None:
        """Score attribute maps against CCP's human regions (AP, IoU, pointing game)."""
        sweep = _sweep_settings(
            size, patches, stride, paper, batch_size, map_size, sigma_factor, mean_images
        )
        db = settings(ctx).db
        with database(ctx, create=prepare) as con:
            if not prepare:
                require_inputs(con, "evaluate")
            summary = run_evaluate(
                con, ccp_dir=ccp, scope=scope, model_id=model_id,
                n_words=options.pick(n_words, old_words),
                n_images=options.pick(n_images, old_images), exclude=options.names(exclude),
                ks=_ints(ks, "--k"),
                methods=options.names(methods), thresholds=_floats(thresholds, "--thresholds"),
                tolerance=tolerance, settings=sweep, device=device, figures=figures,
                n_figures=n_figures,
                prepare=prepare, listings=listings or Path(db).with_suffix(".listings.parquet"),
                progress=settings(ctx).progress,
            )
        typer.echo(json.dumps(summary, sort_keys=True))
