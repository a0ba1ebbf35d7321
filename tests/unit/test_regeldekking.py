"""Every rule id of RULES.md is named by at least one test (a test function's name carries it,
with its dots and dashes as underscores: IJM-3.3.1a -> IJM_3_3_1a)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import SHARED

TESTS = Path(__file__).resolve().parents[1]
ID = re.compile(r"\b((?:IJM|GM)-[0-9](?:[0-9.]*[0-9a-z])?|T-[0-9][a-z]?)\b")
# Rule ids the catalogue's revision of 2026-11-30 added, which the code does not implement yet (the
# project's issue on that revision). The coverage tests pass over exactly these; the last test here
# fails as soon as one of them is named by a test, so the list only ever shrinks, and it must be empty
# when that issue is done.
HERZIENING_OPEN: frozenset[str] = frozenset()
# Section references in headings only ("## Overdracht after a dienst (IJM-3.4; GM-5.2)") are not rules.


def regel_ids() -> set[str]:
    ids: set[str] = set()
    for regel in (SHARED / "spec" / "RULES.md").read_text(encoding="utf-8").splitlines():
        if not regel.startswith("#") and not regel.startswith("Rule ids are"):
            ids |= set(ID.findall(regel))
    return ids


def namen_van_tests() -> set[str]:
    namen: set[str] = set()
    for pad in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(pad.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
                namen.add(node.name)
    return namen


def genoemd(regel_id: str, namen: set[str]) -> bool:
    token = re.sub(r"[-.]", "_", regel_id)
    patroon = re.compile(rf"(^|_){re.escape(token)}(_[A-Za-z]|$)")
    return any(patroon.search(naam.removeprefix("test")) for naam in namen)


def test_every_rule_id_of_the_catalogue_is_named_by_a_test() -> None:
    namen = namen_van_tests()
    ids = regel_ids()
    assert len(ids) > 60, "the rule catalogue was not read"
    ontbrekend = sorted(i for i in ids - HERZIENING_OPEN if not genoemd(i, namen))
    assert not ontbrekend, f"rule ids without a test naming them: {', '.join(ontbrekend)}"


def test_the_open_ids_of_the_revision_are_in_the_catalogue_and_named_by_no_test_yet() -> None:
    namen, ids = namen_van_tests(), regel_ids()
    assert ids >= HERZIENING_OPEN, f"no longer in RULES.md: {sorted(HERZIENING_OPEN - ids)}"
    gedaan = sorted(i for i in HERZIENING_OPEN if genoemd(i, namen))
    assert not gedaan, f"named by a test now; take them off HERZIENING_OPEN: {', '.join(gedaan)}"


def test_the_check_sees_a_missing_id() -> None:
    assert genoemd("IJM-3.3.1a", {"test_IJM_3_3_1a_something"})
    assert not genoemd("IJM-3.3", {"test_IJM_3_3_1a_something"})
    assert not genoemd("GM-7.3", {"test_GM_7_3a_other"})
