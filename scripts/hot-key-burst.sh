#!/usr/bin/env bash
# One hot key after a synchronized expiry, measured by PostgreSQL's own statistics.
#
#   scripts/hot-key-burst.sh PRESET [REPLICAS] [REQUESTS] [CONCURRENCY]
#
# Runs the burst harness (java -jar lab/target/herdlab-lab.jar burst; every option: burst --help),
# which make bench runs too: REPLICAS herdlab processes from service/target/herdlab.jar (same
# PostgreSQL, a database of their own, same Redis), 10,000 users seeded and warmed to expire in the
# same millisecond after the JIT's warm-up (the burst once on the cached key and once on a flushed
# cache: the hit path and the miss path compiled, as on a service that has been serving a while;
# WARMUP=0 measures cold JVMs), then after the expiry
# REQUESTS concurrent GETs of one user spread round-robin over the replicas (scripts/burst.mjs).
# Prints herdlab's counters next to pg_stat_user_tables.idx_scan on users (one index scan per user
# look-up) and the followers' wake-up, with how each quantile is computed. Uses PGHOST/PGPORT
# (default 127.0.0.1:5432, user postgres, trust) and REDIS_URL (default redis://127.0.0.1:6379);
# REDIS_CLUSTER_NODES=127.0.0.1:7001,127.0.0.1:7002,... runs the replicas on a Redis Cluster the
# caller started instead (spring.data.redis.cluster.nodes).
# REPLICA_ARGS adds properties to every replica, e.g. REPLICA_ARGS=--herd.db.query-delay=500ms.
# GIVE_UP=1 sends one request to replica 1 at the expiry whose client hangs up after 300 ms,
# before the burst: the request that takes the lease goes away while its load runs.
set -euo pipefail
cd "$(dirname "$0")/.."

PRESET=${1:?usage: $0 PRESET [REPLICAS] [REQUESTS] [CONCURRENCY]}
REPLICA_ARGS=${REPLICA_ARGS:-}
JAR=${JAR:-service/target/herdlab.jar}
LAB_JAR=${LAB_JAR:-lab/target/herdlab-lab.jar}
yes_no() { if [ "$1" = 1 ]; then echo true; else echo false; fi; }

for jar in "$JAR" "$LAB_JAR"; do [ -f "$jar" ] || { echo "build the jars first: make build" >&2; exit 1; }; done
exec java -jar "$LAB_JAR" burst --preset="$PRESET" --replicas="${2:-1}" --requests="${3:-2000}" \
  --concurrency="${4:-400}" --hot-id="${HOT_ID:-42}" --users=10000 --ttl=25 \
  --jit-warmup="$(yes_no "${WARMUP:-1}")" --give-up="$(yes_no "${GIVE_UP:-0}")" \
  --postgres="jdbc:postgresql://${PGHOST:-127.0.0.1}:${PGPORT:-5432}/postgres" \
  --redis="${REDIS_URL:-redis://127.0.0.1:6379}" --redis-cluster="${REDIS_CLUSTER_NODES:-}" --jar="$JAR" --replica-args="${REPLICA_ARGS// /,}"
