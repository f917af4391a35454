#!/usr/bin/env bash
# `make bench`: a private nginx on a free loopback port plays a carrier that accepts every
# Messages POST at once with a canned 201. First `herald-bench external` drives the real heraldd
# release binary from outside, as an operator runs it (the figures that count, docs/benchmarks.md
# "The real heraldd, seen from outside"); then the in-process herald-bench times Herald and the
# bare libcurl ceiling against the same nginx. Nothing outside a temp folder is touched. Then it
# times the 64-in-flight run again with texts already sent and waiting for reconciliation, which
# nginx answers `delivered` when looked up, and prints both figures side by side.
#
#   BENCH_EXTERNAL_TEXTS=50000 BENCH_DEFERRED=1000000 BENCH_REPEATS=3 scripts/bench.sh
#   BENCH_EXTERNAL=0 skips the external runs, BENCH_IN_PROCESS=0 the in-process ones,
#   BENCH_SHARED_QUEUE=0 the PostgreSQL ones (BENCH_SHARED_QUEUE_TEXTS, BENCH_SHARED_QUEUE_INSTANCES="1 3");
#   BENCH_EXTERNAL_SCALE=0 skips the scale guards (deferred queue, RSS, ingest);
#   BENCH_PERF_RECORD=/tmp/heraldd.perf adds one profiled heraldd run (perf record -e cpu-clock -g);
#   BENCH_EXTERNAL_ARGS="--skip-throughput --skip-scale" with it runs the profile alone.
#   BENCH_MESSAGES=50000 BENCH_IN_FLIGHT="64 128" scripts/bench.sh [more in-process herald-bench options]
#   BENCH_RECONCILE_BACKLOG=0 skips the backlog run; BENCH_RECONCILE_IN_FLIGHT (64) sets its width.
set -euo pipefail
cd "$(dirname "$0")/.."

bench=${HERALD_BENCH:-.build/release/herald-bench}
heraldd=${HERALDD:-.build/release/heraldd}
heraldctl=${HERALDCTL:-.build/release/heraldctl}
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$bench" ] || { echo "bench.sh: $bench is missing; run 'make bench'" >&2; exit 1; }
[ -x "$nginx" ] || { echo "bench.sh: nginx not found; run 'make bench' (installs nginx-light)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/herald-bench-nginx.XXXXXX")
# Started as root, nginx runs its worker as nobody, which must be able to enter the prefix.
chmod 755 "$tmp"

stop_nginx() {
    if [ -s "$tmp/nginx.pid" ]; then
        local pid
        pid=$(cat "$tmp/nginx.pid")
        kill -QUIT "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap stop_nginx EXIT

write_conf() {
    cat > "$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/error.log warn;
events {
    worker_connections 2048;
}
http {
    access_log off;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    # The benchmark holds connections open for the whole run; never make it reconnect.
    keepalive_requests 100000;
    keepalive_timeout 60;
    server {
        listen 127.0.0.1:$1 backlog=1024;
        default_type application/json;
        # A constant sid: Herald stores it (message_sid is a plain, non-unique index) and never
        # needs it unique unless status callbacks arrive, and this carrier sends none.
        location ~ ^/2010-04-01/Accounts/[^/]+/Messages\.json\$ {
            return 201 '{"sid":"SM0123456789abcdef0123456789abcdef","status":"queued","num_segments":"1","error_code":null,"error_message":null}';
        }
        # Reconciliation's lookup by sid: every text the bench asks about has been delivered.
        # Logged, so the backlog run can say how many lookups went out beside the sends.
        location ~ ^/2010-04-01/Accounts/[^/]+/Messages/[^/]+\.json\$ {
            access_log $tmp/lookups.log;
            return 200 '{"sid":"SM0123456789abcdef0123456789abcdef","status":"delivered","num_segments":"1","error_code":null,"error_message":null}';
        }
        location / {
            return 404 '{"code":20404,"message":"not found","status":404}';
        }
    }
}
CONF
}

# `daemon on` makes nginx exit non-zero when it cannot bind, so a port taken between picking and
# binding just means trying another one.
port=""
for _ in $(seq 20); do
    candidate=$((20000 + RANDOM % 40000))
    write_conf "$candidate"
    if "$nginx" -p "$tmp" -e "$tmp/error.log" -c "$tmp/nginx.conf" 2>>"$tmp/start.log"; then
        port=$candidate
        break
    fi
done
if [ -z "$port" ]; then
    echo "bench.sh: nginx did not start:" >&2
    cat "$tmp/start.log" "$tmp/error.log" >&2 2>/dev/null || true
    exit 1
fi
echo "nginx $("$nginx" -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$port (prefix $tmp)"

run() {
    "$bench" --carrier-url "http://127.0.0.1:$port" --messages "${BENCH_MESSAGES:-20000}" "$@" | tee -a "$tmp/bench.log"
}

# The value of one key=value field of the BENCH line for a width and a backlog.
figure() {
    { grep "^BENCH .* in_flight=$1 reconcile_backlog=$2 " "$tmp/bench.log" || true; } | tail -n 1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}

# The real heraldd from outside: each figure 3 times, median and range, goals beside them.
if [ "${BENCH_EXTERNAL:-1}" != 0 ]; then
    for binary in "$heraldd" "$heraldctl"; do
        [ -x "$binary" ] || { echo "bench.sh: $binary is missing; run 'make bench'" >&2; exit 1; }
    done
    external=(--texts "${BENCH_EXTERNAL_TEXTS:-50000}" --deferred "${BENCH_DEFERRED:-1000000}" --repeats "${BENCH_REPEATS:-3}")
    [ "${BENCH_EXTERNAL_SCALE:-1}" != 0 ] || external+=(--skip-scale)
    [ -z "${BENCH_PERF_RECORD:-}" ] || external+=(--perf-record "$BENCH_PERF_RECORD")
    # BENCH_EXTERNAL_ARGS: more options, word-split, e.g. "--skip-throughput --skip-scale" for a profile alone.
    # shellcheck disable=SC2086
    "$bench" external --carrier-url "http://127.0.0.1:$port" --heraldd "$heraldd" --heraldctl "$heraldctl" "${external[@]}" ${BENCH_EXTERNAL_ARGS:-}
fi
# PostgreSQL: one heraldd, and three sharing one queue, beside SQLite (docs/benchmarks.md, "Several
# instances on PostgreSQL"). A private cluster in a temp folder, on a Unix socket only, with
# PostgreSQL's durable defaults (fsync, synchronous_commit), run as nobody when this runs as root.
if [ "${BENCH_SHARED_QUEUE:-1}" != 0 ]; then
    pgbin=${HERALD_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
    [ -x "$pgbin/initdb" ] || { echo "bench.sh: PostgreSQL's initdb not found; run 'make bench' (installs postgresql)" >&2; exit 1; }
    pg=$(mktemp -d /tmp/herald-bench-pg.XXXXXX)
    as_owner() { if [ "$(id -u)" = 0 ]; then chown nobody "$pg"; runuser -u nobody -- env -C / "$@"; else env -C / "$@"; fi; }
    stop_postgres() { as_owner "$pgbin/pg_ctl" -D "$pg/data" -m fast -w stop >/dev/null 2>&1 || true; rm -rf "$pg"; stop_nginx; }
    trap stop_postgres EXIT
    as_owner "$pgbin/initdb" -D "$pg/data" -U herald --auth=trust -E UTF8 --no-locale >"$pg/initdb.log" 2>&1 \
        || { cat "$pg/initdb.log" >&2; exit 1; }
    cat >>"$pg/data/postgresql.conf" <<PGCONF
listen_addresses = ''
unix_socket_directories = '$pg'
port = 5432
max_connections = 200
shared_buffers = 128MB
PGCONF
    as_owner "$pgbin/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w start >/dev/null || { cat "$pg/server.log" >&2; exit 1; }
    echo "postgresql $("$pgbin/postgres" --version | awk '{print $3}') on $pg/.s.PGSQL.5432"
    # shellcheck disable=SC2086
    "$bench" shared-queue --carrier-url "http://127.0.0.1:$port" --postgres-socket-folder "$pg" --heraldd "$heraldd" \
        --heraldctl "$heraldctl" --texts "${BENCH_SHARED_QUEUE_TEXTS:-20000}" --repeats "${BENCH_REPEATS:-3}" \
        --instances ${BENCH_SHARED_QUEUE_INSTANCES:-1 3}
fi
[ "${BENCH_IN_PROCESS:-1}" != 0 ] || exit 0

# The default max_in_flight (64) and a wider gateway (256), one run each, same endpoint.
for in_flight in ${BENCH_IN_FLIGHT:-64 256}; do
    run --in-flight "$in_flight" "$@"
done

lookups() { if [ -f "$tmp/lookups.log" ]; then wc -l < "$tmp/lookups.log"; else echo 0; fi; }

# The same width again with a reconcile backlog; the rules and the fan-out were timed above.
backlog=${BENCH_RECONCILE_BACKLOG:-10000}
reconcile_width=${BENCH_RECONCILE_IN_FLIGHT:-64}
if [ "$backlog" -gt 0 ]; then
    [ -n "$(figure "$reconcile_width" 0 herald_msgs_per_s)" ] || run --in-flight "$reconcile_width" "$@"
    before=$(lookups)
    run --in-flight "$reconcile_width" --fan-out-members 0 --reconcile-backlog "$backlog" "$@"
    echo "reconcile: nginx answered $(($(lookups) - before)) lookups by sid while that heraldd ran"
    without=$(figure "$reconcile_width" 0 herald_msgs_per_s)
    with=$(figure "$reconcile_width" "$backlog" herald_msgs_per_s)
    if [ -n "$without" ] && [ -n "$with" ]; then
        echo "reconcile: at $reconcile_width in flight, herald $without msg/s with no text waiting for reconciliation," \
            "$with msg/s with $backlog waiting (ratio $(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a / b }'))"
        echo "BENCH_RECONCILE in_flight=$reconcile_width backlog=$backlog without_msgs_per_s=$without with_msgs_per_s=$with" \
            "without_ceiling_per_s=$(figure "$reconcile_width" 0 curl_ceiling_per_s) with_ceiling_per_s=$(figure "$reconcile_width" "$backlog" curl_ceiling_per_s)"
    fi
fi
