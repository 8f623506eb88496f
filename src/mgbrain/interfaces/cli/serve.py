"""`mgbrain serve`: the web app and JSON API on this machine (localhost unless told otherwise)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from mgbrain.errors import ParameterError
from mgbrain.interfaces.cli._app import app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def check_host(host: str) -> str:
    """An IP address to bind (or ``localhost``); a name is refused: binding resolves nothing."""
    if host.strip().lower() == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(host.strip()))
    except ValueError:
        raise ParameterError("not an IP address", argument="--host",
                             expected="an IP address to bind, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                                      "interface)", received=host) from None


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to bind: 127.0.0.1 (default) is this machine only; 0.0.0.0 "
                                           "lets other machines connect.")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="Port, 1-65535.")] = DEFAULT_PORT,
) -> None:
    """Run the web app and JSON API (converter, planner, simulations, trials, fact-check, claims)."""
    address = check_host(host)
    if not 1 <= port <= 65535:
        raise ParameterError("out of range", argument="--port", expected="an integer from 1 to 65535", received=port)
    import uvicorn

    from mgbrain.interfaces.web import create_app
    from mgbrain.model import BRAIN, WHOLE_BODY
    from mgbrain.solver.simulate import warm_engine

    typer.echo("mgbrain: loading the integration engine (the first time on this machine it compiles, about a "
               "minute)...", err=True)
    warm_engine((WHOLE_BODY, BRAIN))  # the first plan or simulation must not wait on it (request time limit)

    shown = f"[{address}]" if ":" in address else address
    where = "this machine only" if ipaddress.ip_address(address).is_loopback else "every machine that can reach it"
    typer.echo(f"mgbrain serving on http://{shown}:{port}/ ({where}); the API schema is at /api/openapi.json. "
               "Ctrl+C stops it.", err=True)
    uvicorn.run(create_app(), host=address, port=port, log_level="warning")
