"""The saliency and evaluate stages on real CCP photos (the ``ccp_db`` fixture: the first 150
photos through ingest .. visualness), with a coarse sweep so each test takes seconds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.saliency import store
from attrdb.saliency.compute import SweepSettings
from attrdb.saliency.evaluate import run_evaluate, select_images
from attrdb.saliency.maps import attribute_map, unit_maps
from attrdb.saliency.stage import run_saliency
from tests.conftest import copy_db

FAST = SweepSettings(size=128, patches=(24, 48), stride=24, batch_size=41, mean_images=20)
MODEL = "efficientnet_lite0"


@pytest.fixture(scope="module")
def evaluated(
    tmp_path_factory: pytest.TempPathFactory, ccp_db: Path, shared_data: Path
) -> Iterator[tuple[Path, dict]]:
    """ccp_db after one evaluation: 2 tags x 2 photos, K = 1, 8, gradient, centre prior."""
    path = copy_db(ccp_db, tmp_path_factory.mktemp("saliency"), "evaluated.duckdb")
    con = connect(path)
    summary = run_evaluate(
        con, ccp_dir=shared_data / "ccp", n_words=2, n_images=2, ks=(1, 8), settings=FAST,
        figures=path.parent / "img", n_figures=1, device="cpu", progress=False,
    )
    con.close()
    yield path, summary


def test_evaluation_writes_scores_for_every_method(evaluated: tuple[Path, dict]) -> None:
    path, summary = evaluated
    assert summary["words"] == 2 and summary["sweeps_run"] == summary["photos"] <= 4
    con = connect(path, read_only=True)
    rows = con.execute(
        "SELECT method, k, count(*) FILTER (threshold IS NULL), count(*) FILTER (threshold > 0), "
        "min(n_images), max(n_images), min(coalesce(ap, iou)), max(coalesce(ap, iou)) "
        "FROM saliency_eval GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("center_prior", None), ("gradient", None), ("kl_occlusion", 1), ("kl_occlusion", 8)]
    for _, _, free, thresholded, lo_n, hi_n, lo, hi in rows:
        assert free == 2 and thresholded == 2 * 9 and lo_n == hi_n == 2
        assert 0.0 <= lo <= hi <= 1.0
    # saliency_eval is the mean of the per-image scores.
    means = con.execute(
        "SELECT e.ap, avg(s.ap) FROM saliency_eval e JOIN saliency_scores s USING "
        "(model_id, scope, word, method) WHERE e.threshold IS NULL AND s.threshold IS NULL "
        "AND e.k IS NOT DISTINCT FROM s.k GROUP BY ALL"
    ).fetchall()
    assert means and all(abs(a - b) < 1e-12 for a, b in means)
    assert Path(summary["figures"][0]).stat().st_size < 100_000
    con.close()


def test_stored_maps_lie_in_unit_interval_at_the_photo_aspect(evaluated: tuple[Path, dict]) -> None:
    con = connect(evaluated[0], read_only=True)
    rows = con.execute(
        "SELECT m.height, m.width, list_min(m.map), list_max(m.map), len(m.map), p.image_path "
        "FROM saliency_maps AS m JOIN products AS p USING (product_id)"
    ).fetchall()
    assert len(rows) == 4 * 4  # (tag, photo) pairs x (K=1, K=8, gradient, centre prior)
    for height, width, lo, hi, n, image_path in rows:
        with Image.open(image_path) as photo:
            photo_w, photo_h = photo.size  # CCP: 550 x 801..873, portrait
        assert height == 128 and width == round(128 * photo_w / photo_h)
        assert n == height * width and 0.0 <= lo <= hi <= 1.0
    con.close()


def test_stored_eq5_map_equals_a_direct_numpy_computation(evaluated: tuple[Path, dict]) -> None:
    con = connect(evaluated[0], read_only=True)
    word, pid = con.execute(
        "SELECT word, product_id FROM saliency_maps WHERE k = 8 ORDER BY ALL LIMIT 1"
    ).fetchall()[0]
    stored = store.load_map(con, model_id=MODEL, scope="default", product_id=pid, word=word,
                            method="kl_occlusion", k=8)
    top = con.execute(
        "SELECT unit_id, kl FROM unit_word_divergence WHERE word = ? ORDER BY kl DESC, unit_id "
        "LIMIT 8", [word]).fetchall()
    loaded = store.load_sweep(con, model_id=MODEL, product_id=pid, size=128, stride=24)
    assert loaded is not None and stored is not None
    sweep, image_hw = loaded
    r = unit_maps(sweep.select([u for u, _ in top]), size=128, stride=24, out_hw=stored.shape)
    expected = sum(kl * r[i] for i, (_, kl) in enumerate(top)) / sum(kl for _, kl in top)
    np.testing.assert_allclose(stored, expected, atol=1e-6)
    np.testing.assert_allclose(attribute_map(r, [kl for _, kl in top]), expected, atol=1e-12)
    assert image_hw[1] == 550
    con.close()


def test_a_rerun_reuses_the_sweeps_and_replaces_rows(
    evaluated: tuple[Path, dict], shared_data: Path, tmp_path: Path
) -> None:
    path = copy_db(evaluated[0], tmp_path, "again.duckdb")
    con = connect(path)
    before = con.execute("SELECT count(*) FROM saliency_maps").fetchall()[0][0]
    # Without the gradient baseline (a backward pass per tag and photo) to stay quick.
    summary = run_evaluate(con, ccp_dir=shared_data / "ccp", n_words=2, n_images=2, ks=(1, 8),
                           methods=("kl_occlusion", "center_prior"), settings=FAST,
                           device="cpu", progress=False)
    assert summary["sweeps_run"] == 0 and summary["sweeps_reused"] == summary["photos"]
    assert con.execute("SELECT count(*) FROM saliency_maps").fetchall()[0][0] == before
    n_scores = con.execute("SELECT count(*) FROM saliency_scores").fetchall()[0][0]
    assert n_scores == 2 * 2 * 3 * 10  # tags x photos x maps x (ap/pointing + 9 thresholds)
    con.close()


def test_saliency_stage_maps_test_positives(evaluated: tuple[Path, dict], tmp_path: Path) -> None:
    path = copy_db(evaluated[0], tmp_path, "stage.duckdb")
    con = connect(path)
    word = con.execute("SELECT word FROM saliency_eval ORDER BY word LIMIT 1").fetchall()[0][0]
    summary = run_saliency(con, words=[word], limit=1, ks=(1, 8, 64),
                           methods=("kl_occlusion",), settings=FAST, device="cpu",
                           progress=False)
    assert summary["images"] == 1 and summary["maps"] == 3
    ks = con.execute("SELECT list(k ORDER BY k) FROM saliency_maps WHERE run_id = "
                     "(SELECT max(run_id) FROM runs WHERE stage = 'saliency')").fetchall()[0][0]
    assert ks == [1, 8, 64]
    con.close()


def test_photo_selection_prefers_photos_shared_by_tags() -> None:
    candidates = [("a", "1", "p1", 1), ("a", "2", "p2", 2), ("a", "3", "p3", 1),
                  ("b", "2", "p2", 2), ("b", "4", "p4", 1), ("b", "5", "p5", 1)]
    picked = select_images(candidates, ["a", "b"], 2)
    assert picked == {"a": [("2", "p2"), ("1", "p1")], "b": [("2", "p2"), ("4", "p4")]}


def test_cli_saliency_and_its_errors(
    evaluated: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = copy_db(evaluated[0], tmp_path, "cli.duckdb")
    con: duckdb.DuckDBPyConnection = connect(path, read_only=True)
    word, pid = con.execute("SELECT word, product_id FROM saliency_maps LIMIT 1").fetchall()[0]
    con.close()
    fast = ["--size", "128", "--patches", "24,48", "--stride", "24", "--device", "cpu"]
    ok = CliRunner().invoke(app, ["--db", str(path), "saliency", "--word", word, "--product", pid,
                                  "--k", "1", "--method", "kl_occlusion", *fast])
    assert ok.exit_code == 0, ok.output
    assert "1 reused" in ok.output
    cases = [
        (["saliency", "--word", "no-such-word", *fast], "'no-such-word' has 0 units"),
        (["saliency", "--word", word, "--k", "1,x"], "--k takes comma-separated integers"),
        (["saliency", "--word", word, "--k", "5000", *fast], "K must lie in 1..2096"),
        (["saliency", "--word", word, "--method", "lime", *fast], "unknown method"),
        (["saliency", "--word", word, "--size", "128", "--patches", "24,400"],
         "patch sides must lie"),
        (["evaluate", "--ccp", str(tmp_path / "none"), "--no-prepare"], "not a CCP folder"),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(path), *args])
        assert exit_info.value.code == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err, err
