"""SQL engines attrdb runs its SQL stages on: DuckDB (embedded, the default) and Spark.

``Engine`` is the interface (execute with bound parameters, fetch Arrow, register Arrow or
Parquet, write Parquet, table exists, dialect); ``run_file``/``query_file`` run a file of
``sql/`` on any engine, translating it for Spark. The engine layer knows no pipeline table
names. ``SparkEngine`` is imported lazily: pyspark is an optional extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrdb.engines.base import Engine, EngineError, engine_error
from attrdb.engines.duckdb import DuckDBEngine
from attrdb.engines.transpile import Loop, query_file, run_file, run_statement, statements_for

if TYPE_CHECKING:
    from attrdb.engines.spark import SparkEngine

__all__ = [
    "DuckDBEngine",
    "Engine",
    "EngineError",
    "Loop",
    "SparkEngine",
    "engine_error",
    "query_file",
    "run_file",
    "run_statement",
    "statements_for",
]


def __getattr__(name: str) -> Any:
    if name == "SparkEngine":
        from attrdb.engines.spark import SparkEngine

        return SparkEngine
    raise AttributeError(name)
