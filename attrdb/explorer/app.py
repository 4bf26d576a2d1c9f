"""The explorer web application (Starlette + Jinja2): pages over the documented views.

Every page is one or more ``sql/explorer/*.sql`` queries with bound parameters; requests
choose among values that exist in the database (models, scopes, methods, words, units,
products) and never supply SQL, a table name or a file path. A query parameter a page does
not know is refused (400), so nothing a request adds is passed on silently.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from attrdb.context.scopes import DEFAULT_SCOPE
from attrdb.errors import AttrdbError, first_line
from attrdb.explorer.images import SIZES, ThumbnailCache, confined_path
from attrdb.explorer.queries import Row, one, rows
from attrdb.explorer.source import Reader, Source

# Columns of visualness / explorer_words the vocabulary page may be sorted by, when present.
SORTABLE = (
    "word", "vocabulary_rank", "n_products", "accuracy", "accuracy_low", "accuracy_high",
    "auc", "auc_low", "n_test", "n_test_pos", "max_kl", "max_kl_z", "n_prime_units",
    "peak_layer_index",
    "mean_depth", "h", "rank_sd",
)
# Columns shown by name on the vocabulary and word pages; other numeric columns a later
# migration adds are shown after them under their own names.
_KNOWN = {
    "word", "kind", "vocabulary_rank", "n_products", "n_kind", "max_kl", "max_kl_z",
    "n_prime_units",
    "peak_layer", "peak_layer_index", "peak_relative", "mean_depth", "h", "method",
    "accuracy", "accuracy_low", "accuracy_high", "auc", "auc_low", "auc_high", "n_train",
    "n_test", "n_test_pos", "n_test_neg", "seed", "n_units", "params", "run_id", "n_seeds",
    "rank_mean", "rank_sd", "rank_min", "rank_max", "score_mean", "score_sd",
}
PURIFIER_PER_KIND = 6
TOP_IMAGES = 24
TOP_WORDS = 20
RUNS_SHOWN = 40
# Image lookups kept per database state (a product id and two paths each).
MAX_PATHS = 200_000
MAX_LOOKUPS = 1_000
# While a stage runs (or the snapshot is read) the overview reloads itself this often.
REFRESH_S = 5


@dataclass(frozen=True)
class Selection:
    """The model, scope and method a page shows, resolved against the database."""

    models: list[Row]
    scopes: list[Row]
    model: str | None
    scope: str
    methods: list[str]
    method: str | None


def url(path: str, **params: Any) -> str:
    """``path?params`` with the None values left out (the page's defaults)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def _number(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _age(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _extra_columns(found: list[Row]) -> list[str]:
    """Numeric columns of ``found`` that no page names (added by later migrations)."""
    if not found:
        return []
    return [
        name for name, value in found[0].items()
        if name not in _KNOWN and (value is None or isinstance(value, (int, float)))
        and any(isinstance(r[name], (int, float)) for r in found)
    ]


class Explorer:
    """The pages, bound to one database.

    Args:
        reader: opens the database (or its snapshot) per request.
        cache: thumbnails and saliency overlays already rendered.
    """

    def __init__(self, reader: Reader, cache: ThumbnailCache | None = None) -> None:
        self.reader = reader
        self.cache = cache or ThumbnailCache()
        self.env = Environment(
            loader=PackageLoader("attrdb.explorer", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals["url"] = url
        self.env.filters["num"] = _number
        self.env.filters["age"] = _age
        self.env.filters["clock"] = lambda t: time.strftime("%H:%M:%S", time.localtime(t))
        self._lock = threading.Lock()
        self._paths: dict[str, tuple[str | None, str | None]] = {}
        self._paths_state: tuple[object, ...] | None = None
        self._lookups: dict[tuple[object, ...], list[Row]] = {}

    # --- plumbing -------------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every route; each page has one stable path and documented parameters."""
        return [
            Route("/", self.overview),
            Route("/vocabulary", self.vocabulary),
            Route("/word", self.word),
            Route("/unit", self.unit),
            Route("/image", self.image),
            Route("/compare", self.compare),
            Route("/file/image", self.image_file),
            Route("/file/saliency", self.saliency_file),
        ]

    def render(self, name: str, source: Source, started: float, **context: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(
            source=source, elapsed_ms=(time.perf_counter() - started) * 1000, **context)
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    def error_page(self, status: int, message: str) -> HTMLResponse:
        html = self.env.get_template("error.html").render(status=status, message=message)
        return HTMLResponse(html, status_code=status)

    @staticmethod
    def params(request: Request, allowed: set[str], required: tuple[str, ...] = ()
               ) -> dict[str, str]:
        """The query parameters, refusing unknown or repeated names and missing required ones."""
        seen: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            if key not in allowed:
                raise HTTPException(
                    400, f"unknown parameter {key!r}; this page takes "
                         f"{', '.join(sorted(allowed)) or 'no parameters'}")
            if key in seen:
                raise HTTPException(400, f"parameter {key!r} given twice")
            seen[key] = value
        for key in required:
            if not seen.get(key):
                raise HTTPException(400, f"parameter {key!r} is required")
        return seen

    def cached(self, source: Source, name: str, **params: Any) -> list[Row]:
        """``rows`` of a small lookup query (models, scopes, methods), kept while the same
        copy of the database is read: every page asks for them."""
        key = (source.copied_at, source.is_snapshot, name, tuple(sorted(params.items())))
        with self._lock:
            found = self._lookups.get(key)
        if found is None:
            found = rows(source.con, name, **params)
            with self._lock:
                if len(self._lookups) > MAX_LOOKUPS:
                    self._lookups.clear()
                self._lookups[key] = found
        return found

    def select(self, source: Source, given: Mapping[str, str], *, model_key: str = "model",
               scope_key: str = "scope") -> Selection:
        """Resolve model, scope and method; a value that does not exist is a 404."""
        models = self.cached(source, "models")
        scopes = self.cached(source, "scopes")
        model = given.get(model_key) or (models[0]["model_id"] if models else None)
        if model is not None and model not in {m["model_id"] for m in models}:
            raise HTTPException(404, f"model {model!r} is not registered")
        scope = given.get(scope_key) or DEFAULT_SCOPE
        if scope not in {s["scope"] for s in scopes}:
            raise HTTPException(404, f"scope {scope!r} is not defined")
        methods = [r["method"] for r in self.cached(source, "methods", model_id=model,
                                                    scope=scope)]
        method = given.get("method") or (methods[0] if methods else None)
        if given.get("method") and method not in methods:
            raise HTTPException(
                404, f"method {method!r} has no scores for model {model!r} in scope {scope!r}")
        return Selection(models, scopes, model, scope, methods, method)

    # --- pages ----------------------------------------------------------------------

    def overview(self, request: Request) -> Response:
        """The dataset, the stages and their runs; reloads itself while a stage runs."""
        started = time.perf_counter()
        self.params(request, set())
        with self.reader.open() as source:
            con = source.con
            summary = one(con, "summary")
            latest = rows(con, "latest_runs")
            runs = rows(con, "runs", limit=RUNS_SHOWN)
            models = rows(con, "models")
            scopes = rows(con, "scopes")
        running = not source.current or any(r["status"] == "running" for r in latest)
        return self.render("overview.html", source, started, summary=summary, latest=latest,
                           runs=runs, models=models, scopes=scopes,
                           refresh=REFRESH_S if running else None)

    def vocabulary(self, request: Request) -> Response:
        """Every word of a (model, scope) with scores, support, intervals and depth."""
        started = time.perf_counter()
        given = self.params(request, {"model", "scope", "method", "kind", "layer", "sort",
                                      "order"})
        with self.reader.open() as source:
            con = source.con
            sel = self.select(source, given)
            kinds = [r["kind"] for r in rows(con, "kinds", scope=sel.scope)]
            layers = rows(con, "layers", model_id=sel.model)
            kind, layer = given.get("kind"), given.get("layer")
            if kind and kind not in kinds:
                raise HTTPException(404, f"kind {kind!r} is not in scope {sel.scope!r}")
            if layer and layer not in {r["layer"] for r in layers}:
                raise HTTPException(404, f"layer {layer!r} is not a layer of {sel.model!r}")
            words = rows(con, "vocabulary", model_id=sel.model, scope=sel.scope,
                         method=sel.method, kind=kind or None, layer=layer or None)
        present = set(words[0]) if words else {"word"}
        sort = given.get("sort") or next(
            (c for c in ("auc_low", "accuracy_low", "accuracy") if any(w.get(c) is not None
                                                           for w in words)),
            "vocabulary_rank")
        if sort not in SORTABLE or sort not in present:
            raise HTTPException(400, f"cannot sort by {sort!r}; sort by one of "
                                     f"{', '.join(c for c in SORTABLE if c in present)}")
        order = given.get("order") or ("asc" if sort in {"word", "vocabulary_rank",
                                                          "peak_layer_index"} else "desc")
        if order not in {"asc", "desc"}:
            raise HTTPException(400, "order is asc or desc")
        known = [w for w in words if w[sort] is not None]
        known.sort(key=lambda w: w[sort], reverse=order == "desc")
        words = known + [w for w in words if w[sort] is None]
        return self.render(
            "vocabulary.html", source, started, sel=sel, words=words, kinds=kinds,
            layers=layers, kind=kind, layer=layer, sort=sort, order=order,
            sortable=[c for c in SORTABLE if c in present], extra=_extra_columns(words),
            has=present)

    def word(self, request: Request) -> Response:
        """One word: scores, D+, prime units by layer, depth, neighbours, purifier, saliency."""
        started = time.perf_counter()
        given = self.params(request, {"model", "scope", "method", "word", "image"}, ("word",))
        text = given["word"]
        with self.reader.open() as source:
            con = source.con
            sel = self.select(source, given)
            keys = {"model_id": sel.model, "scope": sel.scope, "word": text}
            info = one(con, "word", **keys)
            if info is None:
                raise HTTPException(404, f"word {text!r} has no results for model "
                                         f"{sel.model!r} in scope {sel.scope!r}")
            scores = rows(con, "word_scores", **keys)
            depth = rows(con, "word_depth", **keys)
            units = rows(con, "word_prime_units", **keys)
            neighbours = rows(con, "word_neighbours", n=8, **keys)
            purifier = (rows(con, "word_purifier", method=sel.method, n=PURIFIER_PER_KIND,
                             **keys) if sel.method else [])
            maps_on = rows(con, "word_saliency_images", **keys)
            chosen = given.get("image") or (maps_on[0]["product_id"] if maps_on else None)
            if chosen is not None and chosen not in {m["product_id"] for m in maps_on}:
                raise HTTPException(404, f"no saliency map of {text!r} on image {chosen!r}")
            maps = (rows(con, "saliency_maps", model_id=sel.model, scope=sel.scope,
                         product_id=chosen, word=text) if chosen else [])
        by_layer: dict[str, list[Row]] = {}
        for unit in units:
            by_layer.setdefault(unit["layer"], []).append(unit)
        kinds: dict[str, list[Row]] = {}
        for row in purifier:
            kinds.setdefault(row["kind"], []).append(row)
        return self.render(
            "word.html", source, started, sel=sel, word=text, info=info, scores=scores,
            score_extra=_extra_columns(scores), depth=depth, by_layer=by_layer,
            unit_extra=[c for c in _extra_columns(units)
                        if c not in {"rank", "unit_id", "layer_index", "channel", "kl",
                                     "n_pos", "n_neg"}],
            neighbours=neighbours, purifier=kinds, maps_on=maps_on, chosen=chosen, maps=maps)

    def unit(self, request: Request) -> Response:
        """One unit: top images, the words it is prime for, D+ vs D- histogram of a word."""
        started = time.perf_counter()
        given = self.params(request, {"model", "scope", "unit", "word"}, ("unit",))
        try:
            unit_id = int(given["unit"])
        except ValueError:
            raise HTTPException(400, "unit is a unit id (an integer)") from None
        with self.reader.open() as source:
            con = source.con
            sel = self.select(source, given)
            info = one(con, "unit", model_id=sel.model, unit_id=unit_id)
            if info is None:
                raise HTTPException(404, f"model {sel.model!r} has no unit {unit_id}")
            top = rows(con, "unit_top_images", model_id=sel.model, unit_id=unit_id,
                       n=TOP_IMAGES)
            words = rows(con, "unit_words", model_id=sel.model, scope=sel.scope,
                         unit_id=unit_id)
            word = given.get("word") or (words[0]["word"] if words else None)
            split_row = one(con, "divergence_split", scope=sel.scope)
            split = (split_row or {}).get("split") or "train"
            histogram: list[Row] = []
            divergence = None
            if word is not None:
                if one(con, "word", model_id=sel.model, scope=sel.scope, word=word) is None:
                    raise HTTPException(404, f"word {word!r} has no results for model "
                                             f"{sel.model!r} in scope {sel.scope!r}")
                histogram = rows(con, "unit_histogram", model_id=sel.model, scope=sel.scope,
                                 word=word, unit_id=unit_id, split=split)
                divergence = one(con, "unit_word_kl", model_id=sel.model, scope=sel.scope,
                                 word=word, unit_id=unit_id)
        peak = max([max(h["share_pos"] or 0, h["share_neg"] or 0) for h in histogram] or [0])
        return self.render("unit.html", source, started, sel=sel, unit=info, top=top,
                           words=words, word=word, split=split, histogram=histogram,
                           peak=peak or 1.0, divergence=divergence)

    def image(self, request: Request) -> Response:
        """One image: its text and tokens, the words predicted on it, its saliency maps."""
        started = time.perf_counter()
        given = self.params(request, {"model", "scope", "method", "product"}, ("product",))
        product_id = given["product"]
        with self.reader.open() as source:
            con = source.con
            sel = self.select(source, given)
            product = one(con, "product", product_id=product_id)
            if product is None:
                raise HTTPException(404, f"no accepted listing {product_id!r}")
            lines = rows(con, "product_lines", product_id=product_id)
            predicted = (rows(con, "product_words", model_id=sel.model, scope=sel.scope,
                              method=sel.method, product_id=product_id, n=TOP_WORDS)
                         if sel.method else [])
            maps = rows(con, "saliency_maps", model_id=sel.model, scope=sel.scope,
                        product_id=product_id, word=None)
        return self.render("image.html", source, started, sel=sel, product=product,
                           lines=lines, predicted=predicted, maps=maps)

    def compare(self, request: Request) -> Response:
        """Two (model, scope) pairs side by side on one method's scores."""
        started = time.perf_counter()
        given = self.params(request, {"model_a", "scope_a", "model_b", "scope_b", "method"})
        with self.reader.open() as source:
            con = source.con
            a = self.select(source, given, model_key="model_a", scope_key="scope_a")
            default_b = {k: v for k, v in given.items() if k != "method"}
            if "scope_b" not in given and "model_b" not in given:
                other = [s["scope"] for s in a.scopes if s["scope"] != a.scope]
                other_models = [m["model_id"] for m in a.models if m["model_id"] != a.model]
                if other:
                    default_b["scope_b"] = other[0]
                elif other_models:
                    default_b["model_b"] = other_models[0]
            b = self.select(source, {"model_b": default_b.get("model_b") or a.model or "",
                                  "scope_b": default_b.get("scope_b") or a.scope},
                            model_key="model_b", scope_key="scope_b")
            method = given.get("method") or a.method
            if given.get("method") and method not in set(a.methods) | set(b.methods):
                raise HTTPException(404, f"method {method!r} has no scores on either side")
            params = {"model_a": a.model, "scope_a": a.scope, "model_b": b.model,
                      "scope_b": b.scope, "method": method}
            table = rows(con, "compare", **params) if method else []
            summary = one(con, "compare_summary", **params) if method else None
        return self.render("compare.html", source, started, a=a, b=b, method=method,
                           methods=sorted(set(a.methods) | set(b.methods)), table=table,
                           summary=summary)

    # --- files ------------------------------------------------------------------------

    def _image_path(self, product_id: str) -> Path | None:
        """The confined image file of a listing; the lookup is kept while the database
        files are unchanged, so a page's thumbnails do not reopen the database each."""
        state = self.reader.state()
        with self._lock:
            if self._paths_state != state:
                self._paths, self._paths_state = {}, state
            known = self._paths.get(product_id)
        if known is None:
            with self.reader.open() as source:
                found = one(source.con, "image_file", product_id=product_id)
            if found is None:
                raise HTTPException(404, f"no accepted listing {product_id!r}")
            known = (found["image_path"], found["images_root"])
            with self._lock:
                if self._paths_state == state and len(self._paths) < MAX_PATHS:
                    self._paths[product_id] = known
        # The containment check runs on every request: the file system may have changed.
        return confined_path(*known)

    def image_file(self, request: Request) -> Response:
        """An accepted listing's image as a JPEG of a fixed size, from inside its root only."""
        given = self.params(request, {"product", "size"}, ("product",))
        size = SIZES.get(given.get("size") or "thumb")
        if size is None:
            raise HTTPException(400, f"size is one of {', '.join(SIZES)}")
        path = self._image_path(given["product"])
        if path is None:
            raise HTTPException(404, f"listing {given['product']!r} has no image inside its "
                                     "images root")
        data = self.cache.thumbnail(path, size)
        if data is None:
            raise HTTPException(404, f"the image of {given['product']!r} cannot be decoded")
        return Response(data, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})

    def saliency_file(self, request: Request) -> Response:
        """A saliency map drawn over its image (grey when the image is not servable)."""
        given = self.params(request, {"model", "scope", "product", "word", "method", "k",
                                      "size"}, ("model", "product", "word", "method"))
        size = SIZES.get(given.get("size") or "thumb")
        if size is None:
            raise HTTPException(400, f"size is one of {', '.join(SIZES)}")
        try:
            k = int(given["k"]) if given.get("k") else None
        except ValueError:
            raise HTTPException(400, "k is an integer") from None
        key = {"model_id": given["model"], "scope": given.get("scope") or DEFAULT_SCOPE,
               "product_id": given["product"], "word": given["word"],
               "method": given["method"], "k": k}
        with self.reader.open() as source:
            found = one(source.con, "saliency_map", **key)
        if found is None:
            raise HTTPException(404, "no such saliency map")
        path = self._image_path(given["product"])
        data = self.cache.overlay(path, tuple(key.values()), found["map"], found["height"],
                                  found["width"], size)
        if data is None:
            raise HTTPException(404, "the saliency map cannot be drawn")
        return Response(data, media_type="image/jpeg",
                        headers={"Cache-Control": "private, max-age=3600"})


def create_app(reader: Reader, cache: ThumbnailCache | None = None) -> Starlette:
    """The Starlette application serving ``reader``'s database."""
    explorer = Explorer(reader, cache)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return explorer.error_page(exc.status_code, str(exc.detail))

    async def attrdb_error(request: Request, exc: Exception) -> Response:
        # The database cannot be read now (locked without a snapshot, a query stopped at
        # its timeout, an old schema): one line, and the next request tries again.
        return explorer.error_page(503, first_line(exc))

    handlers: Mapping[Any, Callable[..., Any]] = {HTTPException: http_error,
                                                  AttrdbError: attrdb_error}
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        reader.close()  # the private copies go with the server

    app = Starlette(routes=explorer.routes(), exception_handlers=dict(handlers),
                    lifespan=lifespan)
    app.state.explorer = explorer
    return app
