"""How the code is allowed to depend on itself (STYLE.md: imports point inward)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

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
