#!/usr/bin/env bash
# API fuzzing, bounded: schemathesis generates requests for every operation of the node's own
# OpenAPI document (GET /api/v1/openapi.json) and checks each answer. It builds nothing: it
# takes the binary from FUZZ_BIN (default target/release/oanode), seeds a synthetic group into
# a fresh temporary data directory, serves it on 127.0.0.1 only, signs in as the seeded `admin`
# (who may do everything, so that the fuzzer reaches the code behind the permission checks) and
# runs schemathesis with that Bearer token. It fails when
#   - any answer is a 5xx (not_a_server_error),
#   - an answer's status code, content type or body is not what the document declares
#     (status_code_conformance, content_type_conformance, response_schema_conformance),
#   - the server process is gone at the end (a crash),
# and prints a summary either way.
#
#   tests/fuzz/run.sh                          # 50 examples per operation, ~1.5 min here
#   FUZZ_MAX_EXAMPLES=500 FUZZ_SEED=7 tests/fuzz/run.sh   # longer, another seed
#
# Needs `schemathesis` on PATH (pip install schemathesis==4.32.5, the version CI pins) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_BIN=${FUZZ_BIN:-target/release/oanode}
FUZZ_MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-50}
# A fixed seed: the same binary and the same schemathesis version send the same requests.
FUZZ_SEED=${FUZZ_SEED:-20260601}
FUZZ_WORKERS=${FUZZ_WORKERS:-2}
FUZZ_PHASES=${FUZZ_PHASES:-examples,coverage,fuzzing}
FUZZ_CHECKS=${FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}
PORT=${PORT:-18090}
SEED_PASSWORD=Seed2026ok
READY_WITHIN_S=30

die() { echo "fuzz: $*" >&2; exit 1; }

[ -x "$FUZZ_BIN" ] || die "no executable $FUZZ_BIN (cargo build --release, or set FUZZ_BIN)"
command -v schemathesis >/dev/null || die "schemathesis is needed (pip install schemathesis)"
command -v curl >/dev/null || die "curl is needed"
# Refuse a port that answers already: we would fuzz somebody else's server.
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/"; then
  die "127.0.0.1:$PORT is already in use (PORT=... chooses another)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/oanode-fuzz.XXXXXX")
server_pid=''
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "fuzz: seeding a group into $work/data" >&2
mkdir "$work/data"
"$FUZZ_BIN" seed --data "$work/data" --users 200 --units 10 --instances 50 --documents 50 \
  --posts 50 --password "$SEED_PASSWORD" >"$work/seed.log" 2>&1 ||
  { cat "$work/seed.log" >&2; die "oanode seed failed"; }
# The seed writes no search entries: index them, so that searches find something.
"$FUZZ_BIN" reindex --data "$work/data" >"$work/reindex.log" 2>&1 ||
  { cat "$work/reindex.log" >&2; die "oanode reindex failed"; }

# Sign-ins per address and minute: the fuzzer is one address and sends many (bad) sign-ins; the
# shipped limit (30) would answer 429 to almost all of them and hide the code behind it. The
# general rate limits per address ([limits]) likewise: the fuzzer sends thousands of requests a
# minute from 127.0.0.1, so 0 turns them off on this node.
OANODE_AUTH__ADDRESS_ATTEMPTS_PER_MINUTE=1000000 \
OANODE_LIMITS__REQUESTS_PER_MINUTE=0 OANODE_LIMITS__WRITES_PER_MINUTE=0 \
  "$FUZZ_BIN" serve --data "$work/data" --listen "127.0.0.1:$PORT" >"$work/oanode.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$PORT"
deadline=$(( $(date +%s) + READY_WITHIN_S ))
until curl -fs -o /dev/null --max-time 1 "$base/healthz"; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/oanode.log" >&2; die "the server exited before it was ready"; }
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/oanode.log" >&2; die "not ready within ${READY_WITHIN_S} s"; }
  sleep 0.2
done

token=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
  -d "{\"login\":\"admin\",\"password\":\"$SEED_PASSWORD\"}" "$base/api/v1/auth/login" |
  sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "cannot sign in as the seeded admin"

# Left out, because they would end or cripple the fuzzer's own session midway and turn every
# later answer into a 401/403 (they are covered by tests/it/auth.rs and tests/it/admin.rs):
#   POST   /api/v1/auth/logout                  ends the calling session
#   DELETE /api/v1/me/sessions/{id}             may end the calling session (its id is small)
#   POST   /api/v1/users/{id}/reset-password    may reset admin's own password (must change it)
# (One regex: schemathesis keeps only the last of repeated --exclude-path-regex options.)
excluded='^/api/v1/(auth/logout|me/sessions/\{id\}|users/\{id\}/reset-password)$'

echo "fuzz: schemathesis $(schemathesis --version | awk '{print $NF}'), $FUZZ_MAX_EXAMPLES examples per operation, seed $FUZZ_SEED, phases $FUZZ_PHASES" >&2
started=$(date +%s)
status=0
# From the temporary directory: schemathesis keeps a .schemathesis/ folder where it runs.
(cd "$work" && schemathesis run "$base/api/v1/openapi.json" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks "$FUZZ_CHECKS" \
  --phases "$FUZZ_PHASES" \
  --max-examples "$FUZZ_MAX_EXAMPLES" \
  --seed "$FUZZ_SEED" \
  --workers "$FUZZ_WORKERS" \
  --request-timeout 10 \
  --generation-database none \
  --no-color \
  --exclude-path-regex "$excluded" \
  2>&1) | tee "$work/schemathesis.log" || status=$?
elapsed=$(( $(date +%s) - started ))

alive=yes
kill -0 "$server_pid" 2>/dev/null || alive=no
# The server's own account (its request log, one line per answer), independent of schemathesis.
requests=$(grep -c 'oanode::http' "$work/oanode.log" || true)
fives=$(grep -cE 'oanode::http.* status=5[0-9][0-9]' "$work/oanode.log" || true)
internal=$(grep -c 'internal error' "$work/oanode.log" || true)
panics=$(grep -ci 'panicked' "$work/oanode.log" || true)
summary=$(sed -n '/^Test cases:/,+1p' "$work/schemathesis.log" | tail -n1 | sed 's/^ *//')
operations=$(sed -n 's/^ *Tested: *//p' "$work/schemathesis.log" | head -n1)

echo
echo "== API fuzzing summary"
echo "schemathesis: ${operations:-?} operations tested; ${summary:-no summary}; exit status $status"
echo "server: $requests answers in ${elapsed} s, $fives of them 5xx; $internal internal errors and $panics panics logged; alive at the end: $alive"
if [ "$fives" -gt 0 ] || [ "$internal" -gt 0 ] || [ "$panics" -gt 0 ]; then
  grep -E 'status=5[0-9][0-9]|internal error|panicked' "$work/oanode.log" | head -n 20 >&2
fi
[ "$alive" = yes ] || { tail -n 40 "$work/oanode.log" >&2; die "the server died during the run"; }
[ "$status" -eq 0 ] || die "schemathesis found failures (see above)"
[ "$fives" -eq 0 ] && [ "$internal" -eq 0 ] && [ "$panics" -eq 0 ] || die "5xx answers, internal errors or panics"
echo "fuzz: ok"
