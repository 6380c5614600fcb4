"""What every request meets at the door, before any view or parser reads it, and what every answer
carries out.

- A body bounded by its route, to what that route really carries (a USSD step's history, an SMS
  callback, a login, a records system's batch, a CSV upload): checked from Content-Length before
  anything is read, and enforced while reading a body sent without one. A bigger body is
  refused (413) unread; a USSD step still gets an `END` screen (Africa's Talking ends the
  session on anything else).
- The caller's address: behind `TRUSTED_PROXIES` reverse proxies, the one they report
  (werkzeug's ProxyFix); otherwise the connection's.
- Headers on every answer, written here in a few lines rather than with Flask-Talisman (which
  would also force HTTPS redirects and a content policy the simulator's script does not fit;
  HTTPS is the reverse proxy's work): no framing (X-Frame-Options and CSP frame-ancestors: the
  approve and cancel buttons cannot be clicked through another site), no MIME sniffing, the
  referrer kept on this site, and `Cache-Control: no-store` on everything but the static files
  (pages and API answers show clients, and phones are shared).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from .config import Config

KB, MB = 1024, 1024 * 1024

# (path prefix, the most bytes its body may carry): the first that matches
LIMITS: tuple[tuple[str, int], ...] = (
    ("/webhooks/ussd/events", 8 * KB),
    ("/webhooks/ussd", 4 * KB),  # a USSD step: the session, the phone, the code, the network and the inputs so far
    ("/webhooks/", 16 * KB),  # an SMS (a few hundred characters), a delivery report, an opt-out
    ("/login", 8 * KB),
    ("/api/v1/", 8 * MB),  # a records system's batch: 10,000 records, a FHIR bundle
    ("/imports", 32 * MB),  # a CSV upload: a programme's clients
    ("", 64 * KB),  # any other page's form: a broadcast's texts, a task's note
)
USSD = "/webhooks/ussd"


def limit_for(path: str) -> int:
    return next(size for prefix, size in LIMITS if path.startswith(prefix) and not (prefix == USSD and path != USSD))


def too_big_for_ussd() -> Response:
    from .gateway.africastalking import render_ussd
    from .ussd.menu import last
    from .ussd.texts import SORRY

    return Response(render_ussd(last(SORRY)), mimetype="text/plain")


def init_app(app: Flask, config: Config) -> None:
    if config.trusted_proxies:
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n
        )

    @app.before_request
    def bounded():
        limit = limit_for(request.path)
        request.max_content_length = limit  # enforced while reading a body without Content-Length
        if request.content_length is not None and request.content_length > limit:
            if request.path == USSD:
                return too_big_for_ussd()
            abort(413)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response
