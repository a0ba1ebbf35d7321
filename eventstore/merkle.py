"""A Merkle tree over the global log, as Certificate Transparency builds it (RFC 9162 §2.1): leaves
and inner nodes hashed with different prefixes (0x00, 0x01) so that no leaf can pose as a node,
the root of n leaves split at the largest power of two below n, inclusion and consistency proofs
and their verification.

`Grens` (the frontier, a compact range) holds the roots of the perfect subtrees that make up the
tree: a new checkpoint extends it with the new leaves only. `Boom` holds every leaf and the perfect
subtrees above them, for proofs; it reads every leaf, which is acceptable for now."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

LEEG = hashlib.sha256(b"").digest()
"""The root of the empty tree."""

Knoop = Callable[[int, int], bytes]
"""The root of the subtree over leaves [lo, hi)."""


def blad_hash(gegevens: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + gegevens).digest()


def knoop_hash(links: bytes, rechts: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + links + rechts).digest()


def _splits(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _pad(m: int, lo: int, hi: int, knoop: Knoop) -> list[bytes]:
    if hi - lo == 1:
        return []
    k = _splits(hi - lo)
    if m < lo + k:
        return [*_pad(m, lo, lo + k, knoop), knoop(lo + k, hi)]
    return [*_pad(m, lo + k, hi, knoop), knoop(lo, lo + k)]


def _deelbewijs(m: int, lo: int, hi: int, compleet: bool, knoop: Knoop) -> list[bytes]:
    if m == hi:
        return [] if compleet else [knoop(lo, hi)]
    k = _splits(hi - lo)
    if m <= lo + k:
        return [*_deelbewijs(m, lo, lo + k, compleet, knoop), knoop(lo + k, hi)]
    return [*_deelbewijs(m, lo + k, hi, False, knoop), knoop(lo, lo + k)]


def insluitbewijs(index: int, grootte: int, knoop: Knoop) -> list[bytes]:
    """RFC 9162 PATH: the audit path of leaf `index` in the tree of `grootte` leaves."""
    if not 0 <= index < grootte:
        raise ValueError(f"leaf {index} is not in a tree of {grootte}")
    return _pad(index, 0, grootte, knoop)


def consistentiebewijs(oud: int, nieuw: int, knoop: Knoop) -> list[bytes]:
    """RFC 9162 PROOF: that the tree of `oud` leaves is a prefix of the tree of `nieuw` leaves."""
    if not 0 <= oud <= nieuw:
        raise ValueError(f"a tree of {oud} is no prefix of a tree of {nieuw}")
    if oud in (0, nieuw):
        return []
    return _deelbewijs(oud, 0, nieuw, True, knoop)


def _lsb(x: int) -> bool:
    return bool(x & 1)


def verifieer_insluiting(index: int, grootte: int, blad: bytes, bewijs: Sequence[bytes], wortel: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    if not 0 <= index < grootte:
        return False
    fn, sn, r = index, grootte - 1, blad
    for p in bewijs:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            r = knoop_hash(p, r)
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = knoop_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == wortel


def verifieer_consistentie(oud: int, nieuw: int, oude_wortel: bytes, nieuwe_wortel: bytes, bewijs: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step; an empty tree is a prefix of every tree."""
    if oud in (0, nieuw):
        return not bewijs and (oud == 0 or oude_wortel == nieuwe_wortel) and 0 <= oud <= nieuw
    if not 0 < oud < nieuw or not bewijs:
        return False
    pad = list(bewijs)
    if oud & (oud - 1) == 0:
        pad.insert(0, oude_wortel)
    fn, sn = oud - 1, nieuw - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    fr = sr = pad[0]
    for c in pad[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr, sr = knoop_hash(c, fr), knoop_hash(c, sr)
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = knoop_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == oude_wortel and sr == nieuwe_wortel and sn == 0


def _perfecte_delen(grootte: int) -> list[tuple[int, int]]:
    """The perfect subtrees [lo, hi) that make up a tree of `grootte`, largest (leftmost) first."""
    delen, lo = [], 0
    for h in range(grootte.bit_length() - 1, -1, -1):
        if grootte >> h & 1:
            delen.append((lo, lo + (1 << h)))
            lo += 1 << h
    return delen


class Grens:
    """The frontier: the roots of the perfect subtrees of a tree, enough to extend it and to find
    its root without its leaves."""

    def __init__(self, grootte: int = 0, knopen: Sequence[bytes] = ()) -> None:
        if len(knopen) != grootte.bit_count():
            raise ValueError(f"a tree of {grootte} has {grootte.bit_count()} perfect subtrees, not {len(knopen)}")
        self.grootte, self.knopen = grootte, list(knopen)

    def voeg_toe(self, blad: bytes) -> None:
        self.knopen.append(blad)
        self.grootte += 1
        n = self.grootte
        while n % 2 == 0:
            rechts, links = self.knopen.pop(), self.knopen.pop()
            self.knopen.append(knoop_hash(links, rechts))
            n //= 2

    def wortel(self) -> bytes:
        if not self.knopen:
            return LEEG
        r = self.knopen[-1]
        for k in reversed(self.knopen[:-1]):
            r = knoop_hash(k, r)
        return r

    def kopie(self) -> Grens:
        return Grens(self.grootte, self.knopen)


class Boom:
    """Every leaf with the perfect subtrees above them: any subtree root in O(log n) hashes."""

    def __init__(self, bladeren: Iterable[bytes] = ()) -> None:
        self.lagen: list[list[bytes]] = [list(bladeren)]
        self._bouw()

    def _bouw(self) -> None:
        laag = self.lagen[0]
        while len(laag) > 1:
            laag = [knoop_hash(laag[i], laag[i + 1]) for i in range(0, len(laag) - 1, 2)]
            self.lagen.append(laag)

    def voeg_toe(self, blad: bytes) -> None:
        self.lagen[0].append(blad)
        i, h = len(self.lagen[0]) - 1, 0
        while i % 2 == 1:
            if h + 1 == len(self.lagen):
                self.lagen.append([])
            self.lagen[h + 1].append(knoop_hash(self.lagen[h][i - 1], self.lagen[h][i]))
            i, h = i // 2, h + 1

    @property
    def grootte(self) -> int:
        return len(self.lagen[0])

    def knoop(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return LEEG
        if n & (n - 1) == 0:
            h = n.bit_length() - 1
            return self.lagen[h][lo >> h]
        k = _splits(n)
        return knoop_hash(self.knoop(lo, lo + k), self.knoop(lo + k, hi))

    def wortel(self, grootte: int | None = None) -> bytes:
        return self.knoop(0, self.grootte if grootte is None else grootte)


class Uitbreiding:
    """A tree known by the frontier of its first leaves and the leaves added since: enough for
    the consistency proof from the old tree to the new one (every node the proof needs left of
    the boundary is a node of the frontier)."""

    def __init__(self, grens: Grens, nieuw: Sequence[bytes]) -> None:
        self.oud = grens.grootte
        self.bekend = dict(zip(_perfecte_delen(grens.grootte), grens.knopen, strict=True))
        self.nieuw = Boom(nieuw)

    def knoop(self, lo: int, hi: int) -> bytes:
        if (lo, hi) in self.bekend:
            return self.bekend[(lo, hi)]
        if lo >= self.oud:
            return _los(self.nieuw, lo - self.oud, hi - self.oud)
        if hi <= self.oud:
            raise ValueError(f"the subtree [{lo}, {hi}) lies inside the old tree but is no part of its frontier")
        k = _splits(hi - lo)
        return knoop_hash(self.knoop(lo, lo + k), self.knoop(lo + k, hi))


def _los(boom: Boom, lo: int, hi: int) -> bytes:
    """The root over leaves [lo, hi) of `boom` split as the whole tree splits them (the range need
    not be aligned in `boom` itself)."""
    if hi - lo == 1:
        return boom.lagen[0][lo]
    k = _splits(hi - lo)
    return knoop_hash(_los(boom, lo, lo + k), _los(boom, lo + k, hi))
