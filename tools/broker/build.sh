#!/usr/bin/env bash
# Build the mock-cluster broker (tests and local runs only) into tools/broker/dist/.
# Needs gcc and Debian's librdkafka-dev (.ci/run installs both).
# Safe to call from several processes at once (jest workers do): the
# up-to-date check and the build run under one lock, and the binary appears
# by an atomic rename of a file only this process wrote.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p dist
exec 9>dist/.build.lock
flock 9
if [ dist/broker -nt broker.c ] && [ "${1:-}" != "--force" ]; then
  exit 0
fi
if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  echo "broker: /usr/include/librdkafka/rdkafka_mock.h is missing: apt-get install librdkafka-dev" >&2
  exit 1
fi
tmp="dist/broker.tmp.$$"
trap 'rm -f "$tmp"' EXIT
gcc -O2 -Wall -Wextra -Werror -std=c11 -D_POSIX_C_SOURCE=200809L -o "$tmp" broker.c -lrdkafka
mv -f "$tmp" dist/broker
