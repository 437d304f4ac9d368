#!/bin/sh
# A docker-compatible CLI for the tests that run build and push steps for real (WAYMARK_DOCKER points
# here): Debian's Podman with its storage in $WAYMARK_TEST_PODMAN_DIR, the settings that work as root
# inside a CI container (vfs storage, cgroupfs, events to a file), and plain HTTP to the loopback
# registry the test starts. Nothing on the machine is configured by it.
set -eu
dir="${WAYMARK_TEST_PODMAN_DIR:?set WAYMARK_TEST_PODMAN_DIR}"
command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  push|login|pull) set -- "$command" --tls-verify=false "$@" ;;
  "") ;;
  *) set -- "$command" "$@" ;;
esac
exec podman --root "$dir/root" --runroot "$dir/run" --storage-driver=vfs --cgroup-manager=cgroupfs \
  --events-backend=file --tmpdir "$dir/tmp" "$@"
