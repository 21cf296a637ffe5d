#!/usr/bin/env bash
# Make sure a Docker engine answers; start one if not. Idempotent.
#
# - A daemon already answers (`docker version`): nothing to do.
# - Root with apt-get: install Debian's engine (docker.io, skipped when dockerd exists), start
#   dockerd in the background with --ip 127.0.0.1 (every published port binds to 127.0.0.1 only) and
#   --userland-proxy=false (the kernel forwards a published port; no docker-proxy process copies each
#   connection's bytes: a version session spent 35 CPU-seconds in it and the extra context switches),
#   log to $MRP_DOCKERD_LOG (default /tmp/mrp-dockerd.log), wait up to 60 s for it to answer.
# - Otherwise: one line saying why there is no engine; exit 0 (the container tests then skip).
set -euo pipefail

log=${MRP_DOCKERD_LOG:-/tmp/mrp-dockerd.log}
start=$(date +%s)

if docker version >/dev/null 2>&1; then
  echo "engine.sh: a Docker engine already answers (server $(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "engine.sh: no Docker engine answers and this is not root with apt-get: start Docker yourself" \
    "(e.g. as root: apt-get install docker.io && dockerd --ip 127.0.0.1 &); the container tests will be skipped" >&2
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  echo "engine.sh: installing Debian's Docker engine with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io containerd runc iptables; } \
    >>/tmp/mrp-engine-apt.log 2>&1; then
    echo "engine.sh: apt-get install docker.io failed (see /tmp/mrp-engine-apt.log); the container tests will be skipped" >&2
    exit 0
  fi
  echo "engine.sh: installed in $(($(date +%s) - start)) s"
fi

# A dockerd of ours may be starting already (a concurrent run): only start one when none runs.
pidfile=/var/run/docker.pid
if ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
  echo "engine.sh: starting dockerd --ip 127.0.0.1 --userland-proxy=false (log: $log)"
  # setsid: the engine outlives the shell (and the process group) that started it.
  setsid nohup dockerd --ip 127.0.0.1 --userland-proxy=false >>"$log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if docker version >/dev/null 2>&1; then
    echo "engine.sh: Docker engine $(docker version --format '{{.Server.Version}}') answers" \
      "($(($(date +%s) - start)) s including install and start)"
    exit 0
  fi
  sleep 1
done
echo "engine.sh: dockerd did not answer within 60 s (see $log); the container tests will be skipped" >&2
tail -n 5 "$log" >&2 || true
exit 0
