"""Attributes over time (attrdb.timewindows) against a numpy recomputation.

A small constructed catalogue: products with a unix-time `added` metadata field spread over
four months, random activations, fixed equal-width bin edges and a per-unit null, so the
windows' symmetric KL, kl_z, prime units and peaks can be recomputed with numpy.histogram.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pytest

from attrdb.errors import InputError, StateError
from attrdb.timewindows import run_timewindows, window_scope

N_UNITS = 12
N_BINS = 6
SMOOTHING = 0.01
WORDS = ("red", "striped", "soft")
MONTHS = ("2015-01", "2015-02", "2015-03", "2015-04")


def _unix(month: str, day: int) -> int:
    year, mon = (int(x) for x in month.split("-"))
    return int(dt.datetime(year, mon, day, tzinfo=dt.UTC).timestamp())


def _setup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO models (model_id, name, weights, weights_sha256, input_size, "
                "n_units) VALUES ('m', 'toy', 'none', '0', 224, ?)", [N_UNITS])
    con.executemany("INSERT INTO units (model_id, unit_id, layer, layer_index, channel) "
                    "VALUES ('m', ?, ?, ?, ?)",
                    [(u, f"layer{u // 4}", u // 4, u % 4) for u in range(N_UNITS)])
    edges = [[float(e) for e in np.linspace(0.0, 3.0, N_BINS + 1)] for _ in range(N_UNITS)]
    edges[N_UNITS - 1] = [-0.5 + k / N_BINS for k in range(N_BINS + 1)]  # a constant unit
    con.executemany("INSERT INTO unit_bins VALUES ('m', 'default', ?, ?, ?)",
                    [(u, e, u == N_UNITS - 1) for u, e in enumerate(edges)])
    rng = np.random.default_rng(3)
    con.executemany("INSERT INTO unit_divergence_null VALUES ('m', 'default', ?, ?, ?, 50)",
                    [(u, float(rng.uniform(1, 3)), float(rng.uniform(0.5, 1)))
                     for u in range(N_UNITS - 1)])
    # The scope's prime units (the fixed units of mean_top_kl_excess): units 0, 2, 4.
    for w in WORDS:
        for rank, unit in enumerate((0, 2, 4), start=1):
            con.execute("INSERT INTO prime_units (model_id, scope, word, unit_id, rank, kl) "
                        "VALUES ('m', 'default', ?, ?, ?, 0.1)", [w, unit, rank])
    # Size factors for sides of 16..31 products (class 4) only; others use factor 1.
    con.execute("INSERT INTO divergence_null_sizes VALUES ('m', 'default', 4, 16, 31, 0.8, 1.2, 9)")
    for w in WORDS:
        con.execute("INSERT INTO vocabulary VALUES ('default', ?, 0, 0, 1, 'adjective')", [w])


def _add_products(con: duckdb.DuckDBPyConnection, month: str, n: int, seed: int) -> None:
    """n products added in `month`; 'red' shifts unit 0 upwards, more so in later months."""
    rng = np.random.default_rng(seed)
    shift = MONTHS.index(month) if month in MONTHS else 4
    for i in range(n):
        pid = f"{month}-{i}"
        words = [w for w in WORDS if rng.random() < 0.4]
        vals = rng.gamma(2.0, 0.5, N_UNITS)
        vals[N_UNITS - 1] = 0.0
        if "red" in words:
            vals[0] += 0.3 * shift
        if i == 0:
            vals[1] = 3.7  # above the last edge: counted in the last bin
        con.execute("INSERT INTO products (product_id, metadata, source, source_row) "
                    "VALUES (?, ?, 'toy', 0)",
                    [pid, json.dumps({"added": _unix(month, 1 + i % 27), "year": month[:4]})])
        con.execute("INSERT INTO scope_products VALUES ('default', ?)", [pid])
        con.execute("INSERT INTO splits VALUES (?, ?)", [pid, "train" if i % 2 else "test"])
        con.execute("INSERT INTO activation_vectors VALUES ('m', ?, ?)", [pid, vals.tolist()])
        for w in words:
            con.execute("INSERT INTO word_products VALUES ('default', ?, ?)", [w, pid])


def _expected(con: duckdb.DuckDBPyConnection, months: tuple[str, ...], min_side: int = 5
              ) -> dict[tuple[str, str], dict[str, np.ndarray | int]]:
    """numpy: per (window, word) the KL and kl_z of every non-constant unit."""
    edges = np.linspace(0.0, 3.0, N_BINS + 1)
    null = dict((u, (m, s)) for u, m, s in con.execute(
        "SELECT unit_id, null_mean, null_sd FROM unit_divergence_null").fetchall())
    out: dict[tuple[str, str], dict[str, np.ndarray | int]] = {}
    for month in months:
        rows = con.execute(
            "SELECT a.product_id, a.vals, list(wp.word) FILTER (WHERE wp.word IS NOT NULL) "
            "FROM activation_vectors a LEFT JOIN word_products wp USING (product_id) "
            "WHERE a.product_id LIKE ? GROUP BY ALL", [f"{month}-%"]).fetchall()
        vals = np.array([r[1] for r in rows])
        for word in WORDS:
            pos = np.array([word in (r[2] or []) for r in rows])
            n_pos, n_neg = int(pos.sum()), int((~pos).sum())
            if n_pos < min_side or n_neg < min_side:
                continue
            kl = np.zeros(N_UNITS - 1)
            for u in range(N_UNITS - 1):
                clipped = np.clip(vals[:, u], edges[0], edges[-1])
                hp = np.histogram(clipped[pos], edges)[0]
                hn = np.histogram(clipped[~pos], edges)[0]
                p = (1 - SMOOTHING) * hp / n_pos + SMOOTHING / N_BINS
                q = (1 - SMOOTHING) * hn / n_neg + SMOOTHING / N_BINS
                kl[u] = np.sum((p - q) * np.log(p / q))
            scale = 1 / n_pos + 1 / n_neg
            fm, fs = (0.8, 1.2) if int(np.floor(np.log2(min(n_pos, n_neg)))) == 4 else (1, 1)
            z = np.array([(kl[u] - null[u][0] * fm * scale) / (null[u][1] * fs * scale)
                          for u in range(N_UNITS - 1)])
            excess = np.array([kl[u] - null[u][0] * fm * scale for u in range(N_UNITS - 1)])
            out[(month, word)] = {"kl": kl, "z": z, "excess": excess, "n_pos": n_pos,
                                  "n_neg": n_neg}
    return out


def _results(con: duckdb.DuckDBPyConnection, window_set: str = "month") -> list[tuple]:
    words = con.execute(
        "SELECT time_window, word, n_pos, n_neg, max_kl, max_kl_z, mean_top_kl_z, peak_unit, "
        "peak_layer FROM time_window_words WHERE window_set = ? ORDER BY ALL",
        [window_set]).fetchall()
    prime = con.execute(
        "SELECT time_window, word, unit_id, rank, kl, kl_z FROM time_window_prime_units "
        "WHERE window_set = ? ORDER BY ALL", [window_set]).fetchall()
    return words + prime


@pytest.fixture
def toy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    _setup(con)
    for k, month in enumerate(MONTHS[:3]):
        _add_products(con, month, 40 + 10 * k, seed=k)
    return con


def test_window_divergence_matches_numpy(toy) -> None:
    summary = run_timewindows(toy, time_field="metadata.added", period="month", top_k=3)
    assert summary["n_periods"] == 3 and summary["n_windows"] == 3
    assert summary["n_recounted"] == 3 and summary["n_recomputed"] == 3
    expected = _expected(toy, MONTHS[:3])
    found = {(r[0], r[1]): r[2:] for r in toy.execute(
        "SELECT time_window, word, n_pos, n_neg, max_kl, max_kl_z, mean_top_kl_z, "
        "peak_unit, peak_layer, mean_top_kl_excess FROM time_window_words").fetchall()}
    assert set(found) == set(expected)
    for key, e in expected.items():
        n_pos, n_neg, max_kl, max_kl_z, mean_z, peak, layer, mean_excess = found[key]
        z = np.asarray(e["z"])
        assert mean_excess == pytest.approx(np.asarray(e["excess"])[[0, 2, 4]].mean(), rel=1e-9)
        assert (n_pos, n_neg) == (e["n_pos"], e["n_neg"])
        assert max_kl == pytest.approx(np.max(e["kl"]), rel=1e-12)
        assert max_kl_z == pytest.approx(z.max(), rel=1e-9)
        assert peak == int(np.argmax(z)) and layer == f"layer{peak // 4}"
        assert mean_z == pytest.approx(np.sort(z)[-3:].mean(), rel=1e-9)
    units = toy.execute("SELECT unit_id FROM time_window_prime_units WHERE time_window = '2015-02' "
                        "AND word = 'red' ORDER BY rank").fetchall()
    z = np.asarray(expected[("2015-02", "red")]["z"])
    assert [u for (u,) in units] == list(np.argsort(-z, kind="stable")[:3])


def test_rolling_windows_sum_periods(toy) -> None:
    run_timewindows(toy, time_field="metadata.added", period="month", rolling=2)
    windows = toy.execute("SELECT time_window, first_period, last_period, n_products FROM "
                          "time_windows WHERE window_set = 'month-rolling2' ORDER BY window_index"
                          ).fetchall()
    assert windows == [("2015-01..2015-02", "2015-01", "2015-02", 90),
                       ("2015-02..2015-03", "2015-02", "2015-03", 110)]
    # The rolling window over Jan+Feb equals a 'value' window holding both months' products.
    toy.execute("UPDATE products SET metadata = json_object('added', metadata->>'added', "
                "'year', CASE WHEN product_id < '2015-03' THEN 'a' ELSE 'b' END)")
    run_timewindows(toy, time_field="metadata.year", period="value")
    a = toy.execute("SELECT word, n_pos, max_kl, max_kl_z FROM time_window_words "
                    "WHERE window_set = 'value' AND time_window = 'a' ORDER BY word").fetchall()
    r = toy.execute("SELECT word, n_pos, max_kl, max_kl_z FROM time_window_words WHERE "
                    "window_set = 'month-rolling2' AND time_window = '2015-01..2015-02' "
                    "ORDER BY word").fetchall()
    assert len(a) == len(r) == 3
    for x, y in zip(a, r, strict=True):
        assert x[:2] == y[:2] and x[2] == pytest.approx(y[2], rel=1e-12)
        assert x[3] == pytest.approx(y[3], rel=1e-9)


def test_incremental_new_month_equals_full_recompute(toy) -> None:
    run_timewindows(toy, time_field="metadata.added", period="month")
    _add_products(toy, "2015-04", 45, seed=9)
    inc = run_timewindows(toy, time_field="metadata.added", period="month")
    assert (inc["n_recounted"], inc["n_recomputed"], inc["n_windows"]) == (1, 1, 4)
    incremental = _results(toy)
    full = run_timewindows(toy, time_field="metadata.added", period="month", force=True)
    assert (full["n_recounted"], full["n_recomputed"]) == (4, 4)
    assert _results(toy) == incremental
    # A changed old month (a product's words edited) is recounted alone.
    toy.execute("DELETE FROM word_products WHERE product_id = (SELECT min(product_id) "
                "FROM word_products WHERE product_id LIKE '2015-01-%')")
    again = run_timewindows(toy, time_field="metadata.added", period="month")
    assert (again["n_recounted"], again["n_recomputed"]) == (1, 1)
    assert _results(toy) != incremental


def test_split_and_quarter(toy) -> None:
    s = run_timewindows(toy, time_field="metadata.added", period="quarter", split="train")
    assert s["n_windows"] == 1 and s["windows"][0]["window"] == "2015-Q1"
    assert s["windows"][0]["n_products"] == 75  # odd-numbered products are train


def test_window_scope_defines_a_value_filter(toy) -> None:
    name = window_scope(toy, "metadata.year", ["2015"])
    assert name == "year=2015"
    definition = json.loads(toy.execute("SELECT definition FROM scopes WHERE scope = ?",
                                        [name]).fetchall()[0][0])
    assert definition["category_field"] == "metadata.year"
    assert definition["categories"] == ["2015"]
    assert window_scope(toy, "metadata.year", ["2015"]) == name  # kept as it is


def test_errors(toy, con) -> None:
    with pytest.raises(InputError, match="--period"):
        run_timewindows(toy, time_field="metadata.added", period="week")
    with pytest.raises(InputError, match="time field"):
        run_timewindows(toy, time_field="added")
    with pytest.raises(StateError, match="no product of scope 'default'"):
        run_timewindows(toy, time_field="metadata.missing")


def test_cli(db_path) -> None:
    from typer.testing import CliRunner

    from attrdb.cli import app
    from attrdb.connection import connect

    con = connect(db_path)
    _setup(con)
    _add_products(con, "2015-01", 30, seed=1)
    _add_products(con, "2015-02", 30, seed=2)
    con.close()
    args = ["--db", str(db_path), "time", "windows", "--field", "metadata.added"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 periods (2 counted, 0 removed), 2 windows (2 recomputed)" in result.output
    again = CliRunner().invoke(app, args)
    assert "(0 counted, 0 removed), 2 windows (0 recomputed)" in again.output
    scope = CliRunner().invoke(app, ["--db", str(db_path), "time", "scope", "--field",
                                     "metadata.year", "--value", "2015"])
    assert scope.exit_code == 0 and "scope 'year=2015'" in scope.output
    bad = CliRunner().invoke(app, args[:-1] + ["added"])
    assert bad.exit_code == 1


def test_trend_views_match_scipy(con) -> None:
    from scipy.stats import linregress
    from scipy.stats import t as student

    values = {"red": [0.5, 1.1, 1.4, 2.2, 2.9], "dry": [2.0, 2.1, 1.9, 2.05, 2.0]}
    layers = {"red": ["l0", "l0", "l1", "l2", "l2"], "dry": ["l1"] * 5}
    for k in range(5):
        con.execute("INSERT INTO time_windows VALUES ('m', 'default', 's', ?, ?, ?, ?, 100, 1)",
                    [f"w{k}", k, f"w{k}", f"w{k}"])
        for word in values:
            con.execute(
                "INSERT INTO time_window_words (model_id, scope, window_set, time_window, word, "
                "n_pos, n_neg, max_kl, max_kl_z, mean_top_kl_z, mean_top_kl_excess, peak_unit, "
                "peak_layer, peak_layer_index, run_id) "
                "VALUES ('m', 'default', 's', ?, ?, ?, 90, 1.0, 3.0, 9.0, ?, 7, ?, ?, 1)",
                [f"w{k}", word, 10 + k, values[word][k], layers[word][k],
                 int(layers[word][k][1])])
    found = {r[0]: r[1:] for r in con.execute(
        "SELECT word, n_windows, slope, t, direction, min_n_pos, first_window, last_value "
        "FROM time_window_trends").fetchall()}
    for word, ys in values.items():
        fit = linregress(range(5), ys)
        t = fit.rvalue * np.sqrt(3 / (1 - fit.rvalue ** 2))
        n, slope, t_sql, direction, min_pos, first, last = found[word]
        assert (n, min_pos, first, last) == (5, 10, "w0", ys[-1])
        assert slope == pytest.approx(fit.slope) and t_sql == pytest.approx(t)
        critical = student.ppf(0.975, 3)
        assert direction == ("rising" if t > critical else "falling" if t < -critical else "flat")
    assert found["red"][3] == "rising" and found["dry"][3] == "flat"
    shifts = dict(con.execute("SELECT word, [shifted, layer_change] FROM time_layer_shifts"
                              ).fetchall())
    assert shifts == {"red": [True, 2], "dry": [False, 0]}


def test_visualness_trends_compare_intervals(con) -> None:
    for year in ("2011", "2015"):
        window_scope(con, "metadata.year", [year])
    rows = [("year=2011", "red", 0.60, 0.55, 0.65), ("year=2015", "red", 0.80, 0.74, 0.86),
            ("year=2011", "dry", 0.70, 0.60, 0.80), ("year=2015", "dry", 0.66, 0.58, 0.74)]
    for scope, word, acc, lo, hi in rows:
        con.execute("INSERT INTO visualness (model_id, scope, word, method, accuracy, "
                    "accuracy_low, accuracy_high, n_test_pos, n_test_neg) "
                    "VALUES ('m', ?, ?, 'resample', ?, ?, ?, 30, 300)", [scope, word, acc, lo, hi])
    found = dict(con.execute("SELECT word, [first_window, last_window, direction] "
                             "FROM time_visualness_trends").fetchall())
    assert found == {"red": ["2011", "2015", "rising"], "dry": ["2011", "2015", "overlap"]}


def test_report_section(toy, tmp_path) -> None:
    from attrdb.report import build_report

    assert build_report(toy, tmp_path / "a.html").statuses["time-trends"] == "absent"
    _add_products(toy, "2015-04", 60, seed=5)
    run_timewindows(toy, time_field="metadata.added", period="month")
    result = build_report(toy, tmp_path / "r.html")
    assert result.statuses["time-trends"] == "ok", result.failures
    text = (tmp_path / "r.html").read_text()
    assert "Window set <code>month</code>: 4 windows" in text
