"""A token never goes in clear over a network to another host (casus_cli/client.py `veilig_adres`)."""

from __future__ import annotations

import pytest

from casus_cli.client import veilig_adres
from casus_cli.fouten import RefusedError


@pytest.mark.parametrize(
    "adres",
    ["https://casus.example.nl", "https://casus.example.nl:8443/api", "http://127.0.0.1:8480", "http://localhost:8480",
     "http://[::1]:8480", "http://api:8480"],
)  # fmt: skip
def test_tls_or_this_machine_or_a_containers_neighbour_is_accepted(adres: str) -> None:
    assert veilig_adres(adres) == adres


@pytest.mark.parametrize(
    "adres",
    ["http://casus.gemeente.example.nl", "http://10.0.0.5:8480", "http://[2001:db8::1]:8480", "ftp://casus.example.nl",
     "casus.example.nl", "http://user@casus.example.nl"],
)  # fmt: skip
def test_plain_http_to_another_host_is_refused_naming_the_setting(adres: str) -> None:
    with pytest.raises(RefusedError) as e:
        veilig_adres(adres)
    assert e.value.veld == "CASUS_API_URL"
