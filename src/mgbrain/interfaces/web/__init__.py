"""The web app and JSON API (``mgbrain serve``): FastAPI, server-rendered pages, background jobs.

Thin, like the command line: every page and endpoint calls the library with the same checks
the CLI uses, and a refused field is a 422 naming it.
"""

from mgbrain.interfaces.web._app import SECURITY_HEADERS, WebSettings, create_app

__all__ = ["create_app", "WebSettings", "SECURITY_HEADERS"]
