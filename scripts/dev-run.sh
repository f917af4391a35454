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
  In another terminal, queue a journey text to a contact who has not opted in yet. Herald
  holds it (awaiting_consent) and sends the contact an opt-in request on Alice's behalf:

    sqlite3 var/herald.db "INSERT INTO outbox (org, sender, to_number, body, kind) VALUES ('demo', 'alice', '+16125550123', 'Hello from Herald', 'journey');"
    sqlite3 -header var/herald.db "SELECT id, kind, state, held_reason, display_status, carrier_sid FROM messages ORDER BY id DESC LIMIT 5;"

  Then play the contact's phone: reply YES through the simulator. Herald records the opt-in,
  confirms it, and the journey text goes out at once (STOP would cancel it instead):

    curl -s -X POST http://127.0.0.1:8089/sim/inbound -H 'Content-Type: application/json' \
        -d '{"from":"+16125550123","to":"+16125550100","body":"YES"}'
    sqlite3 -header var/herald.db "SELECT * FROM consent_history;"

  Or steer it through its admin socket:

    $bin/heraldctl --socket var/admin.sock status
    $bin/heraldctl --socket var/admin.sock send --org demo --from alice --to "(612) 555-0123" "Hi from heraldctl"
    $bin/heraldctl --socket var/admin.sock watch

MSG
"$bin/heraldd" --config etc/herald/herald.dev.toml
