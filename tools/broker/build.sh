#!/usr/bin/env bash
# Build the mock-cluster broker (tests and local runs only) into tools/broker/dist/.
# Needs gcc and Debian's librdkafka-dev (.ci/run installs both).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p dist
if [ dist/broker -nt broker.c ] && [ "${1:-}" != "--force" ]; then
  exit 0
fi
if [ ! -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  echo "broker: /usr/include/librdkafka/rdkafka_mock.h is missing: apt-get install librdkafka-dev" >&2
  exit 1
fi
gcc -O2 -Wall -Wextra -Werror -std=c11 -D_POSIX_C_SOURCE=200809L -o dist/broker.tmp broker.c -lrdkafka
mv dist/broker.tmp dist/broker
