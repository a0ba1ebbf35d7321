"""How the code is allowed to depend on itself (STYLE.md: imports point inward)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path
from typing import get_args

from domain import gebeurtenissen as g

ROOT = Path(__file__).resolve().parents[2]
PURE_ALLOWED = {"pydantic", "domain"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_domain_imports_only_the_standard_library_and_pydantic() -> None:
    for path in (ROOT / "domain").rglob("*.py"):
        extern = _imports(path) - PURE_ALLOWED - set(sys.stdlib_module_names)
        assert not extern, f"{path.relative_to(ROOT)} imports {sorted(extern)}"


def test_regional_differences_are_data_not_code() -> None:
    """RULES.md: never an `if regio == ...`; no code names a region or a policy id."""
    pattern = re.compile(r"ijmond|gelderland", re.IGNORECASE)
    for package in ("domain", "workflows", "activities", "projections", "eventstore"):
        for path in (ROOT / package).rglob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), f"{path.relative_to(ROOT)} names a region"


def test_the_workflow_reads_no_wall_clock_and_does_no_io() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "workflows").rglob("*.py"))
    for forbidden in ("datetime.now", "time.time", "random", "open(", "os.environ", "uuid4"):
        assert forbidden not in source, forbidden


def test_nothing_reads_the_environment_at_import_time() -> None:
    for path in ROOT.glob("*/*.py"):
        if path.parts[-2] in {"domain", "workflows", "activities", "projections", "eventstore", "runtime", "casus_cli"}:
            module_level = [
                n
                for n in ast.parse(path.read_text(encoding="utf-8")).body
                if not isinstance(n, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
            ]
            assert "os.environ" not in "\n".join(ast.unparse(n) for n in module_level), path


def test_no_product_or_benchmark_code_imports_from_the_tests() -> None:
    delen = ("domain", "workflows", "activities", "projections", "eventstore", "runtime", "casus_cli", "api", "casus_verify", "bench")
    bestanden = [p for deel in delen for p in (ROOT / deel).rglob("*.py")] + [ROOT / "worker.py"]
    assert len(bestanden) > 50
    fout = [str(p.relative_to(ROOT)) for p in bestanden if "tests" in _imports(p)]
    assert not fout, f"import from tests/: {fout}"


# The rings (DESIGN.md, revision of 2026-11-30; issue 13): a package imports only from rings inside its own.
RINGEN: dict[str, int] = {
    "domain": 0, "casus_verify": 0, "runtime": 1, "eventstore": 2, "projections": 3, "activities": 4, "workflows": 5,
    "service": 6, "api": 7, "casus_cli": 7, "worker": 7, "bench": 7,
}  # fmt: skip
# Where a package of the outer ring may use another one of it, and why.
BUREN: dict[str, tuple[set[str], str]] = {
    "casus_cli/dev.py": ({"api", "worker"}, "`casus dev` is the embedded stack: it runs the worker and serves the API"),
    "casus_cli/api_commando.py": ({"api"}, "`casus api` serves the API"),
    "bench/api_meting.py": ({"api"}, "the benchmark measures the API"),
}
# The CLI's caseworker commands are the API's clients: they reach nothing of the trusted side.
CLIENT = ("casus_cli/client.py", "casus_cli/main.py", "casus_cli/opstart.py", "casus_cli/inloggen.py", "casus_cli/aanmelden.py")


def _bestanden(pakket: str) -> list[Path]:
    return [ROOT / "worker.py"] if pakket == "worker" else sorted((ROOT / pakket).rglob("*.py"))


def _overtredingen(naam: str, pakket: str, imports: set[str]) -> list[str]:
    toegestaan, _ = BUREN.get(naam, (set(), ""))
    return [
        f"{naam} imports {doel}"
        for doel in sorted(imports & set(RINGEN))
        if doel != pakket and RINGEN[doel] >= RINGEN[pakket] and doel not in toegestaan
    ]


def test_every_import_points_inward_through_the_rings() -> None:
    fout = [
        regel
        for pakket in RINGEN
        for pad in _bestanden(pakket)
        for regel in _overtredingen(str(pad.relative_to(ROOT)), pakket, _imports(pad))
    ]
    assert not fout, "\n".join(fout)


def test_the_caseworker_commands_import_nothing_of_the_trusted_side() -> None:
    vertrouwd = {"service", "eventstore", "projections", "workflows", "activities", "worker", "api", "temporalio", "psycopg"}
    for naam in CLIENT:
        pad = ROOT / naam
        if pad.exists():
            assert not _imports(pad) & vertrouwd, f"{naam} imports {sorted(_imports(pad) & vertrouwd)}"


def test_the_ring_test_sees_a_wrong_import() -> None:
    """The check can fail: an inner ring importing an outer one, or one outer package another."""
    assert _overtredingen("eventstore/x.py", "eventstore", {"service", "domain"}) == ["eventstore/x.py imports service"]
    assert _overtredingen("api/x.py", "api", {"casus_cli"}) == ["api/x.py imports casus_cli"]
    assert _overtredingen("casus_cli/dev.py", "casus_cli", {"api", "worker", "service"}) == []


def test_every_kind_of_event_is_final_so_its_type_says_what_isinstance_says() -> None:
    """The read models, the fold and the check of a stored event test an event's kind by `type(e)
    is X` (domain/gebeurtenissen.py): sound only while no kind of event is a subclass of another."""
    soorten = get_args(get_args(g.Gebeurtenis)[0])
    assert len(soorten) > 30 and all(s.__bases__ == (g._Gebeurtenis,) for s in soorten)
    assert all(not s.__subclasses__() for s in soorten), [s.__name__ for s in soorten if s.__subclasses__()]
    assert set(g._Gebeurtenis.__subclasses__()) == set(soorten), "a kind of event outside the union"
