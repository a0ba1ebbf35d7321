"""Checks a casus audit bundle without our database, our code or Temporal: the standard library
and `cryptography` only, small enough to read in one sitting (`python -m casus_verify FILE`)."""
