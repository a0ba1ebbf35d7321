#!/bin/sh
# First start of the event-store database: the login users of the migration's roles, with their
# passwords from the secret files. The roles get their grants from `casus migreer`.
#
# `api` is the login of the API (`casus api`, and the operators' `beheer` service beside it): role
# casus_medewerker, which reads the record and the read models and keeps the household keys; it
# appends no event (the worker does). Caseworkers have no database login anymore: their CLI holds
# only a token and calls the API, so there is no `medewerker` login.
set -eu
wachtwoord() { tr -d '\n' < "/run/secrets/$1"; }
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v worker="$(wachtwoord eventstore_worker_password)" \
  -v projecties="$(wachtwoord eventstore_projecties_password)" \
  -v api="$(wachtwoord eventstore_api_password)" <<'SQL'
CREATE ROLE casus_worker NOLOGIN;
CREATE ROLE casus_projecties NOLOGIN;
CREATE ROLE casus_lezer NOLOGIN;
CREATE ROLE casus_medewerker NOLOGIN IN ROLE casus_lezer;
CREATE ROLE worker LOGIN PASSWORD :'worker' IN ROLE casus_worker;
CREATE ROLE projecties LOGIN PASSWORD :'projecties' IN ROLE casus_projecties;
CREATE ROLE api LOGIN PASSWORD :'api' IN ROLE casus_medewerker;
SQL
