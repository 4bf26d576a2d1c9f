"""``attrdb spark extract``: CNN extraction on Spark (reached through the ``spark`` command)."""

from __future__ import annotations

from pathlib import Path

import typer

from attrdb.cli.common import console_info, database, settings
from attrdb.errors import InputError


def spark_extract(
    ctx: typer.Context,
    *,
    input_dir: Path | None,
    output_dir: Path | None,
    master: str,
    param: list[str],
    spark_conf: list[str],
    work_dir: Path | None,
    overwrite: bool,
) -> None:
    """Run extraction on Spark: --input/--output exchange folders, or the --db database.

    Parameters come as ``--param KEY=VALUE`` (``SparkExtractParams``: model, weights,
    model_id, batch_size, partition_size, all_products, limit, device, threads).
    """
    from attrdb.cnn.spark_extract import parse_params, run_extract_on_spark, run_extract_via_spark
    from attrdb.scaleout import parse_conf

    params = parse_params(param)
    conf = parse_conf(spark_conf)
    if (input_dir is None) != (output_dir is None):
        raise InputError("pass both --input and --output, or neither (then --db is used)")
    if input_dir is not None and output_dir is not None:
        result = run_extract_on_spark(
            input_dir, output_dir, params=params, master=master, conf=conf, overwrite=overwrite
        )
        where = str(output_dir)
    else:
        with database(ctx) as con:
            result = run_extract_via_spark(
                con, params=params, master=master, conf=conf, work_dir=work_dir
            )
        where = settings(ctx).db
    summary = result["summary"]
    console_info(
        f"spark: extract in {result['seconds']:.1f} s; {summary['n_extracted']} vectors, "
        f"{summary['n_errors']} errors in {summary['partitions']} partitions "
        f"({summary['n_done_before']} done before) -> {where}"
    )
