# A rehearsal server whose data directory can clone: XFS with reflink on a file, mounted (as root).
# Then `CREATE DATABASE ... STRATEGY FILE_COPY` under file_copy_method = clone (PostgreSQL 18+) shares blocks.
set -euo pipefail
IMAGE=${IMAGE:-/var/lib/rehearsal.img}  # a sparse file: it takes room only as data is written
MOUNT=${MOUNT:-/srv/rehearsal}
SIZE=${SIZE:-50G}                       # room for the restored database and what the rehearsals change
RUN_AS=${RUN_AS:-postgres}              # the system user PostgreSQL runs as

truncate -s "$SIZE" "$IMAGE"
mkfs.xfs -q -m reflink=1 "$IMAGE"
mkdir -p "$MOUNT"
mount -o loop "$IMAGE" "$MOUNT"
install -d -o "$RUN_AS" -m 700 "$MOUNT/data"
install -d -o "$RUN_AS" -m 755 "$MOUNT/run"
runuser -u "$RUN_AS" -- initdb --pgdata "$MOUNT/data" --username postgres --auth trust --encoding UTF8 \
  --locale C.UTF-8 > /dev/null
runuser -u "$RUN_AS" -- pg_ctl --pgdata "$MOUNT/data" --log "$MOUNT/run/log" --wait \
  --options "-c listen_addresses='' -c unix_socket_directories=$MOUNT/run" start > /dev/null
echo "postgresql://postgres@/postgres?host=$MOUNT/run"
