#!/usr/bin/env bash
# Is TABLE, as it is now, exactly what revision REV of this project creates?
# Usage, where alembic.ini is: bash compare-with-revision.sh REV TABLE
# Builds REV in a scratch database on the same server (PG* variables name the server and the
# database), compares the two pg_dumps of TABLE, and drops the scratch database.
set -euo pipefail
rev=$1 table=$2
scratch="scratch_$$"
createdb "$scratch"
trap 'dropdb "$scratch"' EXIT
if ! log=$(DATABASE_URL="postgresql:///$scratch" alembic upgrade "$rev" 2>&1); then
    echo "$log"; exit 1
fi
dump() {
    pg_dump --schema-only --no-owner --no-privileges --table="$table" "$@" |
        grep -v -e '^--' -e '^\\' -e '^SET ' -e '^SELECT pg_catalog' -e '^$'
}
if diff -u --label "$table as revision $rev creates it" --label "$table now" <(dump "$scratch") <(dump); then
    echo "Same: $table is what revision $rev creates. Mark the revision applied: alembic stamp $rev"
else
    echo "Different: the lines marked - and + differ. Drop or rename what differs, then retry."
    exit 1
fi
