#!/usr/bin/env bash
# Finds, or installs from Debian's packages, the real services the tests use: redis-server (the Redis
# presence store, SPEC rules across a cluster) and chromium (the Instances page in a real browser).
# Runs before `npm test` (pretest). Nothing is downloaded from anywhere else.
# Without root and without the packages it says so; the tests that need them then skip with that reason.
set -uo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
  echo "setup: apt-get install ${missing[*]} failed; the tests that need them will skip" >&2
else
  echo "setup: ${missing[*]} not found and cannot install (needs root and apt-get): the tests that need them will skip" >&2
fi
exit 0
