#!/usr/bin/env bash
# Load harness: builds the release binary, starts it on a fresh data directory (and Rocket's
# hello-world beside it, the yardstick of DESIGN.md), measures start-up to the first /healthz
# answer, drives each scenario with wrk on loopback, and prints a Markdown table:
#   scenario | requests/s | p50 | p99 | peak RSS
# Only 127.0.0.1 is ever targeted; every wait is bounded and every run lasts DURATION.
#
#   tests/load/run.sh                       # 10 s per scenario, 64 connections
#   DURATION=30s CONNECTIONS=64 tests/load/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PORT=${PORT:-18000}
HELLO_PORT=${HELLO_PORT:-18001}
READY_WITHIN_MS=20000

# The scenarios, one line each: scenario NAME PATH [WRK_LUA_SCRIPT]
# PATH is requested on oanode; a Lua script (relative to tests/load/) may set the method, headers
# and body (wrk.method, wrk.headers, wrk.body) or sign in first. Features add their lines here.
scenarios() {
  scenario healthz        /healthz
  scenario sign-in-page   /login
}

die() { echo "run.sh: $*" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
command -v curl >/dev/null || die "curl is needed"

echo "building (release)" >&2
cargo build --release --quiet --bin oanode --example hello_rocket

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Refuse a port that answers already: we would measure somebody else's server.
for p in "$PORT" "$HELLO_PORT"; do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then
    die "127.0.0.1:$p is already in use (PORT/HELLO_PORT choose others)"
  fi
done

# wait_ready NAME PID URL: polls until URL answers 2xx (bounded); prints the milliseconds it took.
wait_ready() {
  local name=$1 pid=$2 url=$3 t0
  t0=$(now_ms)
  until curl -fs -o /dev/null --max-time 1 "$url"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; die "$name exited before it was ready"; }
    [ $(( $(now_ms) - t0 )) -lt "$READY_WITHIN_MS" ] || { cat "$work/$name.log" >&2; die "$name not ready within ${READY_WITHIN_MS} ms"; }
  done
}

mkdir "$work/data"
t0=$(now_ms)
target/release/oanode serve --data "$work/data" --listen "127.0.0.1:$PORT" >"$work/oanode.log" 2>&1 &
oanode_pid=$!
pids+=("$oanode_pid")
wait_ready oanode "$oanode_pid" "http://127.0.0.1:$PORT/healthz"
startup_ms=$(( $(now_ms) - t0 ))

ROCKET_PORT=$HELLO_PORT ROCKET_ADDRESS=127.0.0.1 ROCKET_LOG_LEVEL=off \
  target/release/examples/hello_rocket >"$work/hello.log" 2>&1 &
hello_pid=$!
pids+=("$hello_pid")
wait_ready hello "$hello_pid" "http://127.0.0.1:$HELLO_PORT/"

peak_rss() { awk '/^VmHWM/ {printf "%.1f MB", $2 / 1024}' "/proc/$1/status"; }

notes=()
# measure NAME PORT PID PATH [LUA]: one wrk run, one table row.
measure() {
  local name=$1 port=$2 pid=$3 path=$4 lua=${5:-} out rps p50 p99 errors
  local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
  if [ -n "$lua" ]; then
    [ -f "tests/load/$lua" ] || die "scenario $name: no tests/load/$lua"
    args+=(-s "tests/load/$lua")
  fi
  out=$(wrk "${args[@]}" "http://127.0.0.1:$port$path")
  rps=$(awk '/^Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | paste -sd ';' - || true)
  kill -0 "$pid" 2>/dev/null || { tail -n 40 "$work"/*.log >&2; die "the server died during $name"; }
  if [ -n "$errors" ]; then
    notes+=("$name: $errors")
    name="$name ⚠"
  fi
  echo "| $name | $rps | $p50 | $p99 | $(peak_rss "$pid") |"
}

scenario() { measure "$1" "$PORT" "$oanode_pid" "$2" "${3:-}"; }

echo
echo "oanode $(target/release/oanode --version | awk '{print $2}'), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
echo "start-up to the first 200 on /healthz (empty data directory, demo data seeded): ${startup_ms} ms"
echo
echo "| scenario | requests/s | p50 | p99 | peak RSS |"
echo "|---|---|---|---|---|"
measure "rocket hello-world (yardstick)" "$HELLO_PORT" "$hello_pid" /
scenarios
if [ "${#notes[@]}" -gt 0 ]; then
  echo
  printf '⚠ %s\n' "${notes[@]}"
fi
