"""The ASGI application: settings, the security and limit middleware, errors as 422s, the routers.

Every refusal has the body of :class:`~mgbrain.interfaces.web.schemas.ErrorBody`: a library
error (:class:`~mgbrain.errors.MgBrainError`) keeps its own fields, a request the schema
refuses names the field, what was expected and what was received. The limits: a request
body cap (413), a per-request time limit (503), the job queue's bound (429) and each job's
time limit; no CORS headers are sent, and every response carries the security headers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from mgbrain._version import __version__
from mgbrain.errors import MgBrainError
from mgbrain.interfaces.web.jobs import JobRunner

__all__ = ["WebSettings", "create_app", "SECURITY_HEADERS"]

#: Sent with every response. Scripts and styles only from the app itself (no inline script), no framing.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


@dataclass(frozen=True)
class WebSettings:
    """The server's limits. ``max_body_bytes`` holds a 200,000-character article in UTF-8 and its form."""

    max_body_bytes: int = 1_000_000
    request_time_limit_s: float = 60.0
    job_workers: int = 1
    job_queue: int = 8
    job_time_limit_s: float = 300.0


def _text(value: Any, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)[:limit + 1]
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"


_EXPECTED = {"missing": "present", "extra_forbidden": "no such field", "float_parsing": "a number",
             "float_type": "a number", "int_parsing": "an integer", "int_type": "an integer",
             "int_from_float": "an integer", "bool_parsing": "true or false", "bool_type": "true or false",
             "string_type": "text", "string_too_long": "shorter text", "list_type": "a list",
             "too_long": "a shorter list", "model_attributes_type": "an object", "dict_type": "an object",
             "finite_number": "a finite number", "json_invalid": "valid JSON", "model_type": "an object"}


def error_body(error: str, message: str, *, argument: str | None = None, expected: Any = None,
               received: Any = None, hint: str | None = None, errors: list | None = None) -> dict:
    return {"error": error, "message": message, "argument": argument,
            "expected": None if expected is None else str(expected), "received": _text(received),
            "hint": hint, "errors": errors or []}


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or "body"


def validation_body(exc: RequestValidationError) -> dict:
    items = []
    for e in exc.errors():
        kind = e.get("type", "")
        expected = _EXPECTED.get(kind)
        ctx = e.get("ctx") or {}
        if "max_length" in ctx:
            expected = f"at most {ctx['max_length']:,} {'characters' if kind.startswith('string') else 'items'}"
        items.append({"argument": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid"),
                      "expected": expected or e.get("msg"),
                      "received": None if kind == "missing" else _text(e.get("input"))})
    first = items[0] if items else {"argument": "body", "message": "invalid request", "expected": None,
                                    "received": None}
    return error_body("RequestError", str(first["message"]), argument=first["argument"], expected=first["expected"],
                      received=first["received"], errors=items)


class _Limits:
    """ASGI middleware: body cap (413), per-request time limit (503), security headers on every response."""

    def __init__(self, app: Any, settings: WebSettings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.decode("latin-1").lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        async def refuse(status: int, body: dict, extra: list | None = None) -> None:
            payload = json.dumps(body).encode()
            await send_with_headers({"type": "http.response.start", "status": status,
                                     "headers": [(b"content-type", b"application/json"),
                                                 (b"content-length", str(len(payload)).encode()), *(extra or [])]})
            await send({"type": "http.response.body", "body": payload})

        cap = self.settings.max_body_bytes
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_big = error_body("RequestError", "request body too large", argument="body",
                             expected=f"at most {cap:,} bytes")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = cap + 1
            if size > cap:
                await refuse(413, too_big | {"received": f"{declared.decode('latin-1')} bytes"})
                return
        chunks, total, more = [], 0, True
        while more:  # read the body here (within the cap) and replay it to the app
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > cap:
                await refuse(413, too_big | {"received": f"more than {cap:,} bytes"})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        try:
            await asyncio.wait_for(self.app(scope, replay, send_with_headers), self.settings.request_time_limit_s)
        except TimeoutError:
            if not started:
                limit = self.settings.request_time_limit_s
                await refuse(503, error_body("TimeLimit", "the request ran past its time limit",
                                             expected=f"at most {limit:g} s",
                                             hint="ask for less work, or use a background job"),
                             [(b"retry-after", b"5")])


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The mgbrain web app and JSON API (``mgbrain serve`` runs it with uvicorn).

    Examples
    --------
    >>> app = create_app()
    >>> sorted(r for r in app.openapi()["paths"] if r.startswith("/api/convert"))
    ['/api/convert']
    """
    from mgbrain.interfaces.web.api import router as api_router
    from mgbrain.interfaces.web.pages import router as page_router

    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner, app.state.jobs = app.state.jobs, None
        if runner is not None:  # the worker processes end with the server
            runner.shutdown()

    app = FastAPI(title="mgbrain", lifespan=lifespan, version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Magnesium (L-threonate) from dose to brain: the JSON API mirrors the `mgbrain` "
                              "commands. Research and education, not medical advice.")
    app.state.settings = settings
    app.state.jobs = None

    def jobs() -> JobRunner:  # started on first use: a server that runs no job starts no process
        if app.state.jobs is None:
            app.state.jobs = JobRunner(workers=settings.job_workers, max_queued=settings.job_queue,
                                       time_limit_s=settings.job_time_limit_s)
        return app.state.jobs

    app.state.job_runner = jobs

    @app.exception_handler(MgBrainError)
    async def _library_error(request: Request, exc: MgBrainError) -> JSONResponse:
        d = exc.to_dict()
        return JSONResponse(error_body(d["error"], d["message"], argument=d["argument"], expected=d["expected"],
                                       received=d["received"], hint=d["hint"]), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # a body that cannot be parsed (not UTF-8, not JSON) is bad input
            return JSONResponse(error_body("RequestError", "cannot read the request body", argument="body",
                                           expected="a JSON object in UTF-8", received=str(exc.detail)),
                                status_code=422)
        if not request.url.path.startswith("/api/"):
            from mgbrain.interfaces.web.pages import render_page

            return render_page("message.html.j2", exc.status_code, title=str(exc.detail), message="See the start page.")
        return JSONResponse(error_body("HTTPError", str(exc.detail)), status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _schema_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc), status_code=422)

    static = resources.files("mgbrain.interfaces.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    app.include_router(api_router)
    app.include_router(page_router)
    app.add_middleware(_Limits, settings=settings)
    return app
