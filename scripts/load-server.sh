#!/usr/bin/env bash
# Load test of `worth serve` (issue #9): the dashboard and the main API calls over a workspace
# of 10,000 solutions, measured with wrk against a server this script starts on loopback.
#
#   scripts/load-server.sh                 # 10,000 solutions, 20 s per scenario
#   SOLUTIONS=2000 DURATION=5 scripts/load-server.sh
#   WORKSPACE=/tmp/ws scripts/load-server.sh   # keep (or reuse) the workspace there
#
# Settings (environment): SOLUTIONS (10000), DURATION (seconds per scenario, 20), THREADS (2),
# CONNECTIONS (8), WARMUP (seconds per scenario before measuring, 3), WORKSPACE (a folder kept
# after the run; without it a temporary one is removed), ONLY (run only the scenarios whose
# name matches this extended regular expression).
#
# The workspace is `worth demo --solutions N`: the seeded sample tenant and a long tail of
# small apps and flows, registered through the audited Writer with value lines, costs and
# stages, and their usage and runs imported through `worth import`'s code. Traffic goes only to
# 127.0.0.1, each scenario stops by itself after DURATION seconds, and the server is stopped
# when the script exits, however it exits.
set -euo pipefail

SOLUTIONS=${SOLUTIONS:-10000}
DURATION=${DURATION:-20}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-8}
WARMUP=${WARMUP:-3}
SEED=42

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v wrk >/dev/null; then
    echo "load-server: installing wrk (Debian package)" >&2
    if [ "$(id -u)" -eq 0 ]; then
        apt-get install -y wrk >/dev/null
    else
        sudo apt-get install -y wrk >/dev/null
    fi
fi
command -v curl >/dev/null || { echo "load-server: curl is needed" >&2; exit 1; }

echo "load-server: building worth (release)" >&2
cargo build --release -q -p worth-cli
worth="$root/target/release/worth"

tmp=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ws=${WORKSPACE:-$tmp/ws}
db="$ws/worth.db"
if [ -n "${WORKSPACE:-}" ] && [ -f "$db" ] && [ -f "$ws/.solutions-$SOLUTIONS" ]; then
    echo "load-server: reusing the workspace $ws" >&2
else
    mkdir -p "$ws"
    echo "load-server: building a workspace of $SOLUTIONS solutions (worth demo)" >&2
    start=$(date +%s)
    "$worth" demo --solutions "$SOLUTIONS" --seed "$SEED" --dir "$ws" >/dev/null
    # The exports and the report are not needed any more (the exports are large).
    rm -rf "$ws/exports" "$ws/report"
    echo "load-server: workspace built in $(( $(date +%s) - start )) s" >&2
    printf 'load\n' >"$ws/.solutions-$SOLUTIONS"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" | "$worth" --db "$db" user add loadtest --admin --password-stdin >/dev/null
    printf '%s\n' "$password" >"$ws/.password"
fi
password=$(cat "$ws/.password")

# Port 0: the system picks a free port, which the server reports on stderr.
"$worth" --db "$db" serve --addr 127.0.0.1:0 2>"$tmp/server.log" &
server_pid=$!
base=
for _ in $(seq 1 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "load-server: the server stopped:" >&2
        cat "$tmp/server.log" >&2
        exit 1
    fi
    addr=$(sed -n 's|.*serving http://\(127\.0\.0\.1:[0-9]*\)/.*|\1|p' "$tmp/server.log" | head -1)
    if [ -n "$addr" ] && curl -fsS -o /dev/null "http://$addr/api/health"; then
        base="http://$addr"
        break
    fi
    sleep 0.1
done
[ -n "$base" ] || { echo "load-server: the server did not answer" >&2; exit 1; }
case "$base" in http://127.0.0.1:*) ;; *) echo "load-server: not loopback: $base" >&2; exit 1 ;; esac

# A session (POST /login) for the page, and an API token made with it for the API.
curl -fsS -o /dev/null -c "$tmp/cookies" --data-urlencode "name=loadtest" \
    --data-urlencode "password=$password" "$base/login"
session=$(awk '$6 == "worth_session" { print $7 }' "$tmp/cookies")
[ -n "$session" ] || { echo "load-server: login failed" >&2; exit 1; }
cookie="worth_session=$session"
csrf=$(curl -fsS -H "Cookie: $cookie" "$base/tokens" \
    | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
token=$(curl -fsS -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
    -d '{"name":"load test"}' "$base/api/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || { echo "load-server: could not create an API token" >&2; exit 1; }
auth="Authorization: Bearer $token"

# A solution of the long tail for /api/solutions/{id}: the middle of the register.
total=$(curl -fsS -H "$auth" "$base/api/solutions?per_page=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
page=$(( total / 2 ))
id=$(curl -fsS -H "$auth" "$base/api/solutions?page=$page&per_page=1" \
    | sed -n 's/.*"items":\[{"id":\([0-9]*\).*/\1/p')

# The first call of a scope evaluates the portfolio (seconds at this size); it is timed once
# here, and every scenario starts with WARMUP seconds of unmeasured load.
t0=$(date +%s.%N)
curl -fsS -o /dev/null -H "$auth" "$base/api/dashboard"
t1=$(date +%s.%N)
cold=$(echo "$t1 - $t0" | bc)

scenarios=(
    "dashboard page|/|Cookie: $cookie"
    "api dashboard|/api/dashboard|$auth"
    "api roi by bu|/api/roi?by=bu|$auth"
    "api solutions page|/api/solutions?page=1&per_page=50|$auth"
    "api solution by id|/api/solutions/$id|$auth"
)

echo
echo "worth serve load test: $total solutions visible to an admin, $(nproc) cores, $THREADS threads, $CONNECTIONS connections, ${DURATION} s per scenario"
echo "git $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo '+changes'), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "first /api/dashboard after start (evaluation of $total solutions): ${cold} s"
printf '%-22s %10s %10s %10s %10s %8s  %s\n' scenario "req/s" "p50 ms" "p99 ms" "max ms" errors "load (1 min) at start"
for s in "${scenarios[@]}"; do
    IFS='|' read -r name path header <<<"$s"
    if [ -n "${ONLY:-}" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$base$path")
    if [ "$status" != 200 ]; then
        echo "load-server: $path answered $status" >&2
        exit 1
    fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "$header" "$base$path" >/dev/null
    load=$(cut -d' ' -f1 /proc/loadavg)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency -H "$header" \
        "$base$path" >"$tmp/wrk.out"
    # wrk prints latencies with units (us, ms, s); all are converted to ms.
    ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$tmp/wrk.out")
    p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$tmp/wrk.out")")
    p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$tmp/wrk.out")")
    max=$(ms "$(awk '$1 == "Latency" { print $4 }' "$tmp/wrk.out")")
    errors=$(awk '/Non-2xx|Socket errors/ { sub(/^[^:]*: */, ""); printf "%s ", $0 }' "$tmp/wrk.out")
    printf '%-22s %10s %10s %10s %10s %8s  %s\n' "$name" "$rps" "$p50" "$p99" "$max" "${errors:-0}" "$load"
done
echo "uptime: $(uptime)"
