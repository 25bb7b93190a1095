#!/usr/bin/env bash
# Load harness: builds the release binary, starts it on a fresh data directory (and Rocket's
# hello-world beside it for comparison), measures start-up to the first /healthz answer, drives
# each scenario with wrk on loopback, and prints a table:
#   scenario | requests/s | p50 | p99 | peak RSS
# Only 127.0.0.1 is ever targeted; every run is bounded by DURATION.
#
#   tests/load/run.sh                 # 10 s per scenario, 64 connections
#   DURATION=30s CONNECTIONS=64 tests/load/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18000}
HELLO_PORT=${HELLO_PORT:-18001}

# Scenarios: name, server (oanode|hello), path. Later features add their lines here.
SCENARIOS=(
  "healthz oanode /healthz"
  "workbench-page oanode /"
  "rocket-hello-world hello /"
)

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin oanode --example hello_rocket

data=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT

wait_ready() { # url, limit in tenths of a second
  local url=$1 n=0
  until curl -fs -o /dev/null "$url"; do
    n=$((n + 1)); [ "$n" -lt "${2:-200}" ] || { echo "not ready: $url" >&2; exit 1; }
    sleep 0.1
  done
}

t0=$(date +%s%N)
target/release/oanode serve --data "$data" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
oanode_pid=$!; pids+=("$oanode_pid")
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do
  [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 20000 ] || { echo "oanode did not start" >&2; exit 1; }
done
startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))

ROCKET_PORT=$HELLO_PORT ROCKET_LOG_LEVEL=off ROCKET_ADDRESS=127.0.0.1 target/release/examples/hello_rocket >/dev/null 2>&1 &
pids+=("$!")
wait_ready "http://127.0.0.1:$HELLO_PORT/"

echo "start-up to first /healthz answer on an empty data directory: ${startup_ms} ms"
echo
echo "| scenario | requests/s | p50 | p99 | peak RSS (oanode) |"
echo "|---|---|---|---|---|"
for s in "${SCENARIOS[@]}"; do
  read -r name server path <<<"$s"
  port=$PORT; [ "$server" = hello ] && port=$HELLO_PORT
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port$path")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  rss=$(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/$oanode_pid/status")
  [ "$server" = hello ] && rss="-"
  echo "| $name | $rps | $p50 | $p99 | $rss |"
  [ -z "$errors" ] || echo "  ($name: $errors)"
done
