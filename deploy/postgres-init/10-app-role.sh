#!/bin/sh
# Run once by the postgres image when its data directory is new: the role the web server and
# the workers connect as. It owns nothing; `migrate` (as the owner, POSTGRES_USER) creates the
# tables and `manage.py grant_app_role` gives this role what it may do (docs/security.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE chuishao_app LOGIN PASSWORD '${APP_DB_PASSWORD}';
GRANT CONNECT ON DATABASE "$POSTGRES_DB" TO chuishao_app;
SQL
