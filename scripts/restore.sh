#!/usr/bin/env bash
# Restore a dump made by scripts/backup.sh into a target database.
#
#   scripts/restore.sh [--force] DUMPFILE TARGET_DATABASE_URL
#
# The target database must exist (createdb, or your managed PostgreSQL's console). A target
# that already holds tables is refused unless --force is given; --force drops and recreates
# every object in the dump (pg_restore --clean). The restore is one transaction: it either
# completes or leaves the target as it was.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/pg-url.sh
. "$here/pg-url.sh"

usage() {
    echo "usage: $0 [--force] DUMPFILE TARGET_DATABASE_URL" >&2
    exit 2
}

force=0
args=()
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h | --help) usage ;;
        *) args+=("$arg") ;;
    esac
done
[[ ${#args[@]} -eq 2 ]] || usage
dump="${args[0]}"
target="${args[1]}"
[[ -r "$dump" ]] || { echo "cannot read dump file $dump" >&2; exit 2; }

libpq_uri "$target"
uri="$PG_URI"
psql_q() { "${PSQL:-psql}" --no-psqlrc --quiet --tuples-only --no-align --dbname="$uri" "$@"; }

tables="$(psql_q --command="
    SELECT count(*) FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%'")"
clean=()
if [[ "$tables" != "0" ]]; then
    if [[ $force -ne 1 ]]; then
        echo "refusing to restore: the target database is not empty ($tables tables)." >&2
        echo "Restore into a new database, or pass --force to overwrite it." >&2
        exit 3
    fi
    clean=(--clean --if-exists)
fi

"${PG_RESTORE:-pg_restore}" --no-owner --no-privileges --exit-on-error --single-transaction \
    "${clean[@]}" --dbname="$uri" "$dump"
# pg_restore does not carry planner statistics; without them the first queries are slow.
psql_q --command="ANALYZE" >/dev/null
echo "restored $dump (tables before: $tables)"
