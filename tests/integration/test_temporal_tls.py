"""The client's security settings against a real frontend: the dev server behind a proxy that speaks
TLS and demands a client certificate (mTLS), as a production cluster does. The certificates are made
here, by a CA of the test's own."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from temporalio.client import Client

from runtime.settings import Settings
from runtime.temporal import ServiceUnavailableError, connect, tls_config
from tests.faults.onderdelen import TemporalServer, vrije_poort

SERVERNAAM = "frontend.temporal.casus.test"


@dataclass(frozen=True)
class Sleutelpaar:
    cert: Path
    key: Path


def _naam(tekst: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, tekst)])


def _schrijf(map_: Path, naam: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Sleutelpaar:
    paar = Sleutelpaar(map_ / f"{naam}.pem", map_ / f"{naam}.key")
    paar.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paar.key.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return paar


class Ca:
    def __init__(self, map_: Path, naam: str) -> None:
        self.map, self.key = map_, ec.generate_private_key(ec.SECP256R1())
        nu = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder().subject_name(_naam(naam)).issuer_name(_naam(naam)).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(nu - timedelta(minutes=5))
            .not_valid_after(nu + timedelta(days=1)).add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )  # fmt: skip
        self.pad = _schrijf(map_, naam, self.cert, self.key).cert

    def geef_uit(self, naam: str, gebruik: x509.ObjectIdentifier, *, dns: str | None = None) -> Sleutelpaar:
        key = ec.generate_private_key(ec.SECP256R1())
        nu = datetime.now(UTC)
        bouwer = (
            x509.CertificateBuilder().subject_name(_naam(naam)).issuer_name(self.cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(nu - timedelta(minutes=5))
            .not_valid_after(nu + timedelta(days=1)).add_extension(x509.ExtendedKeyUsage([gebruik]), critical=False)
        )  # fmt: skip
        if dns:
            bouwer = bouwer.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(dns), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
            )
        return _schrijf(self.map, naam, bouwer.sign(self.key, hashes.SHA256()), key)


class TlsProxy:
    """Terminates TLS, requires a client certificate signed by `klant_ca`, and forwards the plain
    gRPC stream to the dev server; a failed handshake closes the connection. asyncio's TLS, on a
    loop of its own: an ssl socket must not be read and written from two threads at once."""

    def __init__(self, doel: tuple[str, int], server: Sleutelpaar, klant_ca: Path) -> None:
        self.doel, self.poort = doel, vrije_poort()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(server.cert, server.key)
        self.context.load_verify_locations(klant_ca)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.set_alpn_protocols(["h2"])
        self.doorgelaten = 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        start = asyncio.start_server(self._verbind, "127.0.0.1", self.poort, ssl=self.context, ssl_handshake_timeout=10)
        self.server = asyncio.run_coroutine_threadsafe(start, self.loop).result(10)

    async def _verbind(self, lezer: asyncio.StreamReader, schrijver: asyncio.StreamWriter) -> None:
        self.doorgelaten += 1  # the handshake succeeded
        server_lezer, server_schrijver = await asyncio.open_connection(*self.doel)
        await asyncio.gather(self._pomp(lezer, server_schrijver), self._pomp(server_lezer, schrijver))

    @staticmethod
    async def _pomp(van: asyncio.StreamReader, naar: asyncio.StreamWriter) -> None:
        try:
            while data := await van.read(65536):
                naar.write(data)
                await naar.drain()
        except OSError:
            pass
        finally:
            naar.close()

    def sluit(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


@dataclass(frozen=True)
class Cluster:
    adres: str
    ca: Path
    klant: Sleutelpaar
    vreemde_klant: Sleutelpaar
    proxy: TlsProxy


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    map_ = tmp_path_factory.mktemp("tls")
    ca, vreemd = Ca(map_, "casus-test-ca"), Ca(map_, "another-ca")
    server = ca.geef_uit("frontend", ExtendedKeyUsageOID.SERVER_AUTH, dns=SERVERNAAM)
    klant = ca.geef_uit("casus-worker", ExtendedKeyUsageOID.CLIENT_AUTH)
    vreemde_klant = vreemd.geef_uit("intruder", ExtendedKeyUsageOID.CLIENT_AUTH)
    temporal = TemporalServer(map_)
    temporal.start()
    proxy = TlsProxy(("127.0.0.1", temporal.poort), server, ca.pad)
    try:
        yield Cluster(f"127.0.0.1:{proxy.poort}", ca.pad, klant, vreemde_klant, proxy)
    finally:
        proxy.sluit()
        temporal.stop()


def _instellingen(cluster: Cluster, **velden: Any) -> Settings:
    basis: dict[str, Any] = {"temporal_address": cluster.adres, "temporal_tls_server_name": SERVERNAAM}
    return Settings.model_validate(basis | velden)


async def _systeem(settings: Settings) -> Client:
    client = await asyncio.wait_for(connect(settings), 30)
    await client.count_workflows()  # a real call through the proxy, not only the handshake
    return client


async def test_mtls_with_the_ca_and_a_client_certificate_reaches_the_frontend(cluster: Cluster) -> None:
    settings = _instellingen(
        cluster, temporal_tls_ca_path=cluster.ca, temporal_tls_cert_path=cluster.klant.cert, temporal_tls_key_path=cluster.klant.key
    )
    voor = cluster.proxy.doorgelaten
    client = await _systeem(settings)
    assert client.namespace == "default"
    assert cluster.proxy.doorgelaten > voor


@pytest.mark.parametrize(
    "zonder",
    [
        pytest.param("klantcertificaat", id="no-client-certificate"),
        pytest.param("vreemd", id="client-certificate-of-another-ca"),
        pytest.param("ca", id="server-not-trusted"),
        pytest.param("tls", id="plaintext"),
    ],
)
async def test_the_frontend_is_not_reached_without_what_mtls_needs(cluster: Cluster, zonder: str) -> None:
    velden: dict[str, Any] = {
        "temporal_tls_ca_path": cluster.ca,
        "temporal_tls_cert_path": cluster.klant.cert,
        "temporal_tls_key_path": cluster.klant.key,
    }
    if zonder == "klantcertificaat":
        velden = {"temporal_tls_ca_path": cluster.ca}
    elif zonder == "vreemd":
        velden |= {"temporal_tls_cert_path": cluster.vreemde_klant.cert, "temporal_tls_key_path": cluster.vreemde_klant.key}
    elif zonder == "ca":
        velden = {"temporal_tls": True, "temporal_tls_cert_path": cluster.klant.cert, "temporal_tls_key_path": cluster.klant.key}
    elif zonder == "tls":
        velden = {}
    voor = cluster.proxy.doorgelaten
    with pytest.raises(ServiceUnavailableError, match="not reachable"):
        await _systeem(_instellingen(cluster, **velden))
    assert cluster.proxy.doorgelaten == voor, "the handshake itself must fail: nothing reaches the frontend"


def test_a_client_certificate_without_its_key_is_refused_by_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CASUS_TEMPORAL_TLS_CERT_PATH and CASUS_TEMPORAL_TLS_KEY_PATH go together"):
        Settings(temporal_tls_cert_path=tmp_path / "klant.pem")


def test_an_unreadable_certificate_file_is_named() -> None:
    settings = Settings(temporal_tls_ca_path=Path("/nonexistent/ca.pem"))
    with pytest.raises(ValueError, match=r"CASUS_TEMPORAL_TLS_CA_PATH: cannot read /nonexistent/ca.pem"):
        tls_config(settings)


async def test_the_api_key_goes_with_every_call_over_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Temporal Cloud's API keys: the key is passed to the SDK, which sends it as a bearer token, and
    an API key without further TLS settings still means TLS."""
    gezien: dict[str, Any] = {}

    async def vang(target_host: str, **kwargs: Any) -> str:
        gezien.update(kwargs, target_host=target_host)
        return "client"

    monkeypatch.setattr(Client, "connect", vang)
    monkeypatch.setenv("CASUS_TEMPORAL_API_KEY", "sleutel-123")
    monkeypatch.setenv("CASUS_TEMPORAL_ADDRESS", "casus.a1b2c.tmprl.cloud:7233")
    await connect(Settings())
    assert gezien["api_key"] == "sleutel-123"
    assert gezien["target_host"] == "casus.a1b2c.tmprl.cloud:7233"
    assert gezien["tls"] is not False


def test_secrets_come_from_files_when_casus_secrets_dir_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Docker secrets and mounted Kubernetes Secrets: one file per variable, a trailing newline ignored,
    a variable that is set wins over its file."""
    (tmp_path / "casus_postgres_password").write_text("uit-bestand\n")
    (tmp_path / "casus_temporal_api_key").write_text("api-uit-bestand")
    monkeypatch.setenv("CASUS_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("CASUS_TEMPORAL_API_KEY", "api-uit-omgeving")
    settings = Settings()
    assert settings.postgres_password.get_secret_value() == "uit-bestand"
    assert settings.temporal_api_key.get_secret_value() == "api-uit-omgeving"
    monkeypatch.setenv("CASUS_SECRETS_DIR", str(tmp_path / "ontbreekt"))
    with pytest.raises(ValueError, match=r"CASUS_SECRETS_DIR=.*ontbreekt is not a directory"):
        Settings()
