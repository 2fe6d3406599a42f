#!/usr/bin/env bash
# Back up the portal's database: pg_dump in custom format (-Fc) to a timestamped file.
#
#   DATABASE_URL=postgres://user:pass@host:5432/db scripts/backup.sh [DIRECTORY]
#
# DIRECTORY defaults to $BACKUP_DIR, then ./backups. Prints the path of the new dump. The file
# is written under a temporary name and renamed when complete, so a dump that exists is whole.
# With BACKUP_KEEP_DAYS set, dumps older than that are deleted after a successful backup.
# Restore with scripts/restore.sh; docs/deploy.md has the cron line and the restore drill.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/pg-url.sh
. "$here/pg-url.sh"

: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
dir="${1:-${BACKUP_DIR:-./backups}}"
# Dumps hold personal data and the escrow's ciphertexts: readable by the owner only.
umask 077
mkdir -p "$dir"

libpq_uri "$DATABASE_URL"
uri="$PG_URI"
dbname="${uri##*/}"
dbname="${dbname%%\?*}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$dir/${dbname:-portal}-$stamp.dump"
tmp="$out.partial"
trap 'rm -f "$tmp"' EXIT

"${PG_DUMP:-pg_dump}" --format=custom --no-owner --no-privileges --file="$tmp" --dbname="$uri"
# A dump pg_restore cannot list is no backup.
"${PG_RESTORE:-pg_restore}" --list "$tmp" >/dev/null
mv "$tmp" "$out"
trap - EXIT

if [[ -n "${BACKUP_KEEP_DAYS:-}" ]]; then
    find "$dir" -maxdepth 1 -name "${dbname:-portal}-*.dump" -type f \
        -mtime "+$BACKUP_KEEP_DAYS" -delete
fi
echo "$out"
