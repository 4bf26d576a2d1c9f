"""attrdb report: one self-contained HTML page that renders with any subset of stages done."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.pipeline import config_from_dict, run_pipeline
from attrdb.report import build_report, write_report
from attrdb.report import html as h
from attrdb.report.sections import SECTIONS
from tests.conftest import copy_db

SECTION_IDS = [
    "dataset", "vocabulary", "visualness", "agreement", "layers", "layer-magnitude",
    "layer-correlation", "purifier", "metadata", "compare", "saliency", "saliency-curves",
    "phrases", "neighbours", "time-trends", "runs",
]


def _report(db: Path, out: Path) -> tuple[str, dict[str, str]]:
    result = write_report(db, out)
    assert not result.failures, result.failures
    return out.read_text(encoding="utf-8"), result.statuses


def test_every_section_is_listed() -> None:
    assert len(SECTIONS) == len(SECTION_IDS)


def test_empty_database_renders_every_section_as_absent(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    result = build_report(con, tmp_path / "r.html")
    assert list(result.statuses) == SECTION_IDS
    assert set(result.statuses.values()) == {"absent"}
    text = (tmp_path / "r.html").read_text()
    assert "No products ingested yet" in text and "run `attrdb ingest`" in text


def test_ingested_only(ingested_db: Path, tmp_path: Path) -> None:
    text, statuses = _report(ingested_db, tmp_path / "r.html")
    assert statuses["dataset"] == "ok"
    assert {s for k, s in statuses.items() if k not in ("dataset", "runs")} == {"absent"}
    assert ">949<" in text  # products accepted
    assert "Near-duplicates not removed yet" in text


def test_after_text_stages(text_db: Path, tmp_path: Path) -> None:
    text, statuses = _report(text_db, tmp_path / "r.html")
    assert statuses["dataset"] == statuses["vocabulary"] == statuses["runs"] == "ok"
    assert statuses["visualness"] == "absent"
    assert "Near-duplicate removal" in text and "share removed" in text
    con = connect(text_db, read_only=True)
    top = con.execute(
        "SELECT word FROM vocabulary WHERE scope = 'default' ORDER BY rank LIMIT 1"
    ).fetchall()[0][0]
    summary = con.execute(
        "SELECT summary FROM runs WHERE stage = 'vocab' AND scope = 'default' "
        "ORDER BY run_id DESC LIMIT 1").fetchall()[0][0]
    con.close()
    assert f'<span class="w">{h.esc(top)} <small>' in text
    dropped = json.loads(summary)["location_words_dropped"]
    assert {"front", "inner"} <= set(dropped)  # the sample's listings place parts
    assert "Left out as location words" in text and ", ".join(dropped) + ".</p>" in text


def test_after_extraction(extracted_db: Path, tmp_path: Path) -> None:
    text, statuses = _report(extracted_db, tmp_path / "r.html")
    assert statuses["visualness"] == "absent"
    assert "Visualness has not been measured yet" in text
    assert "efficientnet_lite0" in text


# Sweeps this coarse take a few forward passes per image (9 patch positions).
COARSE = {"patches": [96], "stride": 64, "mean_images": 20}


@pytest.fixture(scope="module")
def full_db(visualness_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """visualness_db plus human scores, agreement and saliency maps, run by `attrdb run`.

    No real crowd votes exist offline: the per-word human scores are a constructed stand-in
    (a fixed function of the word's resample accuracy plus noise), only so the sections
    that need human data render from real stage output.
    """
    folder = tmp_path_factory.mktemp("report_full")
    path = copy_db(visualness_db, folder, "full.duckdb")
    con = connect(path, read_only=True)
    scored = con.execute(
        "SELECT word, accuracy FROM visualness WHERE method = 'resample' "
        "AND accuracy IS NOT NULL ORDER BY word"
    ).fetchall()
    con.close()
    noise = [0.13, -0.08, 0.05, -0.11, 0.02, 0.09, -0.04, 0.07, -0.02, 0.11, -0.06, 0.03]
    human = folder / "human_scores.csv"
    human.write_text("word,score\n" + "".join(
        f"{w},{min(1.0, max(0.0, 2 * (a - 0.5) + noise[i % len(noise)])):.3f}\n"
        for i, (w, a) in enumerate(scored)))
    config = config_from_dict({
        "pipeline": {"publish": False},
        "metadata_check": {"attributes": {"colour": "base_colour",
                                          "pattern": "article_attributes.Pattern"}},
        "human": {"path": str(human)},
        "agreement": {},
        "saliency": {"n_words": 1, "limit": 2, "ks": [1, 8], "settings": COARSE,
                     "progress": False},
    }, base=folder)
    result = run_pipeline(path, config, echo=lambda _: None)
    assert [o.action for o in result.outcomes] == ["ran"] * 4
    return path


def test_full_report_has_every_section_but_the_evaluation(full_db: Path, tmp_path: Path) -> None:
    text, statuses = _report(full_db, tmp_path / "r.html")
    absent = {k for k, v in statuses.items() if v != "ok"}
    # phrases, neighbours and time windows are not part of `attrdb run` (their own test
    # files render their sections), nor a second feature set (tests/test_compare.py).
    assert absent == {"saliency-curves", "compare", "phrases", "neighbours", "time-trends"}
    assert "most visual" in text and "least visual" in text
    # The fixtures' default scope has the paper's options (tests/conftest.py).
    assert "<p>Negatives: random products of the scope (the paper).</p>" in text
    assert "Pearson, max KL" not in text  # plot labels live inside the PNG, not the page
    con = connect(full_db, read_only=True)
    n_maps, n_agree, stages = con.execute(
        "SELECT (SELECT count(*) FROM saliency_maps), (SELECT count(*) FROM agreement), "
        "(SELECT list(stage ORDER BY run_id) FROM runs WHERE inputs_fingerprint LIKE 'p:%')"
    ).fetchall()[0]
    con.close()
    assert n_maps > 0 and n_agree > 0
    assert stages == ["metadata_check", "human_import", "agreement", "saliency"]
    # Two images, each shown plain and under kl_occlusion K=1, K=8 and gradient maps.
    assert text.count('<figure class="wide"') == 2 * 4


def test_saliency_evaluation_section_on_ccp(ccp_db: Path, shared_data: Path,
                                            tmp_path: Path) -> None:
    path = copy_db(ccp_db, tmp_path, "ccp.duckdb")
    config = config_from_dict({
        "pipeline": {"publish": False},
        "evaluate": {"ccp_dir": str(shared_data / "ccp"), "n_words": 2, "n_images": 2,
                     "ks": [1, 8], "settings": COARSE, "progress": False},
    }, base=tmp_path)
    run_pipeline(path, config, echo=lambda _: None)
    text, statuses = _report(path, tmp_path / "r.html")
    assert statuses["saliency-curves"] == "ok"
    assert "mean average precision" in text


def test_page_is_self_contained(text_db: Path, tmp_path: Path) -> None:
    text, _ = _report(text_db, tmp_path / "r.html")
    references = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert references
    assert all(r.startswith(("data:", "#")) for r in references), [
        r for r in references if not r.startswith(("data:", "#"))][:3]
    assert "<script" not in text and "<link" not in text and "url(" not in text
    for uri in re.findall(r'src="data:image/(?:png|jpeg);base64,([^"]+)"', text):
        assert base64.b64decode(uri, validate=True)[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0")


def test_database_text_is_escaped() -> None:
    cell = h.table([{"word": "<script>alert(1)</script>", "n": 3}])
    assert "<script>" not in cell and "&lt;script&gt;" in cell
    assert 'title="a&quot;b"' in h.figure(None, "c", title='a"b')


def test_report_command_prints_the_path(ingested_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    result = CliRunner().invoke(app, ["--db", str(ingested_db), "report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    assert out.is_file() and "section vocabulary: absent" in result.stderr


def test_unknown_model_is_one_line_error(
    ingested_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(ingested_db), "report", "--out", str(tmp_path / "r.html"),
              "--model", "nope"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: model 'nope' is not registered") and "\n" not in err


# --- In a real browser -------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
# Appended to a copy of the page only: reports whether every embedded image decoded.
_PROBE = (
    "<script>document.body.dataset.images = Array.from(document.images).every("
    "i => i.complete && i.naturalWidth > 0) ? 'ok' : 'broken';"
    "document.body.dataset.nimages = document.images.length;</script>"
)


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
        "--virtual-time-budget=5000", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_report_renders_in_chromium(full_db: Path, tmp_path: Path) -> None:
    text, statuses = _report(full_db, tmp_path / "report.html")
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")

    dom = _chromium(["--dump-dom", probe.as_uri()], tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert 'data-images="ok"' in dom.stdout
    for section in SECTION_IDS:
        assert f'<section id="{section}" data-status="{statuses[section]}">' in dom.stdout

    shot = tmp_path / "report.png"  # kept under pytest's tmp folder for a look
    taken = _chromium(["--window-size=1280,2400", f"--screenshot={shot}",
                       (tmp_path / "report.html").as_uri()], tmp_path / "profile-shot")
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.read_bytes()[:4] == b"\x89PNG" and shot.stat().st_size > 20_000
