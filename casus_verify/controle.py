"""What a bundle must show, checked from its bytes alone.

The bundle (JSON, "formaat": "casus-bundel/1"):
- `casus_id`, and `gebeurtenissen`: the casus's events in order, each with its global `positie`,
  `versie`, `topic`, the event's JSON text `gebeurtenis`, its chain link `vorige` and `hash`
  (SHA-256 over "vorige\\ncasus_id\\nversie\\ntopic\\ngebeurtenis", with "sleutel:KEY" on a line before
  the event's JSON when the event carries its decision's `sleutel`; the first `vorige` is 64 zeros),
  and its leaf `index` in the Merkle tree with the inclusion proof `bewijs` (RFC 9162 §2.1.3);
- `kop`: the signed tree head {grootte, wortel, tijd, positie, sleutel} and its Ed25519
  `handtekening` over "casus-controlepunt/1\\n" + the head as JSON with sorted keys and no spaces;
- `publieke_sleutel`: the raw Ed25519 public key (hex); `kop.sleutel` is its SHA-256.

Optional, when the appending worker signed: an event's `ondertekening` {sleutel, handtekening}, the
Ed25519 signature over "casus-gebeurtenis/1\\n" + its `hash` by the worker key with fingerprint
`sleutel`; and `worker_sleutels` {fingerprint: raw Ed25519 public key (hex)}, the keys that signed.

A leaf is SHA-256(0x00 || "positie\\ncasus_id\\nversie\\nhash"), a node SHA-256(0x01 || left || right).
The key in a bundle proves nothing by itself: compare its fingerprint with the published one
(--vingerafdruk or --sleutel)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

FORMAAT = "casus-bundel/1"
BEGIN = "0" * 64
CONTEXT = b"casus-controlepunt/1\n"
WERKER_CONTEXT = b"casus-gebeurtenis/1\n"
KOP = {"grootte": int, "wortel": str, "tijd": str, "positie": int, "sleutel": str}
TOPNIVEAU = {"formaat", "casus_id", "publieke_sleutel", "kop", "handtekening", "gebeurtenissen", "worker_sleutels"}
ONDERTEKENING: dict[str, type] = {"sleutel": str, "handtekening": str}
GEBEURTENIS = {"positie": int, "versie": int, "topic": str, "vorige": str, "hash": str, "gebeurtenis": str, "index": int, "bewijs": list}


@dataclass
class Uitslag:
    fouten: list[str] = field(default_factory=list)
    samenvatting: str = ""


def vingerafdruk_van_pem(pem: bytes) -> str:
    sleutel = load_pem_public_key(pem)
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return hashlib.sha256(sleutel.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def controleer_bestand(pad: Path, vingerafdruk: str | None = None) -> Uitslag:
    try:
        bundel = json.loads(pad.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return Uitslag([f"the bundle cannot be read as JSON ({e})"])
    return controleer(bundel, vingerafdruk)


def controleer(bundel: Any, vingerafdruk: str | None = None) -> Uitslag:
    uitslag = Uitslag(_vorm(bundel))
    if uitslag.fouten:
        return uitslag
    kop, casus_id = bundel["kop"], bundel["casus_id"]
    sleutel = bytes.fromhex(bundel["publieke_sleutel"])
    eigen = hashlib.sha256(sleutel).hexdigest()
    if vingerafdruk is not None and eigen != vingerafdruk.strip().lower():
        uitslag.fouten.append(f"the bundle's public key (fingerprint {eigen}) is not the published checkpoint key ({vingerafdruk})")
    if kop["sleutel"] != eigen:
        uitslag.fouten.append(f"the signed head names key {kop['sleutel']}, but the bundle carries key {eigen}")
    if not _handtekening_klopt(sleutel, kop, bundel["handtekening"]):
        uitslag.fouten.append(
            "the signature on the head does not verify with the bundle's public key: the head, signature or key was changed"
        )
    gebeurtenissen = bundel["gebeurtenissen"]
    uitslag.fouten += _ondertekeningen(gebeurtenissen, bundel.get("worker_sleutels"))
    if not gebeurtenissen:
        uitslag.fouten.append("the bundle holds no events")
    vorige, positie, index = BEGIN, 0, -1
    for nummer, e in enumerate(gebeurtenissen, start=1):
        naam = f"event {nummer} (version {e['versie']}, position {e['positie']})"
        if e["versie"] != nummer:
            uitslag.fouten.append(f"{naam}: expected version {nummer}: the events are out of order, or one is missing or added")
        if e["vorige"] != vorige:
            uitslag.fouten.append(f"{naam}: its chain link does not name the hash of the event before it")
        if schakel(e["vorige"], casus_id, e["versie"], e["topic"], e["gebeurtenis"], e.get("sleutel")) != e["hash"]:
            uitslag.fouten.append(f"{naam}: its content, type or position does not match its hash")
        if e["positie"] <= positie or e["positie"] > kop["positie"] or e["index"] <= index:
            uitslag.fouten.append(f"{naam}: its place in the log does not follow the event before it, or lies past the signed head")
        blad = blad_hash(f"{e['positie']}\n{casus_id}\n{e['versie']}\n{e['hash']}".encode())
        if not _insluiting_klopt(e["index"], kop["grootte"], blad, e["bewijs"], kop["wortel"]):
            uitslag.fouten.append(f"{naam}: its inclusion proof does not lead to the signed root: it is not this event in the signed log")
        vorige, positie, index = e["hash"], e["positie"], e["index"]
    uitslag.samenvatting = (
        f"casus {casus_id}: {len(gebeurtenissen)} events, chained, each in the log signed at {kop['tijd']} "
        f"(tree of {kop['grootte']} events) by key {eigen}"
        + ("" if vingerafdruk else "; compare that fingerprint with the published checkpoint key")
        + _over_ondertekening(gebeurtenissen, bundel.get("worker_sleutels"))
    )
    return uitslag


def _ondertekeningen(gebeurtenissen: list[Any], werkers: dict[str, str] | None) -> list[str]:
    """Each worker signature against the bundle's worker keys; an unsigned event after a signed one."""
    fouten, getekend = [], False
    for nummer, e in enumerate(gebeurtenissen, start=1):
        naam, o = f"event {nummer} (version {e['versie']}, position {e['positie']})", e.get("ondertekening")
        if o is None:
            if getekend:
                fouten.append(f"{naam}: unsigned, though an earlier event of this casus carries a worker signature")
            continue
        getekend = True
        if werkers is None:
            continue
        if o["sleutel"] not in werkers:
            fouten.append(f"{naam}: signed by worker key {o['sleutel']}, which is not among the bundle's worker keys")
        elif not _werker_klopt(bytes.fromhex(werkers[o["sleutel"]]), e["hash"], o["handtekening"]):
            fouten.append(f"{naam}: its worker signature does not verify: the signature, the event's hash or the key was changed")
    return fouten


def _over_ondertekening(gebeurtenissen: list[Any], werkers: dict[str, str] | None) -> str:
    getekend = sum(1 for e in gebeurtenissen if "ondertekening" in e)
    if not getekend:
        return "; no event carries a worker signature"
    if werkers is None:
        return f"; {getekend} events carry a worker signature, but the bundle holds no worker key to check them with"
    return f"; {getekend} events signed by worker key(s) {', '.join(sorted(werkers))}: compare with the published worker keys"


def _werker_klopt(sleutel: bytes, hash: str, handtekening: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(sleutel).verify(bytes.fromhex(handtekening), WERKER_CONTEXT + hash.encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def _vorm(bundel: Any) -> list[str]:
    """What is missing or of the wrong type, before anything is computed."""
    if not isinstance(bundel, dict):
        return ["the bundle is not a JSON object"]
    if bundel.get("formaat") != FORMAAT:
        return [f"the bundle's format is {bundel.get('formaat')!r}, not {FORMAAT!r}"]
    fouten = [
        f"'{k}' is missing or not text" for k in ("casus_id", "publieke_sleutel", "handtekening") if not isinstance(bundel.get(k), str)
    ]
    fouten += [f"'{k}' is not part of the format" for k in bundel if k not in TOPNIVEAU]
    fouten += _velden("kop", bundel.get("kop"), KOP)
    if not isinstance(bundel.get("gebeurtenissen"), list):
        return [*fouten, "'gebeurtenissen' is missing or not a list"]
    fouten += _werkers(bundel.get("worker_sleutels", {}))
    for nummer, e in enumerate(bundel["gebeurtenissen"], start=1):
        fouten += _velden(f"event {nummer}", e, GEBEURTENIS, {"sleutel": str, "ondertekening": dict})
        if isinstance(e, dict) and isinstance(e.get("ondertekening"), dict):
            fouten += _velden(f"event {nummer}: its signature", e["ondertekening"], ONDERTEKENING)
        if isinstance(e, dict) and isinstance(e.get("bewijs"), list) and not all(_is_hex(p, 32) for p in e["bewijs"]):
            fouten.append(f"event {nummer}: its proof holds something that is not a SHA-256 hash")
    if not fouten and not _is_hex(bundel["publieke_sleutel"], 32):
        fouten.append("'publieke_sleutel' is not a raw Ed25519 key (32 bytes, hex)")
    if not fouten and not _is_hex(bundel["kop"]["wortel"], 32):
        fouten.append("the head's root is not a SHA-256 hash")
    return fouten


def _werkers(werkers: Any) -> list[str]:
    if not isinstance(werkers, dict):
        return ["'worker_sleutels' is not an object"]
    return [
        f"worker key {v!r}: not a raw Ed25519 key whose SHA-256 is its name"
        for v, k in werkers.items()
        if not _is_hex(k, 32) or hashlib.sha256(bytes.fromhex(k)).hexdigest() != v
    ]


def _velden(naam: str, waarde: Any, velden: dict[str, type], optioneel: dict[str, type] | None = None) -> list[str]:
    if not isinstance(waarde, dict):
        return [f"{naam} is missing or not an object"]
    optioneel = optioneel or {}
    fouten = [f"{naam}: '{k}' is missing or not {t.__name__}" for k, t in velden.items()
              if not isinstance(waarde.get(k), t) or isinstance(waarde.get(k), bool)]  # fmt: skip
    fouten += [f"{naam}: '{k}' is not {t.__name__}" for k, t in optioneel.items() if k in waarde and not isinstance(waarde[k], t)]
    return fouten + [f"{naam}: '{k}' is not part of the format" for k in waarde if k not in velden and k not in optioneel]


def _is_hex(tekst: Any, lengte: int) -> bool:
    try:
        return isinstance(tekst, str) and len(bytes.fromhex(tekst)) == lengte
    except ValueError:
        return False


def schakel(vorige: str, casus_id: str, versie: int, topic: str, gebeurtenis: str, sleutel: str | None = None) -> str:
    """An event's chain hash; an event stored with its decision's key has it on a line before its JSON."""
    delen = [vorige, casus_id, str(versie), topic] + ([] if sleutel is None else [f"sleutel:{sleutel}"]) + [gebeurtenis]
    return hashlib.sha256("\n".join(delen).encode()).hexdigest()


def blad_hash(gegevens: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + gegevens).digest()


def _knoop(links: bytes, rechts: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + links + rechts).digest()


def _handtekening_klopt(sleutel: bytes, kop: dict[str, Any], handtekening: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(sleutel).verify(
            bytes.fromhex(handtekening), CONTEXT + json.dumps(kop, sort_keys=True, separators=(",", ":")).encode()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def _insluiting_klopt(index: int, grootte: int, blad: bytes, bewijs: list[str], wortel: str) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < grootte:
        return False
    fn, sn, r = index, grootte - 1, blad
    for p in (bytes.fromhex(x) for x in bewijs):
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _knoop(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _knoop(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r.hex() == wortel
