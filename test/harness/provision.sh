#!/usr/bin/env bash
# Makes sure this machine has what the test suite needs. Idempotent: a few
# seconds when everything is already there.
#
# - Debian packages, every one named (nothing arrives by "recommends"): podman
#   with runc, conmon, catatonit and the netavark network stack (netavark,
#   aardvark-dns, iptables), debootstrap, git, dovecot-imapd, chromium, tmux
#   (installed with apt-get when root; otherwise prints the command)
# - a test containers.conf under the cache dir (podman is pointed at it with
#   CONTAINERS_CONF by the tests; /etc is never edited)
# - the base image localhost/airut-test-base:bookworm, from a cached debootstrap
#   tarball (no registry is needed)
set -euo pipefail

CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/airut-test"
IMAGE="localhost/airut-test-base:bookworm"
INCLUDE="ca-certificates,curl,git,dnsutils,netcat-openbsd,iproute2,iputils-ping"
# Without netavark named here, podman's dependency on "container-network-stack"
# is met by the CNI plugins and podman silently runs on CNI, which Airut refuses.
PACKAGES=(podman runc conmon catatonit netavark aardvark-dns iptables debootstrap git dovecot-imapd tmux)
CHROMIUM=(chromium)

log() { printf 'provision: %s\n' "$*" >&2; }
die() { printf 'provision: %s\n' "$*" >&2; exit 1; }

mkdir -p "$CACHE"

missing=()
for p in "${PACKAGES[@]}" "${CHROMIUM[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    die "missing Debian packages: ${missing[*]}. Run as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # --no-install-recommends keeps chromium from upgrading systemd and more.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The dovecot package starts a system instance where it can; the tests run their own.
  (command -v systemctl >/dev/null && systemctl stop dovecot 2>/dev/null) || true
  pkill -x dovecot 2>/dev/null || true
fi

CONF="$CACHE/containers.conf"
want_conf='# Written by test/harness/provision.sh for the Airut test suite.
# runc + cgroupfs: crun refuses hybrid cgroup v1 hosts; ulimits within the hard limits.
# The event log is never rotated: a rotation drops events a follower is reading (tests count containers from it).
[containers]
default_ulimits = [ "nofile=1024:1024", "nproc=1024:1024" ]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_max_size = "0"
[network]
network_backend = "netavark"'
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$want_conf" ]; then
  printf '%s\n' "$want_conf" > "$CONF"
  log "wrote $CONF"
fi
export CONTAINERS_CONF="$CONF"

if ! podman image exists "$IMAGE"; then
  key=$(printf '%s' "bookworm minbase $INCLUDE" | sha256sum | cut -c1-16)
  tarball="$CACHE/debootstrap-bookworm-$key.tar"
  if [ ! -s "$tarball" ]; then
    [ "$(id -u)" = 0 ] || die "building $IMAGE needs root for debootstrap: sudo npm run provision"
    root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    trap 'rm -rf "$root"' EXIT
    log "debootstrap bookworm into $root (about a minute)"
    debootstrap --variant=minbase --include="$INCLUDE" bookworm "$root" >"$CACHE/debootstrap.log" 2>&1 \
      || die "debootstrap failed; see $CACHE/debootstrap.log"
    rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
    tar -C "$root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$root"
    trap - EXIT
  fi
  log "importing $tarball as $IMAGE"
  podman import -q --change 'CMD=["/bin/bash"]' "$tarball" "$IMAGE" >/dev/null
fi

# The real Claude Code binary for the tests that run it (a download from the
# npm registry the first time, instant afterwards). Needs dist/ (npm run build).
claude_bin=$(node "$(dirname "$0")/fetch-claude.js") \
  || die "could not fetch the Claude Code binary: run npm run build && node test/harness/fetch-claude.js"

log "ok (CONTAINERS_CONF=$CONF, image $IMAGE, claude $claude_bin)"
