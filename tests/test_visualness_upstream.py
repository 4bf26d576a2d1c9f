"""Which upstream runs a visualness result depends on (sql/visualness/upstream_runs.sql).

Results store these run ids; a newer run of any of them makes the results stale. Running
another network (extract, divergence of another model) must not: a comparison database
holds several feature sets, and extracting one must leave the others' scores current.
"""

from __future__ import annotations

import json

import duckdb

from attrdb.sqlfiles import query_sql_file


def _run(con: duckdb.DuckDBPyConnection, run_id: int, stage: str, scope: str,
         params: dict[str, object], status: str = "ok",
         summary: dict[str, object] | None = None) -> None:
    con.execute(
        "INSERT INTO runs (run_id, stage, scope, params, summary, attrdb_version, started_at, "
        "finished_at, status) VALUES (?, ?, ?, ?, ?, 'test', now(), now(), ?)",
        [run_id, stage, scope, json.dumps(params), json.dumps(summary or {}), status],
    )


def _upstream(con: duckdb.DuckDBPyConnection, model_id: str) -> dict[str, int]:
    rows = query_sql_file(
        con, "visualness/upstream_runs", {"scope": "default", "model_id": model_id}
    )
    return {str(stage): int(run_id) for stage, run_id in rows}


def test_upstream_runs_are_those_of_the_model_and_scope(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, 1, "text", "default", {})
    _run(con, 2, "split", "default", {"seed": 0})
    _run(con, 3, "extract", "default", {"model_id": "a"})
    _run(con, 4, "vocab", "default", {})
    _run(con, 5, "divergence", "default", {"model_id": "a"})
    before = _upstream(con, "a")
    assert before == {"text": 1, "split": 2, "extract": 3, "vocab": 4, "divergence": 5}

    # Another network, another scope's divergence, a failed run: model a stays current.
    _run(con, 6, "extract", "default", {"model_id": "b"})
    _run(con, 7, "divergence", "default", {"model_id": "b"})
    _run(con, 8, "divergence", "paper", {"model_id": "a"})
    _run(con, 9, "extract", "default", {"model_id": "a"}, status="failed")
    assert _upstream(con, "a") == before
    assert _upstream(con, "b")["extract"] == 6 and _upstream(con, "b")["divergence"] == 7

    # A new split, or model a extracted again, makes a's results stale.
    _run(con, 10, "split", "default", {"seed": 1})
    _run(con, 11, "extract", "default", {"model_id": "a"})
    after = _upstream(con, "a")
    assert after["split"] == 10 and after["extract"] == 11


def test_an_extract_run_that_wrote_nothing_keeps_results_current(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _run(con, 1, "extract", "default", {"model_id": "a"}, summary={"n_extracted": 4620})
    # Run again with every image done: nothing written, results stay current.
    _run(con, 2, "extract", "default", {"model_id": "a"},
         summary={"n_extracted": 0, "n_done_before": 4620, "n_errors": 0})
    assert _upstream(con, "a")["extract"] == 1
    # Vectors copied from a stored 'both' set, or new images extracted: stale.
    _run(con, 3, "extract", "default", {"model_id": "a"},
         summary={"n_extracted": 0, "n_copied_from_both": 4620})
    assert _upstream(con, "a")["extract"] == 3
    _run(con, 4, "extract", "default", {"model_id": "a"}, summary={"n_extracted": 12})
    assert _upstream(con, "a")["extract"] == 4
    # A run that does not say what it wrote (an import) counts.
    _run(con, 5, "extract", "default", {"model_id": "a"}, summary={"rows": 10})
    assert _upstream(con, "a")["extract"] == 5
