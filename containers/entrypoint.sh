#!/bin/sh
# Entrypoint of the locally built mrp-postgres:<major> images (containers/build.sh).
#
# Reads the official postgres image's variables, as testcontainers' PostgresContainer sets them:
# POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless
# POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_DB (default: the user's name), POSTGRES_INITDB_ARGS,
# PGDATA. On first start: initdb -E UTF8 --locale=C.UTF-8 (a minimal root would otherwise give
# SQL_ASCII, and psycopg then returns bytes), password auth (scram-sha-256) over TCP from anywhere,
# trust on the local socket, listen on '*' port 5432. Arguments pass through like the official
# image: `postgres -c fsync=off ...` or `-c fsync=off ...` run the server with those settings,
# anything else is run as given. The server runs as the `postgres` user (the binaries refuse root).
set -eu

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi

if [ "$1" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /var/run/postgresql
  HOME=$(getent passwd postgres | cut -d: -f6)
  export HOME
  exec setpriv --reuid=postgres --regid=postgres --init-groups sh "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
    echo "entrypoint: POSTGRES_PASSWORD is not set: set it (or POSTGRES_HOST_AUTH_METHOD=trust)" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of words, as in the official image
  initdb -D "$PGDATA" --username="$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null
  rm -f "$pwfile"
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  printf "\nlisten_addresses = '*'\nport = 5432\n" >>"$PGDATA/postgresql.conf"
  if [ "$db" != postgres ]; then
    # Single-user mode: no socket, no TCP, nothing can connect before the database exists.
    ident=$(printf '%s' "$db" | sed 's/"/""/g')
    echo "CREATE DATABASE \"$ident\";" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "entrypoint: initialised $PGDATA (user $user, database $db, UTF8, C.UTF-8)"
fi

exec "$@"
