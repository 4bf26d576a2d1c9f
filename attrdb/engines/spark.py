"""Apache Spark (PySpark), the scale-out engine.

Spark SQL has no row-level DML on plain session tables (no DELETE or UPDATE, and no
CREATE OR REPLACE TABLE outside v2 catalogs), while attrdb's SQL files write tables with
CREATE TABLE, INSERT, DELETE and UPDATE. The engine therefore keeps every table as a
session temporary view over a materialised DataFrame and carries out those statements
itself: an INSERT unions the new rows (cast to the table's column types, defaults filled
in), a DELETE keeps the rows whose condition is not true, an UPDATE rewrites the changed
columns with CASE. The statements are read with sqlglot; everything else goes to
``spark.sql`` unchanged. Tables live for the session; :meth:`SparkEngine.write_parquet`
saves them.

Materialising writes the table as Parquet under a scratch folder and reads it back. That
cuts the plan's lineage: a table rebuilt from itself round after round (label
propagation) would otherwise carry a plan that doubles each round. The alternatives fail
here: ``cache()`` keeps the lineage (the driver ran out of memory analysing it), and
``localCheckpoint()`` trips a Spark 4.3 optimizer error ("key not found") on self-joins of
checkpointed frames. On a cluster the scratch folder must be on storage every executor
reaches (HDFS, S3, NFS); files of replaced and dropped tables are deleted at once.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa
import sqlglot
from sqlglot import exp

from attrdb.engines.base import Engine, EngineError, engine_error
from attrdb.errors import first_line
from attrdb.identifiers import quote_identifier
from attrdb.sqlfiles import bind

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Settings for a local or small session; a cluster's own defaults win where the user
# passes --spark-conf. Few shuffle partitions: the default 200 makes small joins slow.
LOCAL_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # DuckDB follows IEEE 754 (1/0 = inf, ln(0) = -inf) where ANSI Spark raises; with ANSI
    # off Spark returns NULL instead, which the parity tests would catch in a file that
    # depends on it. Casts and overflows are checked in both modes by DuckDB, so neither
    # setting matches exactly; ANSI on keeps errors loud.
    "spark.sql.ansi.enabled": "true",
}

# After this many INSERTs into one table its parts are compacted into one folder, so the
# view's plan stays a shallow union.
_MAX_PARTS = 8


class SparkEngine(Engine):
    """An engine over a SparkSession (named parameters are ``:name``).

    Args:
        session: the SparkSession to run on.
        owned: stop the session in :meth:`close`.
    """

    dialect: ClassVar[str] = "spark"

    def __init__(
        self, session: SparkSession, *, owned: bool = False, scratch: str | None = None
    ) -> None:
        self.spark = session
        self._owned = owned
        self._own_scratch = scratch is None
        self._warehouse: str | None = None
        self.scratch = scratch or tempfile.mkdtemp(prefix="attrdb-spark-scratch-")
        self._serial = 0
        self._defaults: dict[str, dict[str, str]] = {}
        # The scratch folders behind each table (one, or the parts INSERTs appended).
        self._files: dict[str, list[str]] = {}

    @classmethod
    def start(
        cls,
        master: str = "local[2]",
        *,
        app_name: str = "attrdb",
        conf: Mapping[str, str] | None = None,
        log_level: str = "OFF",
        scratch: str | None = None,
    ) -> SparkEngine:
        """Start (or join) a SparkSession and wrap it; :meth:`close` stops one it started.

        Args:
            master: Spark master URL: ``local[N]`` on this machine, ``spark://host:7077``,
                ``yarn``, ``k8s://...`` for a cluster.
            app_name: the application name shown by the cluster manager.
            conf: extra Spark settings; they override :data:`LOCAL_CONF`.
            log_level: Spark's log level; errors reach the caller as exceptions anyway,
                and Spark logs each failed query in full at ERROR.
            scratch: folder (URL) for materialised tables, reachable from every executor,
                deleted by :meth:`close`; default a temporary local folder (right for
                ``local[N]`` masters only).

        Raises:
            EngineError: pyspark is not installed or the session cannot start.
        """
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise EngineError(
                "pyspark is not installed; install it with `pip install 'attrdb[spark]'`"
            ) from exc
        settings = dict(LOCAL_CONF)
        settings.update(conf or {})
        builder = SparkSession.builder.master(master).appName(app_name)
        for key, value in settings.items():
            builder = builder.config(key, value)
        # A session already running in this process (a notebook's, a test's) is joined, not
        # owned: close() then leaves it running.
        owned = SparkSession.getActiveSession() is None
        warehouse = None
        if owned and "spark.sql.warehouse.dir" not in settings:
            # attrdb creates no catalog tables; a scratch warehouse keeps Spark from making
            # spark-warehouse/ in the working directory. Removed by close().
            warehouse = tempfile.mkdtemp(prefix="attrdb-spark-wh-")
            builder = builder.config("spark.sql.warehouse.dir", warehouse)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # py4j / Java start-up errors have no common base class
            raise EngineError(f"cannot start Spark at {master}: {first_line(exc)}") from exc
        session.sparkContext.setLogLevel(log_level)
        if log_level.upper() == "OFF":
            # pyspark also logs every failed query with its Java stack trace through these
            # Python loggers; the EngineError raised instead carries the message.
            for logger in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
                logging.getLogger(logger).setLevel(logging.CRITICAL)
        engine = cls(session, owned=owned, scratch=scratch)
        engine._warehouse = warehouse
        return engine

    # --- statements ----------------------------------------------------------------------

    def execute(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> None:
        try:
            tree = sqlglot.parse_one(sql, read="spark")
        except sqlglot.errors.ParseError as exc:
            raise engine_error(self.dialect, exc, sql, origin) from exc
        given = dict(params or {})
        try:
            if isinstance(tree, exp.Insert):
                self._insert(tree, given)
            elif isinstance(tree, exp.Delete):
                self._delete(tree, given)
            elif isinstance(tree, exp.Update):
                self._update(tree, given)
            elif isinstance(tree, exp.Create) and tree.kind == "TABLE":
                self._create_table(tree, given)
            elif isinstance(tree, exp.Create) and tree.kind == "VIEW":
                self._create_view(tree, given)
            elif isinstance(tree, exp.Drop) and tree.kind in ("TABLE", "VIEW"):
                self._drop(tree)
            else:
                self._sql(tree, given)
        except Exception as exc:  # pyspark raises PySparkException or py4j errors
            if not isinstance(exc, EngineError) and not _is_spark_error(exc):
                raise
            raise engine_error(self.dialect, exc, sql, origin) from exc

    def fetch_arrow(
        self, sql: str, params: Mapping[str, Any] | None = None, *, origin: str = "<sql>"
    ) -> pa.Table:
        try:
            tree = sqlglot.parse_one(sql, read="spark")
            return self._sql(tree, dict(params or {})).toArrow()
        except sqlglot.errors.ParseError as exc:
            raise engine_error(self.dialect, exc, sql, origin) from exc
        except Exception as exc:
            if not isinstance(exc, EngineError) and not _is_spark_error(exc):
                raise
            raise engine_error(self.dialect, exc, sql, origin) from exc

    # --- data in and out -----------------------------------------------------------------

    def register_arrow(self, name: str, table: pa.Table) -> None:
        self._replace(name, self.spark.createDataFrame(table), materialise=False)

    def register_parquet(self, name: str, path: str | Path) -> None:
        try:
            frame = self.spark.read.parquet(str(path))
        except Exception as exc:
            if not _is_spark_error(exc):
                raise
            raise engine_error(self.dialect, exc, f"read.parquet({str(path)!r})", name) from exc
        self._replace(name, frame, materialise=False)

    def set_defaults(self, name: str, defaults: Mapping[str, str]) -> None:
        """Column defaults (Spark SQL expressions) that INSERTs naming fewer columns use."""
        self._defaults[name.lower()] = {k.lower(): v for k, v in defaults.items()}

    def write_parquet(self, name: str, path: str | Path) -> None:
        try:
            self.spark.table(name).write.mode("overwrite").parquet(str(path))
        except Exception as exc:
            if not _is_spark_error(exc):
                raise
            raise engine_error(self.dialect, exc, f"write.parquet({str(path)!r})", name) from exc

    def table_exists(self, name: str) -> bool:
        return bool(self.spark.catalog.tableExists(name))

    def frame(self, name: str) -> DataFrame:
        """The DataFrame behind table ``name`` (for callers that continue in PySpark)."""
        return self.spark.table(name)

    def close(self) -> None:
        for name in list(self._files):
            self._forget(name)
        if self._own_scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        else:
            self._remove_folder(self.scratch)
        if self._owned:
            self.spark.stop()
        if self._warehouse is not None:
            shutil.rmtree(self._warehouse, ignore_errors=True)

    # --- emulated DML --------------------------------------------------------------------

    def _sql(self, tree: exp.Expr, params: dict[str, Any]) -> DataFrame:
        """Run a statement with only the parameters it names."""
        used = {p.name for p in tree.find_all(exp.Placeholder) if p.name}
        args = {k: _spark_value(v) for k, v in bind(used, params, origin="spark").items()}
        return self.spark.sql(tree.sql("spark"), args=args or None)

    def _replace(self, name: str, frame: DataFrame, *, materialise: bool = True) -> None:
        folders: list[str] = []
        if materialise:
            frame, folder = self._materialise(name, frame)
            folders.append(folder)
        frame.createOrReplaceTempView(name)
        self._forget(name)
        self._files[name.lower()] = folders

    def _materialise(self, name: str, frame: DataFrame) -> tuple[DataFrame, str]:
        """Write a frame to the scratch folder and read it back (errors surface here)."""
        self._serial += 1
        folder = f"{self.scratch.rstrip('/')}/{self._serial:06d}-{name.lower()}"
        frame.write.parquet(folder)
        return self.spark.read.parquet(folder), folder

    def _forget(self, name: str) -> None:
        for folder in self._files.pop(name.lower(), []):
            self._remove_folder(folder)

    def _remove_folder(self, folder: str) -> None:
        # Through Hadoop's file system API, so HDFS and S3 scratch folders work too.
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None  # a live session has a JVM gateway
        path = jvm.org.apache.hadoop.fs.Path(folder)
        path.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration()).delete(path, True)

    def _create_table(self, tree: exp.Create, params: dict[str, Any]) -> None:
        name = _table_name(tree.this)
        if self.table_exists(name):
            if tree.args.get("exists"):
                return
            if not tree.args.get("replace"):
                raise EngineError(f"table {name!r} already exists")
        query = tree.expression
        if query is not None:
            self._replace(name, self._sql(query, params))
            self._defaults.pop(name.lower(), None)
            return
        schema = tree.this
        if not isinstance(schema, exp.Schema):
            raise EngineError(f"CREATE TABLE {name} needs columns or AS SELECT")
        columns: list[str] = []
        defaults: dict[str, str] = {}
        for column in schema.expressions:
            if not isinstance(column, exp.ColumnDef):
                continue  # table constraints (PRIMARY KEY, CHECK) are not enforced
            kind = column.args.get("kind")
            kind_sql = kind.sql("spark") if kind else "STRING"
            columns.append(f"{quote_identifier(column.name, 'spark')} {kind_sql}")
            for constraint in column.constraints:
                if isinstance(constraint.kind, exp.DefaultColumnConstraint):
                    defaults[column.name.lower()] = constraint.kind.this.sql("spark")
        frame = self.spark.createDataFrame([], ", ".join(columns))
        self._replace(name, frame, materialise=False)
        self._defaults[name.lower()] = defaults

    def _create_view(self, tree: exp.Create, params: dict[str, Any]) -> None:
        # Session views only: a permanent view may not read the temporary views that
        # hold attrdb's tables.
        view = tree.copy()
        view.set("replace", True)
        properties = exp.Properties(expressions=[exp.TemporaryProperty()])
        view.set("properties", properties)
        self._sql(view, params)

    def _drop(self, tree: exp.Drop) -> None:
        for table in tree.args.get("tables") or [tree.this]:
            name = _table_name(table)
            dropped = self.spark.catalog.dropTempView(name)
            if not dropped and not tree.args.get("exists"):
                raise EngineError(f"table {name!r} does not exist")
            self._defaults.pop(name.lower(), None)
            self._forget(name)

    def _insert(self, tree: exp.Insert, params: dict[str, Any]) -> None:
        from pyspark.sql import functions as F

        for unsupported in ("conflict", "returning", "alternative"):
            if tree.args.get(unsupported):
                raise EngineError(f"INSERT with {unsupported.upper()} is not supported on Spark")
        target = tree.this
        named = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        name = _table_name(target)
        table = self.spark.table(name)
        source = tree.expression
        if tree.args.get("with_") is not None and isinstance(source, exp.Query):
            # WITH ... INSERT INTO t SELECT: the CTEs belong to the SELECT.
            source = source.copy()
            source.set("with_", tree.args["with_"].copy())
        rows = self._sql(source, params)
        fields = {f.name.lower(): f for f in table.schema.fields}
        if tree.args.get("by_name"):
            sources = {c.lower(): c for c in rows.columns}
        else:
            order = named if named is not None else [f.name for f in table.schema.fields]
            if len(order) != len(rows.columns):
                raise EngineError(
                    f"INSERT INTO {name}: {len(rows.columns)} values for {len(order)} columns"
                )
            rows = rows.toDF(*[f"__v{i}" for i in range(len(order))])
            sources = {c.lower(): f"__v{i}" for i, c in enumerate(order)}
        unknown = sources.keys() - fields.keys()
        if unknown:
            raise EngineError(f"INSERT INTO {name}: no column {', '.join(sorted(unknown))}")
        defaults = self._defaults.get(name.lower(), {})
        columns = []
        for key, field in fields.items():
            if key in sources:
                value = F.col(f"`{sources[key]}`")
            elif key in defaults:
                value = F.expr(defaults[key])
            else:
                value = F.lit(None)
            columns.append(value.cast(field.dataType).alias(field.name))
        added = rows.select(*columns)
        if tree.args.get("overwrite"):
            self._replace(name, added)
            return
        parts = self._files.get(name.lower(), [])
        if len(parts) >= _MAX_PARTS:
            self._replace(name, table.unionByName(added))
            return
        part, folder = self._materialise(name, added)
        table.unionByName(part).createOrReplaceTempView(name)
        self._files.setdefault(name.lower(), []).append(folder)

    def _delete(self, tree: exp.Delete, params: dict[str, Any]) -> None:
        if tree.args.get("returning"):
            raise EngineError("DELETE with RETURNING is not supported on Spark")
        target = tree.this
        where = tree.args.get("where")
        condition = where.this.copy() if where is not None else exp.true()
        using = tree.args.get("using") or []
        if len(using) > 1:
            raise EngineError("DELETE with more than one USING table is not supported on Spark")
        if using:
            # Rows with a partner in USING that satisfies the condition go: an anti join.
            alias = target.alias_or_name
            query = (
                exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier(alias)))
                .from_(target.copy())
                .join(using[0].copy(), on=condition, join_type="left anti")
            )
        else:
            keep = exp.not_(exp.func("coalesce", condition, exp.false()))
            query = exp.select("*").from_(target.copy()).where(keep)
        self._replace(_table_name(target), self._sql(query, params))

    def _update(self, tree: exp.Update, params: dict[str, Any]) -> None:
        if tree.args.get("from_") or tree.args.get("from") or tree.args.get("returning"):
            raise EngineError("UPDATE with FROM or RETURNING is not supported on Spark")
        name = _table_name(tree.this)
        where = tree.args.get("where")
        condition = (
            exp.func("coalesce", where.this.copy(), exp.false()) if where is not None else None
        )
        changes = {}
        for assignment in tree.expressions:
            changes[assignment.this.name.lower()] = assignment.expression
        projections: list[exp.Expr] = []
        for field in self.spark.table(name).schema.fields:
            column = exp.column(field.name, quoted=True)
            change = changes.pop(field.name.lower(), None)
            if change is None:
                projections.append(column)
                continue
            value: exp.Expr = change.copy()
            if condition is not None:
                value = exp.Case(ifs=[exp.If(this=condition.copy(), true=value)], default=column)
            kind = exp.DataType.build(field.dataType.simpleString(), dialect="spark")
            projections.append(exp.alias_(exp.cast(value, kind), field.name))
        if changes:
            raise EngineError(f"UPDATE {name}: no column {', '.join(sorted(changes))}")
        query = exp.select(*projections).from_(tree.this.copy())
        self._replace(name, self._sql(query, params))


def _table_name(node: exp.Expr | None) -> str:
    """The unqualified name of the table a statement targets."""
    table = node.this if isinstance(node, exp.Schema) else node
    if not isinstance(table, exp.Table):
        raise EngineError(f"expected a table name, got {node.sql('spark') if node else None!r}")
    return table.name


def _spark_value(value: Any) -> Any:
    """A parameter value Spark accepts: lists become array literals."""
    if isinstance(value, (list, tuple)):
        from pyspark.sql import functions as F

        return F.lit(list(value))
    return value


def _is_spark_error(exc: BaseException) -> bool:
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return isinstance(exc, (PySparkException, Py4JError))

