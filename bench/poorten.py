"""Free ports for the servers the tests and the benchmarks start (the API, Temporal, the development
issuer, metrics, a proxy in front of PostgreSQL)."""

from __future__ import annotations

import random
import socket

# Below the low end of /proc/sys/net/ipv4/ip_local_port_range (32768 by default on Linux), the range
# the kernel hands out to outgoing connections and to a bind to port 0, and above the ports services
# commonly listen on.
LAAGSTE, HOOGSTE = 20000, 32000
POGINGEN = 1000

_kans = random.Random()  # its own generator: a test that seeds the global one (hypothesis does) does not repeat ports
_uitgegeven: set[int] = set()


def vrije_poort() -> int:
    """A port free on 127.0.0.1, below the range the kernel hands out to outgoing connections.

    A port from that range (what a bind to port 0 gives) can be taken as the local end of a connection
    to PostgreSQL or Temporal between the moment it is found free and the moment the server binds it:
    the server then fails with "Errno 98 address already in use" (it stopped `casus dev` in CI once).
    A port below it is taken only by a process that binds it, so a random one is checked by a bind and
    another tried while it is in use. A port once given is not given again in this process, so two
    servers started together do not get the same one."""
    for _ in range(POGINGEN):
        poort = _kans.randint(LAAGSTE, HOOGSTE)
        if poort in _uitgegeven:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", poort))
            except OSError:
                continue
        _uitgegeven.add(poort)
        return poort
    raise RuntimeError(f"no free port between {LAAGSTE} and {HOOGSTE} on 127.0.0.1 in {POGINGEN} tries")
