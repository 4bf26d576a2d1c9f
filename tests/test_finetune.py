"""Fine-tuning: resumable and deterministic, registered with lineage, usable by extract.

Tiny settings (a few dozen sample images at 64 px, two epochs, the last tapped layers
trained) keep the file quick; the real settings are measured in bench/bench_finetune.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score
from typer.testing import CliRunner

import attrdb.cnn.finetune as compute
from attrdb.cli import app, main
from attrdb.cnn.finetune import (
    TrainSettings,
    _ap_counted,
    _ranked,
    average_precision,
    average_precision_interval,
    positive_weights,
    train,
)
from attrdb.cnn.models import load_model, sha256_file
from attrdb.connection import connect
from attrdb.errors import InputError, ModelError, StateError
from attrdb.finetune import FinetuneParams, run_finetune
from attrdb.model_registry import model_from_db, register_model, resolve_model
from tests.conftest import copy_db

TINY = {"epochs": 2, "input_size": 64, "limit": 32, "test_limit": 24, "batch_size": 8,
        "device": "cpu", "min_positives": 2}


@pytest.fixture(scope="module")
def tuned(tmp_path_factory: pytest.TempPathFactory, text_db: Path) -> tuple[Path, Path, str]:
    """text_db with an attribute-tuned Lite0 made through the CLI (tiny settings)."""
    folder = tmp_path_factory.mktemp("finetune")
    path = copy_db(text_db, folder, "tuned.duckdb")
    out = folder / "models"
    result = CliRunner().invoke(app, [
        "--db", str(path), "--quiet", "finetune", "--kind", "attribute", "--epochs", "2",
        "--input-size", "64", "--limit", "32", "--test-limit", "24", "--batch-size", "8",
        "--device", "cpu", "--max-words", "12", "--min-positives", "2",
        "--out-dir", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "extract with: attrdb extract --model efficientnet_lite0_attr" in result.output
    return path, out, result.output


def test_attribute_tuned_model_is_registered_with_lineage(tuned: tuple[Path, Path, str]) -> None:
    path, out, _ = tuned
    con = duckdb.connect(str(path), read_only=True)
    try:
        lineage = con.execute(
            "SELECT model_id, kind, parent_model_id, parent_weights_sha256, training_run_id "
            "FROM model_lineage ORDER BY model_id").fetchall()
        assert [row[:3] for row in lineage] == [
            ("efficientnet_lite0", "pretrained", None),
            ("efficientnet_lite0_attr", "attribute_tuned", "efficientnet_lite0"),
        ]
        weights, sha = con.execute(
            "SELECT weights, weights_sha256 FROM models WHERE model_id = 'efficientnet_lite0_attr'"
        ).fetchall()[0]
        assert Path(weights) == (out / "efficientnet_lite0_attr.pth").resolve()
        assert sha == sha256_file(Path(weights))
        parent_sha = con.execute("SELECT weights_sha256 FROM models "
                                 "WHERE model_id = 'efficientnet_lite0'").fetchall()[0][0]
        assert lineage[1][3] == parent_sha
        run = con.execute("SELECT stage, status, summary FROM runs WHERE run_id = ?",
                          [lineage[1][4]]).fetchall()[0]
        assert run[:2] == ("finetune", "ok")
        assert json.loads(run[2])["input_size"] == 64
        epochs = con.execute("SELECT epoch, run_id, n_images FROM finetune_epochs "
                             "ORDER BY epoch").fetchall()
        assert [(e, r) for e, r, _ in epochs] == [(1, lineage[1][4]), (2, lineage[1][4])]
        assert {n for *_, n in epochs} == {32}
        # Per-word AP on the test split with support; chance is the positives' share.
        rows = con.execute("SELECT word, ap, ap_low, ap_high, chance, n_pos, n_test, n_train_pos "
                           "FROM finetune_word_ap").fetchall()
        assert rows and all(n_test == 24 and n_train >= 2 for *_, n_test, n_train in rows)
        for _word, ap, low, high, chance, n_pos, n_test, _ in rows:
            assert chance == pytest.approx(n_pos / n_test)
            if n_pos:
                assert low <= ap <= high and 0 < ap <= 1
            else:
                assert ap is None
        assert not (out / "efficientnet_lite0_attr.ckpt").exists()  # done: only the weights
    finally:
        con.close()


def test_extract_runs_on_the_tuned_model(tuned: tuple[Path, Path, str]) -> None:
    from attrdb.cnn.extract import run_extract

    path, out, _ = tuned
    con = connect(path)
    try:
        summary = run_extract(con, model="efficientnet_lite0", model_id="efficientnet_lite0_attr",
                              weights=out / "efficientnet_lite0_attr.pth", device="cpu",
                              workers=0, limit=3, progress=False)
        assert summary["n_extracted"] == 3
        # A registered model id alone names the network and its weights file.
        again = run_extract(con, model="efficientnet_lite0_attr", device="cpu", workers=0,
                            limit=2, progress=False)
        assert (again["n_extracted"], again["n_done_before"]) == (2, 3)
        tuned_model = model_from_db(con, "efficientnet_lite0_attr")
        pretrained = model_from_db(con, "efficientnet_lite0")
    finally:
        con.close()
    # Frozen early layers are the parent's; the trained head layer is not.
    assert torch.equal(tuned_model.net._conv_stem.weight, pretrained.net._conv_stem.weight)
    assert not torch.equal(tuned_model.net._conv_head.weight, pretrained.net._conv_head.weight)


def test_lineage_travels_with_the_weights_file(
    tuned: tuple[Path, Path, str], con: duckdb.DuckDBPyConnection
) -> None:
    _, out, _ = tuned
    weights = out / "efficientnet_lite0_attr.pth"
    register_model(con, load_model("efficientnet_lite0", weights, model_id="lite0_attr:mean",
                                   pooling="mean"))
    kind, parent, run_id = con.execute(
        "SELECT kind, parent_model_id, training_run_id FROM model_lineage").fetchall()[0]
    assert (kind, parent, run_id) == ("attribute_tuned", "efficientnet_lite0", None)
    settings = json.loads(con.execute("SELECT settings FROM weights_lineage").fetchall()[0][0])
    assert settings["training_run_id"] is not None and settings["input_size"] == 64


def test_category_tuned_on_a_metadata_key(text_db: Path, tmp_path: Path) -> None:
    path = copy_db(text_db, tmp_path, "cat.duckdb")
    con = connect(path)
    try:
        summary = run_finetune(con, FinetuneParams(
            kind="category", label_key="master_category", out_dir=str(tmp_path / "m"),
            trainable_layers=1, **TINY), progress=False)
        assert summary["model_id"] == "efficientnet_lite0_cat_master_category"
        test = summary["test"]
        assert test["n_test"] == 24 and test["accuracy_low"] <= test["accuracy"] <= test[
            "accuracy_high"]
        assert con.execute("SELECT kind FROM model_lineage WHERE model_id = ?",
                           [summary["model_id"]]).fetchall() == [("category_tuned",)]
        # Registered weights are never replaced.
        with pytest.raises(StateError, match="already registered"):
            run_finetune(con, FinetuneParams(kind="category", label_key="master_category",
                                             out_dir=str(tmp_path / "m"), **TINY))
        with pytest.raises(StateError, match="has a 'no_such_key' label"):
            run_finetune(con, FinetuneParams(kind="category", label_key="no_such_key",
                                             model_id="x", out_dir=str(tmp_path / "m"), **TINY))
    finally:
        con.close()


def _tiny_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (16, 3, 32, 32), dtype=torch.uint8, generator=generator)
    return images, (torch.rand(16, 4, generator=generator) < 0.3).float()


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path: Path) -> None:
    images, targets = _tiny_data()
    settings = TrainSettings(kind="attribute", epochs=3, batch_size=8, input_size=32,
                             trainable_layers=1)
    whole = load_model()
    train(whole, images, targets, settings, checkpoint=tmp_path / "a.ckpt", identity={})

    class Stop(Exception):
        pass

    def stop_in_second(stats: compute.EpochStats) -> None:
        if stats.epoch == 2:
            raise Stop

    with pytest.raises(Stop):  # interrupted in epoch 2: epoch 1's checkpoint is on disk
        train(load_model(), images, targets, settings, checkpoint=tmp_path / "b.ckpt",
              identity={}, on_epoch=stop_in_second)
    resumed = load_model()
    result = train(resumed, images, targets, settings, checkpoint=tmp_path / "b.ckpt",
                   identity={})
    assert result.resumed_from == 1 and [e.epoch for e in result.epochs] == [1, 2, 3]
    expected = whole.net.state_dict()
    assert all(torch.equal(expected[k], v) for k, v in resumed.net.state_dict().items())
    # A checkpoint of another run (other labels here) is refused, never mixed in.
    with pytest.raises(ModelError, match="another fine-tuning run"):
        train(load_model(), images, targets, settings, checkpoint=tmp_path / "b.ckpt",
              identity={"labels": ["other"]})


def test_average_precision_matches_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random((200, 4)).round(1)  # many ties
    labels = (rng.random((200, 4)) < 0.2).astype(int)
    labels[:, 3] = 0
    ap = average_precision(scores, labels)
    for j in range(3):
        assert ap[j] == pytest.approx(average_precision_score(labels[:, j], scores[:, j]))
    assert np.isnan(ap[3])
    point, low, high = average_precision_interval(scores, labels, n_boot=50)
    assert np.all((low[:3] <= point[:3]) & (point[:3] <= high[:3])) and np.isnan(low[3])
    # The bootstrap weights the one ranking by draw counts: the same as resampling rows.
    drawn = rng.integers(0, 200, 200)
    order, positives, last = _ranked(scores, labels)
    counts = np.bincount(drawn, minlength=200).astype(float)
    by_counts = _ap_counted(positives, last, counts[order])
    np.testing.assert_allclose(by_counts[:3], average_precision(scores[drawn], labels[drawn])[:3])


def test_positive_weights_balance_and_cap() -> None:
    targets = torch.tensor([[1, 0, 1], [0, 0, 1], [0, 0, 1], [0, 1, 1]], dtype=torch.float32)
    assert positive_weights(targets, cap=2.0).tolist() == [2.0, 2.0, 1.0]


def test_bad_settings_are_one_line_errors(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(InputError, match="kind must be one of attribute, category"):
        FinetuneParams(kind="colour")
    with pytest.raises(InputError, match="epochs must be at least 1"):
        TrainSettings(kind="attribute", epochs=0)
    with pytest.raises(InputError, match="trainable layers 12 > the 9 tapped layers"):
        images, targets = _tiny_data()
        train(load_model(), images, targets,
              TrainSettings(kind="attribute", trainable_layers=12, input_size=32),
              checkpoint=Path("unused.ckpt"), identity={})
    with pytest.raises(StateError, match="scope_products"):
        run_finetune(con, FinetuneParams(kind="attribute", out_dir="unused"))


def test_random_init_lite0_records_its_lineage(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTRDB_CACHE_DIR", str(tmp_path))
    model = resolve_model(con, "efficientnet_lite0_random")
    assert model.weights_path.parent == (tmp_path / "weights").resolve()
    assert con.execute("SELECT kind, seed, weights_sha256 FROM model_lineage").fetchall() == [
        ("random_init", 0, sha256_file(model.weights_path))]


def test_cli_errors_are_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = [
        (["finetune", "--kind", "colour"], "kind must be one of attribute, category"),
        (["finetune", "--kind", "attribute", "--epochs", "0"], "epochs must be at least 1"),
        (["finetune", "--kind", "attribute"], "table 'scope_products' is empty"),
    ]
    for args, message in cases:
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(db_path), *args])
        assert exit_info.value.code == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err, err


def test_stage_interrupted_then_rerun_gives_the_uninterrupted_weights(
    text_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {**TINY, "kind": "attribute", "max_words": 6, "trainable_layers": 1,
                "input_size": 32, "epochs": 3}
    whole_path = copy_db(text_db, tmp_path, "whole.duckdb")
    con = connect(whole_path)
    try:
        whole = run_finetune(con, FinetuneParams(**settings, out_dir=str(tmp_path / "a" / "m")),
                             progress=False)
    finally:
        con.close()

    cut_path = copy_db(text_db, tmp_path, "cut.duckdb")
    params = FinetuneParams(**settings, out_dir=str(tmp_path / "b" / "m"))
    save = compute._save

    def save_then_ctrl_c(*args: object) -> None:
        save(*args)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # right after epoch 1's checkpoint is on disk

    con = connect(cut_path)
    try:
        monkeypatch.setattr(compute, "_save", save_then_ctrl_c)
        with pytest.raises(KeyboardInterrupt):
            run_finetune(con, params, progress=False)
        monkeypatch.setattr(compute, "_save", save)
        resumed = run_finetune(con, params, progress=False)
        statuses = con.execute("SELECT status FROM runs WHERE stage = 'finetune' "
                               "ORDER BY run_id").fetchall()
        epoch_runs = con.execute("SELECT epoch, run_id FROM finetune_epochs "
                                 "ORDER BY epoch").fetchall()
    finally:
        con.close()
    assert statuses == [("interrupted",), ("ok",)]
    assert resumed["resumed_from"] == 1
    assert [e for e, _ in epoch_runs] == [1, 2, 3] and epoch_runs[0][1] != epoch_runs[1][1]
    assert resumed["weights_sha256"] == whole["weights_sha256"]


def test_run_config_skips_an_unchanged_finetune_and_refuses_a_changed_one(
    text_db: Path, tmp_path: Path
) -> None:
    from attrdb.pipeline import config_from_dict, run_stages

    path = copy_db(text_db, tmp_path, "run.duckdb")
    table = {**TINY, "kind": "attribute", "max_words": 12, "out_dir": "models"}

    def run(values: dict[str, object]) -> list[str]:
        config = config_from_dict({"finetune": values}, base=tmp_path)
        return [o.action for o in run_stages(con, config, echo=lambda _: None)]

    con = connect(path)
    try:
        assert run(table) == ["ran"]
        assert (tmp_path / "models" / "efficientnet_lite0_attr.pth").is_file()
        assert run(table) == ["skipped"]
        with pytest.raises(StateError, match="'efficientnet_lite0_attr' is already registered"):
            run({**table, "epochs": 1})
        assert run({**table, "epochs": 1, "model_id": "lite0_attr_1"}) == ["ran"]
    finally:
        con.close()
