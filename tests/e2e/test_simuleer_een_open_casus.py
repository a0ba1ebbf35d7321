"""IJM-3.7c through the real `casus` program: `casus simuleer` checks a second melding as `casus
melding` does, and `casus melding` against the embedded stack refuses a second casus for a household
with an open one, naming it and `nieuwe-melding`, unless `--aparte-casus` says why."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

from tests.e2e.conftest import CASUS, Stack

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "ijmond-een-open-casus-per-huishouden.yaml"


def test_IJM_3_7c_simuleer_reports_the_second_melding_refused_with_the_open_casus_named() -> None:
    r = subprocess.run([CASUS, "simuleer", str(SCENARIO), "--json"], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    uitkomst = json.loads(r.stdout)
    fout = uitkomst["fouten"][0]
    assert (fout["stap"], fout["actie"], fout["regel"], fout["veld"]) == (3, "melding", "IJM-3.7c", "huishouden")
    assert f"casus nieuwe-melding {uitkomst['casus_id']}" in fout["melding"]


def melding(
    stack: Stack, huishouden: str, *extra: str, beleid: str = "ijmond-2024", gemeente: str = "heemskerk"
) -> subprocess.CompletedProcess[str]:
    return stack.casus("melding", "--beleid", beleid, "--gemeente", gemeente, "--huishouden", huishouden, "--als", "veilig-thuis", *extra)


def test_IJM_3_7c_casus_melding_refuses_a_second_casus_for_a_household_with_an_open_one(stack: Stack) -> None:
    huishouden = f"HH-3707-{uuid.uuid4().hex[:6]}"
    eerste = melding(stack, huishouden)
    assert eerste.returncode == 0, eerste.stderr
    casus_id = eerste.stdout.strip()
    # The check reads the household read model: wait until the projection runner has the first casus
    # (`lijst` waits for it), the window the check leaves (casus_cli/een_open_casus.py).
    assert casus_id in [c["casus_id"] for c in stack.json("lijst", "--beleid", "ijmond-2024")["casussen"]]

    tweede = melding(stack, huishouden, "--json")
    assert tweede.returncode == 1 and "Traceback" not in tweede.stderr, tweede.stderr
    fout = json.loads(tweede.stdout)["fout"]
    assert (fout["regel"], fout["veld"], fout["exit_code"]) == ("IJM-3.7c", "huishouden", 1)
    assert f"casus nieuwe-melding {casus_id}" in fout["melding"]

    apart = melding(stack, huishouden, "--aparte-casus", "Vader woont apart; een ander huishouden in wording.")
    assert apart.returncode == 0, apart.stderr
    assert apart.stdout.strip() != casus_id
    elders = melding(stack, huishouden, beleid="gelderland-midden-2019", gemeente="ede")
    assert elders.returncode == 0, elders.stderr  # another region's Veilig Thuis: not this casus
