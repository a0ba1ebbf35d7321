"""An OpenID Connect issuer of the tests' own making: real keys, real signatures, served over HTTP on
127.0.0.1, its published key set changeable by the test (rotation, withdrawal)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

PUBLIEK = "casus-api"


@dataclass(frozen=True)
class Sleutel:
    kid: str
    alg: str
    prive: Any

    @property
    def publiek_pem(self) -> bytes:
        return bytes(self.prive.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

    def jwk(self) -> dict[str, Any]:
        soort = {"RS256": RSAAlgorithm, "ES256": ECAlgorithm, "EdDSA": OKPAlgorithm}[self.alg]
        jwk: dict[str, Any] = soort.to_jwk(self.prive.public_key(), as_dict=True)  # type: ignore[attr-defined]
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def maak_sleutel(alg: str) -> Sleutel:
    prive: Any
    if alg == "RS256":
        prive = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        prive = ec.generate_private_key(ec.SECP256R1())
    else:
        prive = ed25519.Ed25519PrivateKey.generate()
    return Sleutel(kid=f"{alg}-{uuid.uuid4().hex[:8]}", alg=alg, prive=prive)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Proefuitgever:
    url: str
    gepubliceerd: list[Sleutel]
    jwks_opgehaald: int = 0
    rauwe_jwks: list[dict[str, Any]] = field(default_factory=list)
    """Published as they are, beside the keys: a symmetric key, an encryption key."""
    ontdekking_issuer: str | None = None
    """When set, the discovery document names this issuer instead of its own (an impostor)."""
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    def claims(self, **anders: Any) -> dict[str, Any]:
        nu = int(time.time())
        basis: dict[str, Any] = {
            "iss": self.url,
            "aud": PUBLIEK,
            "sub": str(uuid.uuid4()),
            "iat": nu,
            "nbf": nu,
            "exp": nu + 300,
            "preferred_username": "anna",
            "partij": "veilig-thuis",
            "realm_access": {"roles": ["offline_access", "medewerker"]},
        }
        basis.update(anders)
        return {k: v for k, v in basis.items() if v is not None}

    def token(self, sleutel: Sleutel | None = None, kop: dict[str, Any] | None = None, **anders: Any) -> str:
        sleutel = sleutel or self.gepubliceerd[0]
        return jwt.encode(self.claims(**anders), sleutel.prive, algorithm=sleutel.alg, headers={"kid": sleutel.kid, **(kop or {})})

    def ongetekend(self, kop: dict[str, Any], claims: dict[str, Any], geheim: bytes | None = None) -> str:
        """A token built by hand: `alg: none` (no `geheim`) or HS256 with `geheim` as the HMAC key."""
        invoer = f"{b64(json.dumps(kop).encode())}.{b64(json.dumps(claims).encode())}"
        handtekening = b"" if geheim is None else hmac.new(geheim, invoer.encode(), hashlib.sha256).digest()
        return f"{invoer}.{b64(handtekening)}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def start_proefuitgever(*sleutels: Sleutel) -> Proefuitgever:
    class Verzoek(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                inhoud: dict[str, Any] = {"issuer": uitgever.ontdekking_issuer or uitgever.url, "jwks_uri": f"{uitgever.url}/certs"}
            elif self.path == "/certs":
                uitgever.jwks_opgehaald += 1
                inhoud = {"keys": [s.jwk() for s in uitgever.gepubliceerd] + uitgever.rauwe_jwks}
            else:
                self.send_error(404)
                return
            data = json.dumps(inhoud).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Verzoek)
    server.daemon_threads = True
    uitgever = Proefuitgever(url=f"http://127.0.0.1:{server.server_address[1]}", gepubliceerd=list(sleutels), _server=server)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return uitgever
