"""The Merkle tree of the checkpoints agrees with Certificate Transparency's (RFC 6962/9162 test
vectors), and its proofs hold for every tree size and fail when anything in them changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eventstore.merkle import (
    LEEG,
    Boom,
    Grens,
    Uitbreiding,
    blad_hash,
    consistentiebewijs,
    insluitbewijs,
    verifieer_consistentie,
    verifieer_insluiting,
)

CT_BLADEREN = [
    bytes.fromhex(x) for x in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
CT_WORTELS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INSLUITING = [  # (leaf index, tree size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CT_CONSISTENTIE = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def ct_boom() -> Boom:
    return Boom(blad_hash(b) for b in CT_BLADEREN)


def bladeren(n: int) -> list[bytes]:
    return [blad_hash(i.to_bytes(4, "big")) for i in range(n)]


def test_the_roots_are_certificate_transparencys_for_every_size() -> None:
    boom, grens = ct_boom(), Grens()
    assert LEEG.hex() == CT_WORTELS[0] == grens.wortel().hex()
    for n in range(1, 9):
        grens.voeg_toe(blad_hash(CT_BLADEREN[n - 1]))
        assert boom.wortel(n).hex() == CT_WORTELS[n] == grens.wortel().hex()


def test_inclusion_proofs_are_certificate_transparencys() -> None:
    boom = ct_boom()
    for index, grootte, pad in CT_INSLUITING:
        bewijs = insluitbewijs(index, grootte, boom.knoop)
        assert [p.hex() for p in bewijs] == pad
        wortel = bytes.fromhex(CT_WORTELS[grootte])
        assert verifieer_insluiting(index, grootte, blad_hash(CT_BLADEREN[index]), bewijs, wortel)


def test_consistency_proofs_are_certificate_transparencys() -> None:
    boom = ct_boom()
    for oud, nieuw, pad in CT_CONSISTENTIE:
        bewijs = consistentiebewijs(oud, nieuw, boom.knoop)
        assert [p.hex() for p in bewijs] == pad
        assert verifieer_consistentie(oud, nieuw, bytes.fromhex(CT_WORTELS[oud]), bytes.fromhex(CT_WORTELS[nieuw]), bewijs)


@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_leafs_proof_holds_and_fails_for_another_leaf_index_or_root(n: int, data: st.DataObject) -> None:
    boom = Boom(bladeren(n))
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    bewijs = insluitbewijs(i, n, boom.knoop)
    assert verifieer_insluiting(i, n, boom.lagen[0][i], bewijs, boom.wortel())
    assert not verifieer_insluiting(i, n, blad_hash(b"vervalst"), bewijs, boom.wortel())
    assert not verifieer_insluiting(i, n, boom.lagen[0][i], bewijs, blad_hash(b"andere wortel"))
    if n > 1:
        assert not verifieer_insluiting((i + 1) % n, n, boom.lagen[0][i], bewijs, boom.wortel())
    if bewijs:
        j = data.draw(st.integers(min_value=0, max_value=len(bewijs) - 1))
        gewijzigd = [*bewijs[:j], bytes([bewijs[j][0] ^ 1]) + bewijs[j][1:], *bewijs[j + 1 :]]
        assert not verifieer_insluiting(i, n, boom.lagen[0][i], gewijzigd, boom.wortel())


@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_older_tree_is_proven_a_prefix_and_a_changed_prefix_is_not(n: int, data: st.DataObject) -> None:
    boom = Boom(bladeren(n))
    m = data.draw(st.integers(min_value=0, max_value=n))
    bewijs = consistentiebewijs(m, n, boom.knoop)
    assert verifieer_consistentie(m, n, boom.wortel(m), boom.wortel(), bewijs)
    if 0 < m < n:
        herschreven = Boom([blad_hash(b"herschreven"), *bladeren(n)[1:]])
        assert not verifieer_consistentie(m, n, herschreven.wortel(m), boom.wortel(), bewijs)
        assert not verifieer_consistentie(m, n, boom.wortel(m), herschreven.wortel(), bewijs)
        assert not verifieer_consistentie(m, n, boom.wortel(m), boom.wortel(), bewijs[:-1])


@given(st.integers(min_value=0, max_value=70), st.integers(min_value=0, max_value=40))
def test_a_frontier_extended_with_new_leaves_gives_the_same_root_and_proofs_as_the_whole_tree(m: int, erbij: int) -> None:
    alle = bladeren(m + erbij)
    grens = Grens()
    for b in alle[:m]:
        grens.voeg_toe(b)
    opgeslagen = Grens(grens.grootte, grens.knopen)
    for b in alle[m:]:
        grens.voeg_toe(b)
    boom = Boom(alle)
    assert grens.wortel() == boom.wortel()
    assert consistentiebewijs(m, m + erbij, Uitbreiding(opgeslagen, alle[m:]).knoop) == consistentiebewijs(m, m + erbij, boom.knoop)


def test_a_tree_grown_leaf_by_leaf_is_the_tree_built_at_once() -> None:
    groeiend = Boom()
    for b in bladeren(37):
        groeiend.voeg_toe(b)
    assert groeiend.lagen == Boom(bladeren(37)).lagen
