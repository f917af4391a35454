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
cat <<MSG

  heraldd is starting on ./var/herald.db against the carrier simulator.
  In another terminal, queue a text and watch it move:

    sqlite3 var/herald.db "INSERT INTO outbox (org, sender, to_number, body) VALUES ('demo', 'alice', '+16125550123', 'Hello from Herald');"
    sqlite3 -header var/herald.db "SELECT id, state, display_status, segments, carrier_sid FROM messages ORDER BY id DESC LIMIT 5;"

  Or steer it through its admin socket:

    $bin/heraldctl --socket var/admin.sock status
    $bin/heraldctl --socket var/admin.sock send --org demo --from alice --to "(612) 555-0123" "Hi from heraldctl"
    $bin/heraldctl --socket var/admin.sock watch

MSG
"$bin/heraldd" --config etc/herald/herald.dev.toml
