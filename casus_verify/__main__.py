"""python -m casus_verify BUNDLE [--vingerafdruk HEX | --sleutel PEM]: "valid" and exit 0, or each
thing that is wrong and exit 1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from casus_verify.controle import controleer_bestand, vingerafdruk_van_pem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casus_verify", description="Checks a casus audit bundle.")
    parser.add_argument("bundel", type=Path, help="the bundle (JSON) written by `casus audit ID --bundel FILE`")
    vast = parser.add_mutually_exclusive_group()
    vast.add_argument("--vingerafdruk", help="the published SHA-256 fingerprint of the checkpoint key (hex)")
    vast.add_argument("--sleutel", type=Path, help="the published checkpoint public key (PEM)")
    args = parser.parse_args(argv)
    verwacht = args.vingerafdruk
    if args.sleutel is not None:
        try:
            verwacht = vingerafdruk_van_pem(args.sleutel.read_bytes())
        except (OSError, ValueError) as e:
            print(f"invalid: the key {args.sleutel} cannot be read ({e})", file=sys.stderr)
            return 1
    uitslag = controleer_bestand(args.bundel, verwacht)
    if uitslag.fouten:
        print(f"invalid: {args.bundel}")
        for fout in uitslag.fouten:
            print(f"- {fout}")
        return 1
    print(f"valid: {uitslag.samenvatting}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
