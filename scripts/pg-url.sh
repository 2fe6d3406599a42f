# Sourced by backup.sh and restore.sh: turn a django-environ DATABASE_URL into a libpq URI
# without the password, which goes into PGPASSWORD instead, so it never shows in `ps`.
# shellcheck shell=bash

urldecode() {
    local s="${1//+/ }"
    printf '%b' "${s//%/\\x}"
}

# libpq_uri URL: sets PG_URI=postgresql://user@host:port/db?params and exports PGPASSWORD
# if the URL has one. Call it directly, not in $(...): a subshell would lose both.
libpq_uri() {
    local url="$1" rest userinfo hostpart user pass
    case "$url" in
        postgres://* | postgresql://* | pgsql://* | psql://*) ;;
        *)
            echo "not a PostgreSQL URL (postgres://user:password@host:port/dbname)" >&2
            return 2
            ;;
    esac
    rest="${url#*://}"
    if [[ "$rest" == *@* ]]; then
        userinfo="${rest%%@*}"
        hostpart="${rest#*@}"
        user="${userinfo%%:*}"
        if [[ "$userinfo" == *:* ]]; then
            pass="${userinfo#*:}"
            PGPASSWORD="$(urldecode "$pass")"
            export PGPASSWORD
        fi
        rest="${user}@${hostpart}"
    fi
    PG_URI="postgresql://${rest}"
}
