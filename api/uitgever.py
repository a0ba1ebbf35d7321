"""The development OpenID Connect issuer that `casus dev` brings, served on 127.0.0.1 only.

It publishes a discovery document and its JWKS, grants a development login (`casus login --als
veilig-thuis --medewerker anna`: anyone on this machine may be anyone) and the OAuth 2.0 device
authorization grant (RFC 8628), approved at its `/apparaat` page or by `Uitgever.keur_goed`."""

from __future__ import annotations

import html
import ipaddress
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from api.instellingen import Claimnamen
from api.uitgever_kern import OAuthError, Uitgever, laad_of_maak_sleutel

__all__ = ["DraaiendeUitgever", "OAuthError", "Uitgever", "start_uitgever"]

_MAX_FORMULIER = 16 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    uitgever: Uitgever


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Verzoek(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: `casus dev` prints its own lines."""

    def do_GET(self) -> None:
        deel = urlsplit(self.path)
        uitgever = self.server.uitgever
        if deel.path == "/.well-known/openid-configuration":
            self._json(200, uitgever.ontdekking())
        elif deel.path == "/jwks":
            self._json(200, uitgever.jwks())
        elif deel.path == "/apparaat":
            code = parse_qs(deel.query).get("user_code", [""])[0]
            self._html(200, _PAGINA.format(code=html.escape(code, quote=True)))
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        pad = urlsplit(self.path).path
        uitgever = self.server.uitgever
        try:
            formulier = self._formulier()
            if pad == "/token":
                self._json(200, uitgever.token(formulier))
            elif pad == "/apparaat/autorisatie":
                self._json(200, uitgever.start_apparaat(formulier.get("client_id", "casus-cli")))
            elif pad == "/apparaat":
                uitgever.keur_goed(formulier.get("user_code", ""), formulier.get("als", ""), formulier.get("medewerker") or None)
                self._html(200, "<!doctype html><title>casus</title><p>Approved. Return to your terminal.</p>")
            else:
                self._json(404, {"error": "not_found"})
        except OAuthError as fout:
            self._json(400, {"error": fout.fout, "error_description": fout.beschrijving})

    def _formulier(self) -> dict[str, str]:
        lengte = int(self.headers.get("Content-Length") or 0)
        if not 0 <= lengte <= _MAX_FORMULIER:
            raise OAuthError("invalid_request", f"a form of at most {_MAX_FORMULIER} bytes")
        velden = parse_qs(self.rfile.read(lengte).decode("utf-8", "replace"), max_num_fields=20)
        return {naam: waarden[0] for naam, waarden in velden.items()}

    def _json(self, status: int, inhoud: dict[str, Any]) -> None:
        # RFC 6749 §5.1: token responses are not to be cached.
        self._stuur(status, "application/json", json.dumps(inhoud).encode(), {"Cache-Control": "no-store"})

    def _html(self, status: int, pagina: str) -> None:
        self._stuur(status, "text/html; charset=utf-8", pagina.encode(), {"Content-Security-Policy": "default-src 'none'"})

    def _stuur(self, status: int, soort: str, inhoud: bytes, koppen: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", soort)
        self.send_header("Content-Length", str(len(inhoud)))
        for naam, waarde in koppen.items():
            self.send_header(naam, waarde)
        self.end_headers()
        self.wfile.write(inhoud)


_PAGINA = """<!doctype html><meta charset="utf-8"><title>casus: development login</title>
<h1>Development login</h1><p>Anyone on this machine may log in as anyone: development only.</p>
<form method="post" action="/apparaat">
<label>Code <input name="user_code" value="{code}" required></label>
<label>As (party, or auditor / operator / beheerder) <input name="als" required></label>
<label>Medewerker <input name="medewerker"></label>
<button>Approve</button></form>"""


class DraaiendeUitgever:
    """A started issuer; `url` is what CASUS_OIDC_ISSUER is set to. Stop it, or use it in a `with`."""

    def __init__(self, server: _Server, draad: threading.Thread) -> None:
        self._server = server
        self._draad = draad
        self.uitgever = server.uitgever
        self.url = server.uitgever.url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._draad.join()

    def __enter__(self) -> DraaiendeUitgever:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_uitgever(
    sleutelmap: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    publiek: str = "casus-api",
    claimnamen: Claimnamen | None = None,
    **opties: Any,
) -> DraaiendeUitgever:
    """Serve the development issuer on a loopback address (port 0: a free one), its key in `sleutelmap`.

    `opties` go to `Uitgever` (token_geldig_s, apparaat_geldig_s, interval_s, klok)."""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise ValueError("the development issuer lets anyone be anyone: it serves on a loopback address only")
    sleutel = laad_of_maak_sleutel(sleutelmap)
    server = (_Server6 if ":" in host else _Server)((host, port), _Verzoek)
    naam = f"[{host}]" if ":" in host else host
    server.uitgever = Uitgever(sleutel, f"http://{naam}:{server.server_address[1]}", publiek=publiek, claimnamen=claimnamen, **opties)
    draad = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="casus-oidc-uitgever", daemon=True)
    draad.start()
    return DraaiendeUitgever(server, draad)
