"""attrdb serve: pages over the documented views, links, confinement, refusals, snapshots."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from attrdb.cli import app, main
from attrdb.connection import connect
from attrdb.explorer.images import ThumbnailCache, confined_path
from attrdb.explorer.source import Reader
from attrdb.snapshot import publish_file
from tests.conftest import copy_db

# Sweeps this coarse take a few forward passes per image (9 patch positions).
COARSE = {"patches": (96,), "stride": 64, "mean_images": 20}


@pytest.fixture(scope="module")
def explorer_db(visualness_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """visualness_db plus coarse saliency maps of one word on two test images."""
    from attrdb.saliency.compute import SweepSettings
    from attrdb.saliency.stage import run_saliency

    path = copy_db(visualness_db, tmp_path_factory.mktemp("explorer"), "explorer.duckdb")
    con = connect(path)
    run_saliency(con, words=["black"], limit=2, ks=(1, 8), settings=SweepSettings(**COARSE),
                 progress=False)
    con.close()
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The browser test's page framing every page kind; the test server adds it beside the
# explorer's routes (same origin, so its script may read the frames' documents).
FRAMES_PATH = "/__test_frames"


@pytest.fixture(scope="module")
def server(explorer_db: Path) -> Iterator[str]:
    """The explorer of explorer_db served by uvicorn in a thread; yields its base URL."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Mount, Route

    from attrdb.explorer.app import create_app

    def frames(request: Request) -> HTMLResponse:
        return HTMLResponse(_frames_page(request.query_params.getlist("page")))

    app = Starlette(routes=[Route(FRAMES_PATH, frames),
                            Mount("/", app=create_app(Reader(explorer_db)))])
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False)
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "the explorer did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(10)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("content-type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("content-type", ""), exc.read()


def _page(url: str) -> str:
    status, kind, body = _get(url)
    assert status == 200, (url, body[:500])
    assert kind.startswith("text/html")
    return body.decode("utf-8")


def _links(html: str, prefix: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)
            if unescape(h).startswith(prefix)]


def _page_urls(base: str) -> dict[str, str]:
    """One URL of every page kind, found by following links from the vocabulary."""
    vocabulary = _page(f"{base}/vocabulary")
    word_url = next(u for u in _links(vocabulary, "/word?word=black&"))
    word = _page(base + word_url)
    unit_url = _links(word, "/unit?")[0]
    image_url = _links(word, "/image?")[0]
    return {"overview": "/", "vocabulary": "/vocabulary", "word": word_url,
            "unit": unit_url, "image": image_url, "compare": "/compare"}


def test_links_round_trip_word_unit_word(server: str) -> None:
    word = _page(f"{server}/word?word=black")
    units = _links(word, "/unit?")
    assert len(units) == 100  # the word's prime units, each linked
    unit = _page(server + units[0])
    assert "/word?word=black&amp;" in unit  # back to the word, among the unit's words
    back = _page(server + _links(unit, "/word?word=black&")[0])
    assert units[0].replace("&", "&amp;") in back
    # The unit page draws the word's D+ / D- histogram and its top-activating images.
    assert "<svg" in unit and unit.count("/file/image?product=") == 24


def test_every_page_and_image_answers(server: str) -> None:
    for kind, path in _page_urls(server).items():
        html = _page(server + path)
        assert "queried in" in html, kind
        sources = sorted({unescape(s) for s in re.findall(r'src="(/file/[^"]+)"', html)})
        # The first images and every saliency overlay (each image request re-checks its root).
        for src in sources[:3] + [s for s in sources[3:] if s.startswith("/file/saliency")]:
            status, media, body = _get(server + src)
            assert status == 200 and media == "image/jpeg" and body[:3] == b"\xff\xd8\xff", src


def test_word_page_shows_scores_support_depth_and_saliency(server: str) -> None:
    html = _page(f"{server}/word?word=black&method=resample")
    assert "Perceptual depth" in html and "Prime units by layer" in html
    assert "confident positive" in html and "likely false positive" in html
    # Saliency maps of the chosen image: K=1, K=8 and the gradient baseline.
    assert html.count("/file/saliency?") == 3 and "K=8" in html


def test_vocabulary_sorts_and_filters(server: str) -> None:
    html = _page(f"{server}/vocabulary?sort=word&order=asc")
    words = [unescape(w) for w in re.findall(r'<td><a href="/word\?word=([^&"]+)&', html)]
    assert words == sorted(words) and "black" in words
    kinds = _page(f"{server}/vocabulary?kind=adjective")
    assert "black" in kinds
    status, _, body = _get(f"{server}/vocabulary?layer=no-such-layer")
    assert status == 404 and b"no-such-layer" in body


@pytest.mark.parametrize("path", [
    "/vocabulary?sql=SELECT+1",
    "/word?word=black&query=SELECT+*+FROM+products",
    "/?file=/etc/passwd",
    "/file/image?path=/etc/passwd",
    "/vocabulary?sort=word;DROP+TABLE+products",
    "/unit?unit=1+OR+1=1",
    "/word?word=black&word=red",
])
def test_request_sql_and_unknown_parameters_are_refused(server: str, path: str) -> None:
    status, _, body = _get(server + path)
    assert status == 400, body[:300]


@pytest.mark.parametrize("path", [
    "/file/image?product=../../../../etc/passwd",
    "/file/image?product=/etc/passwd",
    "/word?word=black'+OR+'1'='1",
    "/image?product=1+OR+1=1",
    "/etc/passwd",
    "/static/../../etc/passwd",
    "/file/%2e%2e/%2e%2e/etc/passwd",
])
def test_request_paths_serve_nothing(server: str, path: str) -> None:
    status, _, body = _get(server + path)
    assert status == 404, body[:300]
    assert b"root:" not in body


def test_image_outside_its_root_is_not_served(explorer_db: Path, tmp_path: Path) -> None:
    path = copy_db(explorer_db, tmp_path, "moved.duckdb")
    con = duckdb.connect(str(path))
    product = con.execute("SELECT min(product_id) FROM products").fetchall()[0][0]
    con.execute("UPDATE products SET image_path = '/etc/passwd' WHERE product_id = ?", [product])
    con.close()
    from starlette.testclient import TestClient

    from attrdb.explorer.app import create_app

    with TestClient(create_app(Reader(path))) as client:
        response = client.get("/file/image", params={"product": product})
    assert response.status_code == 404 and "inside its images root" in response.text


def test_catalogue_text_is_escaped(explorer_db: Path, tmp_path: Path) -> None:
    path = copy_db(explorer_db, tmp_path, "hostile.duckdb")
    con = duckdb.connect(str(path))
    product = con.execute("SELECT min(product_id) FROM products").fetchall()[0][0]
    con.execute("UPDATE products SET title = '<script>alert(1)</script>', "
                "shop = '\" onmouseover=\"x' WHERE product_id = ?", [product])
    con.close()
    from starlette.testclient import TestClient

    from attrdb.explorer.app import create_app

    with TestClient(create_app(Reader(path))) as client:
        page = client.get("/image", params={"product": product}).text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover="x' not in page and "&#34; onmouseover=&#34;x" in page


def test_confinement_resolves_links_and_dots(tmp_path: Path) -> None:
    root = tmp_path / "images"
    (root / "sub").mkdir(parents=True)
    inside = root / "sub" / "a.jpg"
    inside.write_bytes(b"x")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "link.jpg").symlink_to(outside)
    assert confined_path(str(inside), str(root)) == inside.resolve()
    assert confined_path(str(root / "sub" / ".." / "sub" / "a.jpg"), str(root)) is not None
    for bad in [root / ".." / "secret.txt", outside, root / "link.jpg", root / "sub", root,
                root / "missing.jpg"]:
        assert confined_path(str(bad), str(root)) is None, bad
    assert confined_path(None, str(root)) is None
    assert confined_path(str(inside), None) is None


def test_thumbnails_are_cached(sample: Path) -> None:
    cache = ThumbnailCache()
    image = next((sample / "images").glob("*.jpg"))
    first = cache.thumbnail(image, 64)
    assert first is not None and first[:3] == b"\xff\xd8\xff"
    assert cache.thumbnail(image, 64) is first


def test_histogram_view_matches_numpy_and_the_divergence_support(explorer_db: Path) -> None:
    con = connect(explorer_db, read_only=True)
    unit_id, n_pos, n_neg = con.execute(
        "SELECT d.unit_id, d.n_pos, d.n_neg FROM prime_units AS p JOIN unit_word_divergence AS d "
        "USING (model_id, scope, word, unit_id) WHERE p.word = 'black' AND p.rank = 1"
    ).fetchall()[0]
    # The divergence run's split: one, or several joined by '+' (default train+val).
    split = con.execute(
        "SELECT json_extract_string(params, '$.split') FROM latest_runs "
        "WHERE stage = 'divergence' AND scope = 'default'").fetchall()[0][0]
    bins = con.execute(
        "SELECT bin, sum(n_pos), sum(n_neg) FROM explorer_unit_histogram WHERE word = 'black' "
        "AND unit_id = ? AND list_contains(string_split(?, '+'), split) GROUP BY bin "
        "ORDER BY bin", [unit_id, split]).fetchall()
    edges, values, positive = con.execute(
        "SELECT any_value(b.edges), list(v.vals[b.unit_id + 1]), "
        "list(EXISTS (SELECT 1 FROM word_products AS w WHERE w.scope = 'default' "
        "AND w.word = 'black' AND w.product_id = v.product_id)) "
        "FROM unit_bins AS b JOIN scope_products AS sp ON sp.scope = b.scope "
        "JOIN splits AS s ON s.product_id = sp.product_id "
        "AND list_contains(string_split(?, '+'), s.split) "
        "JOIN activation_vectors AS v ON v.product_id = sp.product_id "
        "WHERE b.scope = 'default' AND b.unit_id = ?", [split, unit_id]).fetchall()[0]
    negatives = con.execute(
        "SELECT json_extract_string(params, '$.scope_definition.negatives') FROM latest_runs "
        "WHERE stage = 'divergence' AND scope = 'default'").fetchall()[0][0]
    con.close()
    values, positive = np.asarray(values), np.asarray(positive)
    expected_pos, _ = np.histogram(values[positive], bins=np.asarray(edges))
    expected_neg, _ = np.histogram(values[~positive], bins=np.asarray(edges))
    got_pos = np.zeros(len(edges) - 1, dtype=int)
    got_neg = np.zeros(len(edges) - 1, dtype=int)
    for b, p, n in bins:
        got_pos[b], got_neg[b] = p, n
    assert (got_pos == expected_pos).all() and (got_neg == expected_neg).all()
    if negatives == "random":
        assert (got_pos.sum(), got_neg.sum()) == (n_pos, n_neg)
    else:  # category-matched: the stage leaves out positives and negatives of lone categories
        assert negatives == "category_matched"
        assert got_pos.sum() >= n_pos and got_neg.sum() >= n_neg


def _hold_database(path: Path) -> subprocess.Popen[str]:
    """A second process holding ``path`` open for writing, as a running stage does."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
         "sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    return holder


# Opens the database for writing again and again, as stages starting one after another do,
# and commits a 'running' row each time; exits 1 at the first open that is refused.
_WRITER = """
import sys, time, duckdb
for i in range(int(sys.argv[2])):
    try:
        con = duckdb.connect(sys.argv[1])
    except duckdb.Error as exc:
        print(exc, flush=True)
        sys.exit(1)
    con.execute("INSERT INTO runs (stage, scope, attrdb_version, status) "
                "VALUES ('probe_' || ?, 'default', 'test', 'running')", [str(i)])
    con.close()
    time.sleep(0.05)
"""


def test_writers_open_the_database_while_pages_are_served(
    explorer_db: Path, tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from attrdb.explorer.app import create_app

    path = copy_db(explorer_db, tmp_path, "busy.duckdb")
    statuses: list[int] = []
    stop = threading.Event()
    with TestClient(create_app(Reader(path))) as client:
        def browse() -> None:
            while not stop.is_set():
                for page in ("/", "/vocabulary", "/word?word=black"):
                    statuses.append(client.get(page).status_code)

        browser = threading.Thread(target=browse)
        browser.start()
        try:
            writer = subprocess.run([sys.executable, "-c", _WRITER, str(path), "12"],
                                    capture_output=True, text=True, timeout=120, check=False)
        finally:
            stop.set()
            browser.join(60)
        assert writer.returncode == 0, writer.stdout + writer.stderr
        assert len(statuses) >= 3 and set(statuses) == {200}
        # While a stage holds the file, pages show what it has committed (live overview).
        holder = _hold_database(path)
        try:
            deadline = time.monotonic() + 20  # copies are taken at most every 2 s
            overview = client.get("/")
            while "probe_11" not in overview.text and time.monotonic() < deadline:
                time.sleep(0.5)
                overview = client.get("/")
            assert overview.status_code == 200 and "probe_11" in overview.text
            assert 'http-equiv="refresh"' in overview.text  # 'running' rows: it reloads
        finally:
            holder.communicate("")


def test_the_published_snapshot_serves_while_no_copy_settles(
    explorer_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from attrdb.explorer.app import create_app

    path = copy_db(explorer_db, tmp_path, "churning.duckdb")
    ticks = iter(range(1_000_000))
    # Files whose state differs at every look: no copy is ever known to be consistent.
    monkeypatch.setattr(Reader, "state", lambda self: ((next(ticks), 0), None))
    with TestClient(create_app(Reader(path))) as client:
        refused = client.get("/")
        assert refused.status_code == 503 and "no snapshot exists" in refused.text
        publish_file(path)
        for page in ("/", "/vocabulary", "/word?word=black"):
            response = client.get(page)
            assert response.status_code == 200, response.text[:300]
            assert "Showing the snapshot the writer published" in response.text


def test_serve_refuses_a_missing_database_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--db", str(tmp_path / "none.duckdb"), "serve"])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: no attrdb database") and "\n" not in err


def test_serve_help_names_the_loopback_default() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output


# --- In a real browser -------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")


# Once every frame has loaded, the framing page writes into its own DOM, for each page,
# whether the frame holds a rendered page and whether every image in it decoded.
_FRAMES_PROBE = (
    "<script>window.addEventListener('load', () => {"
    "document.body.dataset.pages = Array.from(document.querySelectorAll('iframe')).map(f => {"
    "const d = f.contentDocument;"
    "const rendered = d.body.textContent.includes('queried in');"
    "const images = Array.from(d.images).every(i => i.complete && i.naturalWidth > 0);"
    "return (rendered ? 'ok' : 'broken') + (images ? '' : '-images'); }).join(',');"
    "});</script>"
)


def _frames_page(pages: list[str]) -> str:
    frames = "".join(f'<iframe src="{escape(p)}" width="1200" height="2400"></iframe>'
                     for p in pages)
    return f"<!doctype html><html><body>{frames}{_FRAMES_PROBE}</body></html>"


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed")
def test_every_page_renders_in_chromium_without_console_errors(
    server: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    urls = _page_urls(server)
    framing = server + FRAMES_PATH + "?" + urlencode([("page", p) for p in urls.values()])
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000",
         "--dump-dom", framing],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    found = re.search(r'data-pages="([^"]*)"', done.stdout)
    assert found is not None, done.stdout[-1000:]
    assert dict(zip(urls, found.group(1).split(","), strict=True)) == dict.fromkeys(urls, "ok")
