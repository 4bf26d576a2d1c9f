"""Report options: which saliency examples are drawn, and what the metadata check compared."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app
from attrdb.errors import InputError
from attrdb.report import sections
from attrdb.report.sections import Context, SaliencyExamples

IMAGES = ["10053", "10184", "10185"]


def _with_maps(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    for i, pid in enumerate(IMAGES):
        con.execute(
            "INSERT INTO products (product_id, title, image_path, source, source_row) "
            "VALUES (?, ?, ?, 'test', ?)",
            [pid, f"item {pid}", str(sample / "images" / f"{pid}.jpg"), i + 1],
        )
    # Word "black" is mapped on all three images, "striped" on one: taking pairs in word
    # order would fill a count of 3 with "black" alone.
    maps = [("black", pid) for pid in IMAGES] + [("striped", IMAGES[2])]
    for word, pid in maps:
        con.execute(
            "INSERT INTO saliency_maps (model_id, scope, product_id, word, method, k, height, "
            "width, map) VALUES ('m', 'default', ?, ?, 'kl_occlusion', 8, 2, 2, "
            "[0.0, 0.5, 1.0, 0.25])",
            [pid, word],
        )


def _pairs(html: str) -> list[str]:
    return [part.split("</small>")[0] for part in html.split("<h3>")[1:]]


def test_saliency_examples_take_turns_across_words(
    con: duckdb.DuckDBPyConnection, sample: Path
) -> None:
    _with_maps(con, sample)
    body = sections.saliency(Context(con, "m", saliency=SaliencyExamples(count=2))).body
    assert _pairs(body) == ["black <small>· 10053", "striped <small>· 10185"]


def test_saliency_examples_restricted_to_chosen_words_and_images(
    con: duckdb.DuckDBPyConnection, sample: Path
) -> None:
    _with_maps(con, sample)
    chosen = SaliencyExamples(words=("black",), images=("10184", "10185"), count=5)
    body = sections.saliency(Context(con, "m", saliency=chosen)).body
    assert _pairs(body) == ["black <small>· 10184", "black <small>· 10185"]
    missing = sections.saliency(
        Context(con, "m", saliency=SaliencyExamples(words=("polka",)))
    )
    assert missing.status == "absent" and "--saliency-words" in missing.body


def test_metadata_section_names_the_columns_and_the_mapping(
    con: duckdb.DuckDBPyConnection,
) -> None:
    con.execute(
        "INSERT INTO runs (stage, scope, params, attrdb_version, status) VALUES "
        "('metadata_check', 'default', ?, 'test', 'ok')",
        [json.dumps({"model_id": "m", "match_field": "category", "ks": [10],
                     "attributes": {"colour": "base_colour",
                                    "pattern": "article_attributes.Pattern"}})],
    )
    for word in ("black", "blue"):
        con.execute(
            "INSERT INTO metadata_agreement (model_id, scope, method, attribute, path, word, k, "
            "n_ranked, n_agree, precision, base_rate, text_precision, n_text) VALUES "
            "('m', 'default', 'resample', 'colour', 'base_colour', ?, 10, 10, 6, 0.6, 0.2, "
            "0.5, 30)",
            [word],
        )
    body = sections.metadata(Context(con, "m")).body
    assert "catalogue column (products.metadata key)" in body
    assert "<td>base_colour</td>" in body and "<td>black, blue</td>" in body
    # Asked for but matched by no vocabulary word: still named, with why.
    assert "<td>article_attributes.Pattern</td>" in body and "no vocabulary word" in body
    assert "<code>category</code>" in body


def test_report_refuses_a_zero_example_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "x.duckdb"), "report", "--saliency-count", "0"]
    )
    assert result.exit_code == 1
    assert isinstance(result.exception, InputError) and "at least 1" in str(result.exception)


def test_saliency_example_count_validated_in_python() -> None:
    with pytest.raises(InputError):
        SaliencyExamples(count=0)
