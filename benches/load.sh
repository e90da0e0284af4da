#!/usr/bin/env bash
# Load benchmark (issue #9): the TechEmpower "fortunes" baseline on this stack, then four of the
# application's pages, one after another on loopback, against a fresh private cluster seeded with
# a realistic volume (benches/load_seed.rs). Prints a markdown table: requests/s and p50/p99 at
# saturation, p99 at half of that rate (a constant request rate), the ratio to the baseline, the
# server's peak RSS and its start-up time to the first 200 on the existing data directory.
#
#   benches/load.sh
#
# Settings (environment): BENCH_DURATION (seconds per measurement, 10), BENCH_WARMUP (2),
# BENCH_CONNECTIONS (16), BENCH_KEEP=1 keeps the temporary data directory. Needs the PostgreSQL
# server programs (as `cargo run` does); installs oha (cargo install) and python3 (apt) if absent.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
CONNS=${BENCH_CONNECTIONS:-16}
HOST=127.0.0.1
APP_PORT=${BENCH_APP_PORT:-18282}
BASE_PORT=${BENCH_BASELINE_PORT:-18181}
PASSWORD=parkcert-demo-2026

log() { printf '\n== %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- tools -----------------------------------------------------------------------------------
OHA=$(command -v oha || true)
if [ -z "$OHA" ]; then
    OHA=$CARGO_TARGET_DIR/tools/bin/oha
    if [ ! -x "$OHA" ]; then
        log "installing oha (once, into $CARGO_TARGET_DIR/tools)"
        CARGO_TARGET_DIR=$CARGO_TARGET_DIR/tools-build \
            cargo install --locked oha --root "$CARGO_TARGET_DIR/tools"
    fi
fi
if ! command -v python3 >/dev/null || ! command -v curl >/dev/null; then
    log "installing python3 and curl"
    as_root apt-get update -qq && as_root apt-get install -y -qq python3 curl
fi
PSQL=$(command -v psql || ls -d /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1)
PG_CTL=$(command -v pg_ctl || ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)
[ -x "$PSQL" ] || { echo "psql not found: apt-get install postgresql" >&2; exit 1; }

# --- build -----------------------------------------------------------------------------------
log "building (release): parkcert, benches/fortunes, benches/load_seed"
BUILD_JSON=$(cargo build --release --bin parkcert --bench fortunes --bench load_seed \
    --message-format=json-render-diagnostics)
exe() { printf '%s\n' "$BUILD_JSON" | grep -o "\"executable\":\"[^\"]*/$1[^\"/]*\"" | tail -1 | cut -d'"' -f4; }
PARKCERT=$(exe parkcert)
FORTUNES=$(exe fortunes)
SEED=$(exe load_seed)
[ -x "$PARKCERT" ] && [ -x "$FORTUNES" ] && [ -x "$SEED" ] || { echo "build outputs not found" >&2; exit 1; }

# --- fresh data directory, cleaned up on exit ------------------------------------------------
WORK=$(mktemp -d /tmp/parkcert-load.XXXXXX)
chmod 755 "$WORK"
export PARKCERT_DATA_DIR=$WORK PARKCERT_PG_DIR=$WORK/pg
unset DATABASE_URL
SERVER_PID=""
BASE_PID=""
cleanup() {
    set +e
    [ -n "$BASE_PID" ] && kill "$BASE_PID" 2>/dev/null && wait "$BASE_PID" 2>/dev/null
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    # The server stops its cluster; should it have died, stop the cluster here.
    if [ -f "$WORK/pg/postmaster.pid" ] && [ -x "$PG_CTL" ]; then
        if [ "$(id -u)" = 0 ]; then
            runuser -u postgres -- "$PG_CTL" stop -D "$WORK/pg" -m fast >/dev/null 2>&1
        else
            "$PG_CTL" stop -D "$WORK/pg" -m fast >/dev/null 2>&1
        fi
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_200() { # url timeout_seconds
    local deadline=$((SECONDS + $2))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; do
        [ $SECONDS -lt $deadline ] || { echo "no 200 from $1" >&2; return 1; }
        sleep 0.05
    done
}

start_server() {
    "$PARKCERT" serve --bind "$HOST:$APP_PORT" >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
}

stop_server() {
    kill "$SERVER_PID" && wait "$SERVER_PID" || true
    SERVER_PID=""
}

# --- seed, start -----------------------------------------------------------------------------
log "seeding the volume into $WORK"
"$SEED"
log "starting the server"
start_server
wait_200 "http://$HOST:$APP_PORT/t/wenzhou/parks" 60

PG_PORT=$(sed -n 4p "$WORK/pg/postmaster.pid")
PG_PASSWORD=$(cat "$WORK/pg/parkcert-superuser.password")
sql() { PGPASSWORD=$PG_PASSWORD "$PSQL" -X -q -t -A -h $HOST -p "$PG_PORT" -U postgres -d "${2:-parkcert}" -c "$1"; }

# --- what to measure: the register, a publicity notice, the bureau's ranked results of the call
# with most applications, an operator's application (the demo's first, on publicity) ------------
NOTICE=$(sql "SELECT n.id FROM publicity_notices n JOIN tenants t ON t.id = n.tenant_id
    WHERE t.slug = 'wenzhou' ORDER BY (SELECT count(*) FROM publicity_entries e
    WHERE e.notice_id = n.id) DESC, n.id LIMIT 1")
CALL=$(sql "SELECT a.call_id FROM applications a JOIN tenants t ON t.id = a.tenant_id
    WHERE t.slug = 'wenzhou' GROUP BY a.call_id ORDER BY count(*) DESC LIMIT 1")
APP=$(sql "SELECT a.id FROM applications a JOIN users u ON u.organization_id = a.organization_id
    AND u.tenant_id = a.tenant_id WHERE u.login = 'wz-operator1' ORDER BY a.id LIMIT 1")

signin() { # tenant login → the session cookie
    local jar=$WORK/$2.jar token
    token=$(curl -s -c "$jar" -b "$jar" "http://$HOST:$APP_PORT/t/$1/login" |
        grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
    curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$token" \
        --data-urlencode "login=$2" --data-urlencode "password=$PASSWORD" \
        "http://$HOST:$APP_PORT/t/$1/login"
    awk '$6 == "parkcert" { print "parkcert=" $7 }' "$jar"
}
BUREAU=$(signin wenzhou wz-bureau)
OPERATOR=$(signin wenzhou wz-operator1)

RESULTS=$WORK/results.tsv
: >"$RESULTS"
measure() { # name url [cookie]
    local name=$1 url=$2 cookie=${3:-} args=()
    [ -n "$cookie" ] && args=(-H "Cookie: $cookie")
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "${args[@]}" "$url")
    [ "$code" = 200 ] || { echo "$name: $url answered $code" >&2; exit 1; }
    log "$name: $url"
    "$OHA" --no-tui -z "${WARMUP}s" -c "$CONNS" "${args[@]}" "$url" >/dev/null
    "$OHA" --no-tui -z "${DURATION}s" -c "$CONNS" --output-format json "${args[@]}" "$url" \
        >"$WORK/$name.sat.json"
    local rate
    rate=$(python3 -c 'import json,sys; print(max(1, int(json.load(open(sys.argv[1]))["summary"]["requestsPerSec"] / 2)))' \
        "$WORK/$name.sat.json")
    "$OHA" --no-tui -z "${DURATION}s" -c "$CONNS" -q "$rate" --latency-correction \
        --output-format json "${args[@]}" "$url" >"$WORK/$name.half.json"
    printf '%s\t%s\n' "$name" "$url" >>"$RESULTS"
}

sql "CREATE DATABASE fortunes" postgres
log "baseline: fortunes"
"$FORTUNES" "postgres://postgres:$PG_PASSWORD@$HOST:$PG_PORT/fortunes" "$HOST:$BASE_PORT" \
    >"$WORK/fortunes.log" 2>&1 &
BASE_PID=$!
wait_200 "http://$HOST:$BASE_PORT/fortunes" 30
measure baseline "http://$HOST:$BASE_PORT/fortunes"
kill "$BASE_PID" && wait "$BASE_PID" || true
BASE_PID=""

measure register "http://$HOST:$APP_PORT/t/wenzhou/parks"
measure publicity "http://$HOST:$APP_PORT/t/wenzhou/publicity/$NOTICE"
measure results "http://$HOST:$APP_PORT/t/wenzhou/bureau/calls/$CALL/review" "$BUREAU"
measure application "http://$HOST:$APP_PORT/t/wenzhou/operator/applications/$APP" "$OPERATOR"

PEAK_RSS_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")

# --- start-up on the existing data directory ----------------------------------------------
log "restarting on the existing data directory"
stop_server
T0=$(date +%s.%N)
start_server
wait_200 "http://$HOST:$APP_PORT/t/wenzhou/parks" 60
T1=$(date +%s.%N)
stop_server

# --- report -----------------------------------------------------------------------------------
python3 - "$WORK" "$RESULTS" "$PEAK_RSS_KB" "$T0" "$T1" "$CONNS" "$DURATION" <<'EOF'
import json, sys
work, results, rss_kb, t0, t1, conns, duration = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(results)]
def load(name, kind):
    return json.load(open(f"{work}/{name}.{kind}.json"))
def pct(d, p):
    lp = d.get("latencyPercentiles", {})
    v = lp.get(p)
    return None if v is None else v * 1000
def ok_share(d):
    dist = d.get("statusCodeDistribution", {})
    total = sum(dist.values())
    return (dist.get("200", 0) / total) if total else 0
base = load("baseline", "sat")["summary"]["requestsPerSec"]
labels = {
    "baseline": "baseline: fortunes (benches/fortunes.rs)",
    "register": "public register",
    "publicity": "publicity notice",
    "results": "bureau: ranked results",
    "application": "operator: application",
}
print()
print(f"{conns} connections, {duration} s per measurement; p99 at half: a constant rate of half the saturated req/s")
print()
print("| page | URL | req/s | p50 (ms) | p99 (ms) | p99 at half rate (ms) | vs baseline |")
print("|---|---|---:|---:|---:|---:|---:|")
for name, url in rows:
    sat, half = load(name, "sat"), load(name, "half")
    rps = sat["summary"]["requestsPerSec"]
    bad = [f"{k}" for k in sat.get("statusCodeDistribution", {}) if k != "200"]
    note = f" (non-200: {', '.join(bad)})" if bad else ""
    path = url.split("/", 3)[3]
    print(f"| {labels.get(name, name)}{note} | `/{path}` | {rps:,.0f} | {pct(sat, 'p50'):.1f} | "
          f"{pct(sat, 'p99'):.1f} | {pct(half, 'p99'):.1f} | {rps / base:.0%} |")
print()
print(f"server peak RSS (VmHWM): {int(rss_kb) / 1024:.1f} MiB")
print(f"start-up to the first 200 on the existing data directory: {float(t1) - float(t0):.2f} s")
EOF
