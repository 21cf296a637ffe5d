# The rehearsal server and its file system gone (as root).
MOUNT=${MOUNT:-/srv/rehearsal} IMAGE=${IMAGE:-/var/lib/rehearsal.img} RUN_AS=${RUN_AS:-postgres}
runuser -u "$RUN_AS" -- pg_ctl --pgdata "$MOUNT/data" --mode fast --wait stop > /dev/null
umount "$MOUNT"
rm "$IMAGE"
