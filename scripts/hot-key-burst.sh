#!/usr/bin/env bash
# One hot key after a synchronized expiry, measured by PostgreSQL's own statistics.
#
#   scripts/hot-key-burst.sh PRESET [REPLICAS] [REQUESTS] [CONCURRENCY]
#
# Starts REPLICAS herdlab processes from service/target/herdlab.jar (same PostgreSQL and Redis), seeds
# 10,000 users, warms every key to expire in the same millisecond, waits for the expiry, fires
# REQUESTS concurrent GETs of one user spread round-robin over the replicas (scripts/burst.mjs),
# and prints herdlab's counters next to pg_stat_user_tables.idx_scan on users (one index scan per
# user look-up). Uses PGHOST/PGPORT (default 127.0.0.1:5432, user postgres, trust) and
# REDIS_URL (default redis://127.0.0.1:6379); creates and drops a database of its own.
# REPLICA_ARGS adds properties to every replica, e.g. REPLICA_ARGS=--herd.db.query-delay=500ms.
# GIVE_UP=1 sends one request to replica 1 at the expiry whose client hangs up after 300 ms,
# before the burst: the request that takes the lease goes away while its load runs.
set -euo pipefail
cd "$(dirname "$0")/.."

PRESET=${1:?usage: $0 PRESET [REPLICAS] [REQUESTS] [CONCURRENCY]}
REPLICAS=${2:-1}
REQUESTS=${3:-2000}
CONCURRENCY=${4:-400}
HOT_ID=${HOT_ID:-42}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
DB=herdlab_burst_$$
PREFIX="burst$$:"
BASE_PORT=${BASE_PORT:-19080}
REPLICA_ARGS=${REPLICA_ARGS:-}
JAR=${JAR:-service/target/herdlab.jar}
LOGS=$(mktemp -d)

[ -f "$JAR" ] || { echo "build the jar first: make build" >&2; exit 1; }
psql() { command psql -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
admin() { curl -sf -XPOST -H 'Content-Type: application/json' "http://127.0.0.1:$((BASE_PORT + 100))/actuator/herd/$1" -d "$2"; }
idx_scans() { psql -d "$DB" -c "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'users'"; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$LOGS"
}
trap cleanup EXIT

psql -d postgres -c "CREATE DATABASE $DB"
for i in $(seq 0 $((REPLICAS - 1))); do
  # shellcheck disable=SC2086 # REPLICA_ARGS is a list of flags
  java -jar "$JAR" --server.port=$((BASE_PORT + i)) --management.server.port=$((BASE_PORT + 100 + i)) \
    --herd.instance-id="$PRESET-$((i + 1))" --herd.mitigation.preset="$PRESET" \
    --herd.cache.key-prefix="$PREFIX" --spring.r2dbc.url="r2dbc:postgresql://$PGHOST:$PGPORT/$DB" \
    --spring.data.redis.url="$REDIS_URL" --logging.level.io.herdlab.users.ProblemAdvice=DEBUG $REPLICA_ARGS \
    >"$LOGS/replica-$i.log" 2>&1 &
  pids+=($!)
  # replica 1 creates the schema: let it finish before the others start
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$((BASE_PORT + 100 + i))/actuator/health/readiness" >/dev/null && break
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "replica $((i + 1)) died:" >&2; tail -20 "$LOGS/replica-$i.log" >&2; exit 1; }
    sleep 1
  done
done
echo "$REPLICAS replica(s) up, preset $PRESET"

bases=$(for i in $(seq 0 $((REPLICAS - 1))); do printf 'http://127.0.0.1:%d,' $((BASE_PORT + i)); done)
bases=${bases%,}
admin seed '{"users":10000}' >/dev/null
warm=$(admin warm '{"users":10000,"ttlSeconds":25,"aligned":true}')
expires_at=$(sed -E 's/.*"expiresAtEpochMs":([0-9]+).*/\1/' <<<"$warm")
if [ "${WARMUP:-1}" = 1 ]; then
  # the same burst while every key is still cached: the replicas' JIT warms up, as it would be
  # on a service that has been serving for a while (WARMUP=0 measures cold JVMs)
  node scripts/burst.mjs "$bases" "/users/$HOT_ID" "$REQUESTS" "$CONCURRENCY" >/dev/null
fi
sleep 11   # idle backends flush their statistics within 10 s
before=$(idx_scans)
now_ms=$(date +%s%3N)
sleep "$(awk -v ms=$((expires_at - now_ms + 500)) 'BEGIN { print (ms > 0 ? ms / 1000 : 0) }')"
for i in $(seq 0 $((REPLICAS - 1))); do
  curl -sf -XPOST -H 'Content-Type: application/json' \
    "http://127.0.0.1:$((BASE_PORT + 100 + i))/actuator/herd/reset" -d '{}' >/dev/null
done

if [ "${GIVE_UP:-0}" = 1 ]; then
  curl -s -o /dev/null --max-time 0.3 "http://127.0.0.1:$BASE_PORT/users/$HOT_ID" || true
  echo "one client gave up on replica 1 after 300 ms (its request held the lease)"
fi
result=$(node scripts/burst.mjs "$bases" "/users/$HOT_ID" "$REQUESTS" "$CONCURRENCY")
ok=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["ok"])' <<<"$result")
failed=$((REQUESTS - ok))
queries=0
for i in $(seq 0 $((REPLICAS - 1))); do
  snap=$(curl -sf "http://127.0.0.1:$((BASE_PORT + 100 + i))/actuator/herd")
  q=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["db"]["queries"])' <<<"$snap")
  python3 - "$snap" <<'PY'
import json, sys
d = json.loads(sys.argv[1]); c = d["cache"]; p = d["pool"]; l = d["latency"]; k = d["coalesce"]
print("  %s: hits %d misses %d errors %d | DB queries %d duplicates %d | pool peak acquired %d pending %d"
      " | P50 %.0f ms P99 %.0f ms | leaders %d followers %d timeouts %d"
      % (d["instance"], c["hits"], c["misses"], c["errors"], d["db"]["queries"], d["db"]["duplicateQueries"],
         p["peakAcquired"], p["peakPending"], l["p50Ms"], l["p99Ms"], k["leaders"], k["followers"], k["timeouts"]))
PY
  queries=$((queries + q))
done
sleep 11
after=$(idx_scans)
echo "preset=$PRESET replicas=$REPLICAS requests=$REQUESTS concurrency=$CONCURRENCY: $ok ok, $failed failed"
echo "client: $result"
if [ "$failed" -ne 0 ]; then
  echo "why (from the replicas' logs):"
  grep -ho '503: .*' "$LOGS"/replica-*.log | sed -E 's/[0-9]+ ms/N ms/; s/user [0-9]+/user N/' | sort | uniq -c | head -5
fi
echo "herdlab DB queries (all replicas): $queries"
echo "PostgreSQL idx_scan on users during the burst: $((after - before))"
