"""The casus API: the one front door.

- `identiteit`: who asks, from a verified OpenID Connect token (`Verificateur`, `Gebruiker`,
  `controleer_als`); `instellingen` (CASUS_OIDC_*), `sleutels` (the issuer's JWKS), `fouten`
  (`IdentiteitError` and its reason codes) serve it.
- `uitgever`: the development issuer `casus dev` brings (`start_uitgever`); `uitgever_kern` is its logic.
- `aanmelden`: getting a token for `casus login` (device flow, development login); httpx and the
  standard library only, so the CLI can import it cheaply.
"""
