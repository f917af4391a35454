#!/usr/bin/env bash
# `make run`: the carrier simulator on 127.0.0.1:8089 and heraldd on the dev profile, state in ./var.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)
mkdir -p var
[ -s var/carrier-token ] || echo "simulator-token" > var/carrier-token
"$bin/herald-carrier-sim" --host 127.0.0.1 --port 8089 --account-sid ACsimulator \
    --auth-token-file var/carrier-token --callback-delay-ms 100 \
    --inbound-url http://127.0.0.1:8088/webhooks/inbound &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
# The quick tour is README's, printed from there so the two cannot disagree; QuickTourTests runs it.
{
  echo
  echo "  heraldd is starting on ./var/herald.db against the carrier simulator."
  echo "  In another terminal, from $(pwd), take README's quick tour:"
  echo
  sed -n '/^<!-- tour/,/^<!-- \/tour -->/p' README.md | grep -v -e '^<!--' -e '^```' | sed 's/^/    /'
  echo
}
"$bin/heraldd" --config etc/herald/herald.dev.toml
