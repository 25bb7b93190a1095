#!/usr/bin/env bash
# Soak: seeds the load harness's dataset (the same SEED_* as run.sh), serves it, and drives a
# mixed load for SOAK_DURATION (30 minutes by default): sign-ins (argon2 each time), searches,
# post lists, the busiest approver's todo list, the 收文 inbox, and submit + approve pairs, all at
# once. Every SAMPLE_S seconds it records the node's memory (/proc/PID/status: VmRSS, RssAnon,
# RssFile, threads) in soak.csv, and prints the curve (one line a minute), each stream's figures
# and the verdict against DESIGN.md's 200 MB.
#
#   tests/load/soak.sh                                  # 30 minutes, 100,000 instances
#   SOAK_DURATION=30m SEED_INSTANCES=1000000 tests/load/soak.sh
#   OUT=/tmp/soak tests/load/soak.sh                    # keep soak.csv and the wrk outputs there
set -euo pipefail
cd "$(dirname "$0")/../.."

SOAK_DURATION=${SOAK_DURATION:-30m}
SAMPLE_S=${SAMPLE_S:-10}
PORT=${PORT:-18000}
SEED_USERS=${SEED_USERS:-10000}
SEED_UNITS=${SEED_UNITS:-500}
SEED_PASSWORD=${SEED_PASSWORD:-Seed2026ok}
SEED_INSTANCES=${SEED_INSTANCES:-100000}
SEED_DOCUMENTS=${SEED_DOCUMENTS:-100000}
SEED_POSTS=${SEED_POSTS:-100000}
BUDGET_MB=${BUDGET_MB:-200}

die() { echo "soak.sh: $*" >&2; exit 1; }
command -v wrk >/dev/null || die "wrk is needed (tests/load/run.sh installs it)"
case $SOAK_DURATION in
  *m) duration_s=$(( ${SOAK_DURATION%m} * 60 )) ;;
  *s) duration_s=${SOAK_DURATION%s} ;;
  *) die "SOAK_DURATION: say 30m or 90s" ;;
esac

cargo build --release --quiet --bin oanode
work=$(mktemp -d)
out=${OUT:-$work}
mkdir -p "$out"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work/data"
  [ "$out" = "$work" ] && rm -rf "$work"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && die "127.0.0.1:$PORT is in use"

echo "seeding $SEED_USERS people, $SEED_INSTANCES instances, $SEED_DOCUMENTS documents, $SEED_POSTS posts" >&2
target/release/oanode seed --data "$work/data" --users "$SEED_USERS" --units "$SEED_UNITS" \
  --password "$SEED_PASSWORD" --instances "$SEED_INSTANCES" --documents "$SEED_DOCUMENTS" \
  --posts "$SEED_POSTS" >"$out/seed.log" 2>&1 || { cat "$out/seed.log" >&2; die "seed failed"; }
target/release/oanode reindex --data "$work/data" >"$out/reindex.log" 2>&1 ||
  { cat "$out/reindex.log" >&2; die "reindex failed"; }

# wrk is one address: the per-address sign-in throttle is raised and the per-address rate limits
# are off for this throw-away node only (as in run.sh); everything else is as shipped.
OANODE_AUTH__ADDRESS_ATTEMPTS_PER_MINUTE=1000000 \
  OANODE_LIMITS__REQUESTS_PER_MINUTE=0 OANODE_LIMITS__WRITES_PER_MINUTE=0 \
  target/release/oanode serve --data "$work/data" --listen "127.0.0.1:$PORT" >"$out/oanode.log" 2>&1 &
pid=$!
pids+=("$pid")
for _ in $(seq 200); do
  curl -fs -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" && break
  kill -0 "$pid" 2>/dev/null || die "the node exited"
  sleep 0.1
done

login() {
  curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$SEED_PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/v1/auth/login" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
admin=$(login admin)
[ -n "$admin" ] || die "cannot sign in as admin"
export LOGINS_FILE="$work/logins.txt" SEED_PASSWORD
curl -fsS -H "Authorization: Bearer $admin" "http://127.0.0.1:$PORT/api/v1/users?q=a" |
  grep -o '"login":"[^"]*"' | cut -d'"' -f4 | grep -vx admin >"$LOGINS_FILE"
busiest=$(sed -n 's/^oanode: busiest approver: \([^ ]*\) .*/\1/p' "$out/seed.log")
reader=$(sed -n 's/^oanode: busiest reader: \([^ ]*\) .*/\1/p' "$out/seed.log")
read -r applicant approver < <(sed -n 's/^oanode: applicant and manager: //p' "$out/seed.log")
person=$(head -n1 "$LOGINS_FILE")
PERSON=$(login "$person") TODO=$(login "$busiest") READER=$(login "$reader")
export APPLICANT_TOKEN APPROVER_TOKEN
APPLICANT_TOKEN=$(login "$applicant") APPROVER_TOKEN=$(login "$approver")

# stream NAME CONNECTIONS TOKEN PATH LUA: one wrk for the whole soak.
streams=()
stream() {
  TOKEN=$3 wrk -t1 -c"$2" -d"$duration_s"s --timeout 10s --latency -s "tests/load/$5" \
    "http://127.0.0.1:$PORT$4" >"$out/wrk-$1.txt" 2>&1 &
  pids+=("$!")
  streams+=("$1")
}
stream sign-in 2 "" /api/v1/auth/login sign-in.lua
stream search 4 "$PERSON" "/api/v1/search?q=$(enc 会议室)" bearer.lua
stream search-newest 2 "$PERSON" "/api/v1/search?q=$(enc 通知)&order=newest" bearer.lua
stream post-list 4 "$PERSON" /api/v1/posts bearer.lua
stream todo 4 "$TODO" "/api/v1/workflow/tasks?box=todo" bearer.lua
stream documents-inbox 2 "$READER" "/api/v1/documents?box=inbox" bearer.lua
stream submit-approve 2 "" /api/v1/workflow/instances submit-approve.lua

# The allocator's own figure (/metrics): what the program holds allocated, against what is resident.
allocated_kb() {
  curl -fsS --max-time 5 -H "Authorization: Bearer $admin" "http://127.0.0.1:$PORT/metrics" |
    awk '$1 == "oanode_allocator_allocated_bytes" {printf "%d", $2 / 1024}' || true
}
echo "elapsed_s,rss_kb,anon_kb,file_kb,threads,allocated_kb" >"$out/soak.csv"
start=$(date +%s)
while :; do
  now=$(( $(date +%s) - start ))
  kill -0 "$pid" 2>/dev/null || die "the node died after ${now} s"
  heap=$(allocated_kb)
  awk -v t="$now" -v h="$heap" '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} /^RssFile/ {f=$2} /^Threads/ {n=$2}
    END {printf "%d,%d,%d,%d,%d,%s\n", t, r, a, f, n, h}' "/proc/$pid/status" >>"$out/soak.csv"
  [ "$now" -ge "$duration_s" ] && break
  sleep "$SAMPLE_S"
done
for p in "${pids[@]:1}"; do wait "$p" 2>/dev/null || true; done

echo
echo "oanode $(target/release/oanode --version | awk '{print $2}'), $(nproc) cores, $SOAK_DURATION of mixed load"
echo "seed: $(grep -m1 'seeded' "$out/seed.log" | sed 's/^oanode: //'); $(tail -n1 "$out/reindex.log" | sed 's/^oanode: //')"
echo
echo "| minute | RSS | anonymous | file-backed | threads | allocated |"
echo "|---|---|---|---|---|---|"
awk -F, -v step="$SAMPLE_S" 'NR > 1 && ($1 % 60 < step || NR == 2) {
  printf "| %d | %.1f MB | %.1f MB | %.1f MB | %d | %.1f MB |\n", $1 / 60, $2 / 1024, $3 / 1024, $4 / 1024, $5, $6 / 1024 }' "$out/soak.csv"
echo
echo "| stream | connections | requests | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|---|"
for s in "${streams[@]}"; do
  f="$out/wrk-$s.txt"
  awk -v s="$s" '/connections/ && /threads/ {c=$4} /requests in/ {n=$1} /^Requests\/sec/ {r=$2}
    $1 == "50%" {p50=$2} $1 == "99%" {p99=$2} /Non-2xx|Socket errors/ {e = e $0 "; "}
    END {printf "| %s | %s | %s | %.0f | %s | %s | %s |\n", s, c, n, r, p50, p99, (e == "" ? "none" : e)}' "$f"
done
echo
# Flat: the last ten minutes' highest RSS is compared with the highest of minutes 5 to 10 (after
# warm-up: caches filled, pools at size).
awk -F, -v budget="$BUDGET_MB" -v total="$duration_s" 'NR > 1 {
    if ($1 >= 300 && $1 < 600 && $2 > early) early = $2
    if ($1 >= total - 600 && $2 > late) late = $2
    if ($2 > peak) peak = $2
  } END {
    printf "peak RSS %.1f MB (budget %d MB): %s\n", peak / 1024, budget, (peak / 1024 <= budget ? "within" : "OVER")
    if (early > 0) printf "highest RSS, minutes 5-10: %.1f MB; last 10 minutes: %.1f MB (%+.1f MB)\n", early / 1024, late / 1024, (late - early) / 1024
  }' "$out/soak.csv"
