"""kill -9 at random points of every pipeline stage, then rerun: is the result the same?

For each stage of the demo pipeline (on a real subset of the bundled sample), the bench
first runs the pipeline stage by stage without interruption, keeping a copy of the
database before each stage and a digest of every table after it. Then, ``--trials`` times
per stage, it copies the database from before the stage, starts ``attrdb run`` (which
skips the finished earlier stages and runs this one), sends SIGKILL after a random delay
between 0 and the stage's uninterrupted wall time, and reruns ``attrdb run`` to the end.
Each trial checks:

- identical results: every table's digest equals the uninterrupted run's (volatile
  columns excluded: run ids and timestamps; activation vectors are compared within the
  float32 kernel tolerance of tests/tolerances.py because a resumed extraction batches the
  remaining images differently);
- no row left ``running`` (the killed run is closed as ``crashed`` by the rerun);
- no finished work redone: the rerun *resumes* (never "not made by `attrdb run`" or a
  forced recompute), and the resumable stages report exactly the work the killed run had
  committed as already done (extract ``n_done_before``, text: products tokenised,
  visualness ``n_skipped_done``).

    OMP_NUM_THREADS=1 python bench/bench_kill.py --trials 20 [--stages extract,text]

Each ``attrdb run`` is a forked child of the bench (imports done once; see ``Child``).

Prints one line per trial and a table per stage; exits 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from attrdb.resources import sample_dir  # noqa: E402
from tests.tolerances import KERNEL_RTOL  # noqa: E402

# The demo's stages but metadata_check (a report over catalogue metadata that a small
# subset may lack; it writes in one transaction like depth).
STAGES = ["ingest", "text", "dedup", "vocab", "split", "extract", "divergence", "depth",
          "visualness", "saliency"]

# The demo's settings (attrdb/sample/demo.toml) on a smaller real catalogue; publish off
# so that every kill lands in a stage, not in the snapshot copy.
CONFIG_SECTIONS = {
    "ingest": '[ingest]\nconfig = "ingest.json"\n',
    # Small commit units (text batches, extract chunks, visualness chunks below), so that a
    # kill often leaves finished work behind for the rerun to keep.
    "text": '[text]\nlang = "en"\nbatch_size = 16\n',
    "dedup": "[dedup]\nthreshold = 0.1\n",
    "vocab": '[vocab]\nkind = "adjective"\ntop_n = 30\nmin_count = 5\n',
    "split": "[split]\nseed = 0\n",
    "extract": '[extract]\nmodel = "efficientnet_lite0"\nbatch_size = 8\nchunk_size = 16\n',
    "divergence": "[divergence]\nn_bins = 32\ntop_k = 100\n",
    "depth": "[depth]\n",
    # Smaller minimum positives than the defaults, so a 150-listing catalogue still fits
    # classifiers for most words (the resumable per-word work the bench is after).
    "visualness": ('[visualness]\nmethods = ["random", "initial", "resample"]\nseed = 0\n'
                   "min_train_pos = 3\nmin_test_pos = 2\nchunk_size = 4\n"),
    "saliency": ('[saliency]\nn_words = 2\nlimit = 2\nmethods = ["kl_occlusion"]\n'
                 "ks = [1, 8]\n\n[saliency.settings]\npatches = [96]\nstride = 32\n"
                 "mean_images = 40\n"),
}
VOLATILE = re.compile(r"(^|_)(run_id|at|seconds|time|timestamp|started|finished)$")


@dataclass
class Trial:
    stage: str
    delay: float
    phase: str  # where the kill landed: before the run row, during the run, after it
    action: str  # what the rerun did with the stage
    ok: bool
    problems: list[str] = field(default_factory=list)
    redone: str = ""


def make_catalogue(folder: Path, n_rows: int) -> None:
    """A real subset of the bundled sample: its first ``n_rows`` listings, same images."""
    sample = sample_dir()
    table = pq.read_table(sample / "products.parquet").slice(0, n_rows)
    pq.write_table(table, folder / "products.parquet")
    mapping = json.loads((sample / "ingest.json").read_text())
    mapping["images_root"] = str(sample / "images")
    (folder / "ingest.json").write_text(json.dumps(mapping, indent=1))


def write_config(folder: Path, upto: int) -> Path:
    path = folder / f"upto_{STAGES[upto]}.toml"
    body = ['[pipeline]\nscope = "default"\npublish = false\n']
    body += [CONFIG_SECTIONS[name] for name in STAGES[: upto + 1]]
    path.write_text("\n".join(body))
    return path


class Child:
    """``attrdb --db DB run --config CONFIG`` in a forked process.

    The bench imports attrdb and the heavy libraries once and forks for every run, so a
    trial costs the stage's own time rather than a fresh interpreter's imports (10-15 s on
    a loaded 2-core machine). The parent never runs torch and holds no database open when
    forking (it opens databases only between runs, and closes them); each child is a
    separate process with its own DuckDB instance, killed with a real SIGKILL.
    """

    def __init__(self, db: Path, config: Path) -> None:
        read_fd, write_fd = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: stderr into the pipe, run the CLI, never return
            os.close(read_fd)
            os.dup2(write_fd, 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.chdir(config.parent)
            code = 0
            try:
                from attrdb.cli import main as cli_main

                cli_main(["--db", str(db), "run", "--config", str(config)])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - report and exit, never return to the bench
                import traceback

                traceback.print_exc()
                code = 1
            sys.stderr.flush()
            os._exit(code)
        os.close(write_fd)
        # Read stderr in a thread: worker processes a stage starts (joblib) inherit the
        # pipe and may keep it open after the child ends, so EOF cannot mark the end.
        self.lines: queue.Queue[str] = queue.Queue()
        self._exit: int | None = None
        self._text: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(read_fd,), daemon=True)
        self._reader.start()

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "r", errors="replace") as stream:
            for line in stream:
                self._text.append(line)
                self.lines.put(line)

    def wait_for_line(self, prefix: str, timeout: float) -> bool:
        """Wait until the child writes a line starting with ``prefix`` (False: it did not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.lines.get(timeout=0.2).startswith(prefix):
                    return True
            except queue.Empty:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self._exit = os.waitstatus_to_exitcode(status)
                    return False
        return False

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.wait()

    def wait(self) -> tuple[int, str]:
        if self._exit is None:
            _, status = os.waitpid(self.pid, 0)
            self._exit = os.waitstatus_to_exitcode(status)
        code = self._exit
        self._reader.join(timeout=2.0)
        return code, "".join(self._text)


def preload() -> None:
    """Import what the stages import, once, before any fork."""
    import sklearn.linear_model  # noqa: F401
    import spacy  # noqa: F401
    import torch  # noqa: F401
    import torchvision  # noqa: F401

    import attrdb.cli  # noqa: F401


def run_to_end(db: Path, config: Path) -> tuple[str, float]:
    started = time.perf_counter()
    code, err = Child(db, config).wait()
    if code != 0:
        raise RuntimeError(f"attrdb run failed ({code}): {err.strip()[-500:]}")
    return err, time.perf_counter() - started


def stage_seconds(err: str, stage: str) -> float:
    """The stage's own time from ``attrdb run``'s "<stage>: ran in X s" line."""
    match = re.search(rf"^{stage}: \w+ in ([0-9.]+) s", err, re.MULTILINE)
    if not match:
        raise RuntimeError(f"no timing line for {stage} in: {err[-300:]}")
    return float(match.group(1))


def start_and_kill(db: Path, config: Path, stage: str, wall: float, body: float,
                   rng: random.Random) -> float:
    """Start ``attrdb run``, SIGKILL it; returns the delay after the process start.

    Four kills in five land inside the stage's body: after the pipeline says the stage is
    running, at a uniform point of its uninterrupted duration. The fifth lands anywhere in
    the process's life (opening and migrating, fingerprints, the run row's insert, the end).
    """
    started = time.perf_counter()
    child = Child(db, config)
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0.0, wall))
    elif child.wait_for_line(f"{stage}: running", timeout=600):
        time.sleep(rng.uniform(0.0, body))
    delay = time.perf_counter() - started
    child.kill()
    return delay


def digests(db: Path) -> tuple[dict[str, str], dict[str, np.ndarray]]:
    """An order-independent digest of every table (volatile columns left out), and the
    activation vectors by product (compared with a tolerance instead)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND table_name NOT IN ('runs', 'activation_vectors') ORDER BY 1").fetchall()]
        out: dict[str, str] = {}
        for table in tables:
            columns = [
                _canonical(name, kind) for name, kind in con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index",
                    [table]).fetchall()
                if not VOLATILE.search(name) and "TIMESTAMP" not in kind and "JSON" != kind
            ]
            if not columns:
                continue
            out[table] = con.execute(
                f"SELECT count(*) || ':' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '') "
                f"FROM (SELECT ({', '.join(columns)})::VARCHAR AS r FROM \"{table}\")"
            ).fetchall()[0][0]
        vectors = {
            str(pid): np.asarray(vals, dtype=np.float64)
            for pid, vals in con.execute(
                "SELECT product_id, vals FROM activation_vectors").fetchall()
        }
    finally:
        con.close()
    return out, vectors


def _canonical(name: str, kind: str) -> str:
    """A column as compared: floating point to 8 significant digits, because DuckDB's
    parallel aggregates (sum, avg, stddev) add in whatever order the threads finish, so two
    uninterrupted runs may differ in the last bits (seen in layer_divergence_null)."""
    quoted = '"' + name.replace('"', '""') + '"'
    if kind in ("DOUBLE", "FLOAT"):
        return f"printf('%.8g', {quoted})"
    if kind in ("DOUBLE[]", "FLOAT[]"):
        return f"list_transform({quoted}, lambda x: printf('%.8g', x))"
    return quoted


def compare(ref: tuple[dict[str, str], dict[str, np.ndarray]],
            got: tuple[dict[str, str], dict[str, np.ndarray]]) -> list[str]:
    problems = [f"table {t} differs" for t in sorted(set(ref[0]) | set(got[0]))
                if ref[0].get(t) != got[0].get(t)]
    if set(ref[1]) != set(got[1]):
        problems.append("activation_vectors hold other products")
    else:
        for pid, want in ref[1].items():
            scale = float(np.abs(want).max(initial=0.0))
            if float(np.abs(got[1][pid] - want).max(initial=0.0)) > KERNEL_RTOL * scale:
                problems.append(f"activation vector of {pid} differs beyond float32 rounding")
                break
    return problems


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def committed_work(db: Path, stage: str) -> int | None:
    """Units of finished work a killed run of ``stage`` left committed (resumable stages)."""
    sql = {
        "extract": "SELECT (SELECT count(*) FROM activation_vectors) "
                   "+ (SELECT count(*) FROM activation_errors)",
        "text": "SELECT count(*) FROM tokenized_products",
        "visualness": "SELECT count(DISTINCT word) FROM visualness",
    }.get(stage)
    return int(str(query(db, sql)[0][0])) if sql else None


def reported_done(db: Path, stage: str) -> int | None:
    """What the rerun says was already done, from its ``runs.summary``."""
    rows = query(db, "SELECT summary FROM runs WHERE stage = ? AND status = 'ok' "
                     "ORDER BY run_id DESC LIMIT 1", [stage])
    summary = json.loads(str(rows[0][0])) if rows and rows[0][0] else {}
    if stage == "extract":
        return int(summary.get("n_done_before", -1))
    if stage == "text":
        return int(summary.get("products_total", 0)) - int(summary.get("products", 0))
    if stage == "visualness":
        return int(summary.get("n_skipped_done", -1))
    return None


def one_trial(stage: str, base: Path | None, config: Path, work: Path,
              timing: tuple[float, float],
              reference: tuple[dict[str, str], dict[str, np.ndarray]], rng: random.Random,
              ) -> Trial:
    """Copy the database from before ``stage``, kill a run of it, rerun, check."""
    db = work / "trial.duckdb"
    for suffix in ("", ".wal"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    if base is not None:  # else the first stage: there is no database before it
        shutil.copy(base, db)
    delay = start_and_kill(db, config, stage, *timing, rng)
    rows: list[tuple[object, ...]] = []
    if db.exists():
        try:
            rows = query(db, "SELECT status FROM runs WHERE stage = ? ORDER BY run_id", [stage])
        except duckdb.Error:
            rows = []  # killed while the new file was being created and migrated
    phase = "before" if not rows else {"running": "during", "ok": "after"}.get(
        str(rows[-1][0]), str(rows[-1][0]))
    done_at_kill = committed_work(db, stage) if phase == "during" else None
    err, _ = run_to_end(db, config)
    line = next((ln for ln in err.splitlines() if ln.strip().startswith(stage + " ")), "")
    action = " ".join(line.split()[1:2])
    problems = compare(reference, digests(db))
    left = query(db, "SELECT count(*) FROM runs WHERE status = 'running'")[0][0]
    if left:
        problems.append(f"{left} runs row(s) left running")
    if "not made by" in line or "parameters changed" in line or "forced" in line:
        problems.append(f"rerun recomputed from scratch: {line.strip()}")
    if phase == "during" and "resumed" not in line:
        problems.append(f"killed run not resumed: {line.strip()}")
    redone = ""
    if done_at_kill is not None:
        said = reported_done(db, stage)
        redone = f"{done_at_kill} done at kill, rerun skipped {said}"
        if said != done_at_kill:
            problems.append(f"finished work redone: {redone}")
    return Trial(stage, delay, phase, action, not problems, problems, redone)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--rows", type=int, default=150, help="listings of the sample used")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temp one)")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.stages.split(",") if s.strip()]
    rng = random.Random(args.seed)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_kill_"))
    work.mkdir(parents=True, exist_ok=True)
    make_catalogue(work, args.rows)
    preload()
    print(f"work folder {work}; load {os.getloadavg()[0]:.1f}", flush=True)

    ref_db = work / "reference.duckdb"
    Plan = tuple[Path | None, Path, tuple[float, float],
                 tuple[dict[str, str], dict[str, np.ndarray]]]
    plans: dict[str, Plan] = {}
    last = max(STAGES.index(s) for s in chosen)
    for index, stage in enumerate(STAGES[: last + 1]):
        config = write_config(work, index)
        base = work / f"before_{stage}.duckdb" if ref_db.exists() else None
        if base is not None:
            shutil.copy(ref_db, base)
        err, wall = run_to_end(ref_db, config)
        body = stage_seconds(err, stage)
        plans[stage] = (base, config, (wall, body), digests(ref_db))
        print(f"reference {stage:<14} {body:6.1f} s in a {wall:5.1f} s process", flush=True)

    trials: list[Trial] = []
    # Cheapest stages first, so a bench cut short still covers the most stages.
    chosen.sort(key=lambda name: plans[name][2][0])
    for stage in chosen:
        base, config, timing, reference = plans[stage]
        for n in range(args.trials):
            trial = one_trial(stage, base, config, work, timing, reference, rng)
            trials.append(trial)
            verdict = "ok  " if trial.ok else "FAIL"
            print(f"{verdict} {stage:<14} #{n + 1:<2} kill at {trial.delay:5.1f} s "
                  f"({trial.phase:<6}) rerun {trial.action:<8} {trial.redone} "
                  f"{'; '.join(trial.problems)}", flush=True)

    print(f"\n{'stage':<14} trials  during  before  after  failed  (load "
          f"{os.getloadavg()[0]:.1f})")
    for stage in chosen:
        mine = [t for t in trials if t.stage == stage]
        print(f"{stage:<14} {len(mine):>6}  {sum(t.phase == 'during' for t in mine):>6}  "
              f"{sum(t.phase == 'before' for t in mine):>6}  "
              f"{sum(t.phase == 'after' for t in mine):>5}  {sum(not t.ok for t in mine):>6}")
    return 0 if all(t.ok for t in trials) else 1


if __name__ == "__main__":
    sys.exit(main())
