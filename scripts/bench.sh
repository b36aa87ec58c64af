#!/usr/bin/env bash
# make bench: herdlab's hit path against a bare floor, and the herd's cold burst, in one run.
#
#   scripts/bench.sh                 (make bench; make bench PROFILE=cpu adds flame graphs)
#
# The replicas, their database and the burst are the burst harness's (java -jar
# lab/target/herdlab-lab.jar serve|burst|bench-table, which scripts/hot-key-burst.sh runs too);
# this script drives wrk and the profiler and says what runs when.
# 1. Warm hit: the floor (bench/target/herdlab-floor.jar: WebFlux + Lettuce returning a cached
#    string) and one herdlab replica per preset, all up at once (harness: serve); ROUNDS rounds,
#    each a DURATION-s wrk run (CONNECTIONS keep-alive connections, one cached user) per target, the
#    order rotated every round. A target's figures are the median of its rounds; its ratio is the
#    median of its rounds' ratios to the floor's run in the same round.
# 2. PROFILE=cpu: one more wrk run per target with async-profiler loaded into the running JVM
#    (jcmd JVMTI.agent_load): flame-<target>.html and top-<target>.txt (self time by frame).
# 3. Cold burst, per preset on a fresh replica (harness: burst): after the JIT's warm-up (the burst
#    on the cached key, then on a flushed cache) user HOT_ID expires with every key in the same instant, then BURST requests over BURST_CONNECTIONS connections at once
#    (scripts/burst.mjs); DB reads from PostgreSQL's own statistics (idx_scan on users, one per
#    user look-up), the followers' wake-up (fill → answer) from the replica's
#    herd_coalesce_wakeup_seconds, interpolated inside its buckets as the lab does. BURST_ROUNDS
#    rounds, the presets' order rotated every round (one burst's P99 swings ±25 % on two cores): a
#    preset's row is its median round, its ratio to local the median of its rounds' ratios.
# Writes OUT/ (table.md, results.json, the raw runs, the logs) and the table into DOC between its
# markers (harness: bench-table).
#
# Env: PRESETS (default: all seven), ROUNDS=3, BURST_ROUNDS=3, DURATION=10, WARMUP=30 (s of JIT warm-up per target), CONNECTIONS=50, HOT_ID=42,
#      BURST=2000, BURST_CONNECTIONS=400, COLD_TTL=20 (s from the cold burst's aligned warm to its expiry:
#      the 11 s statistics wait fits before it), PROFILE= (cpu), OUT=reports/bench-<timestamp>,
#      DOC=docs/performance.md (empty: leave docs alone), BENCH_JVM (JVM flags of every target,
#      default -Xms512m -Xmx512m), PGHOST/PGPORT (127.0.0.1:5432, user postgres, trust),
#      REDIS_URL (redis://127.0.0.1:6379). Needs wrk (installed from Debian when missing and
#      root), node, curl, jcmd, and the jars (make build).
set -euo pipefail
cd "$(dirname "$0")/.."

PRESETS=${PRESETS:-baseline jitter local redisson lua tiered full}
PRESETS=${PRESETS//,/ }
ROUNDS=${ROUNDS:-3}
BURST_ROUNDS=${BURST_ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-50}
HOT_ID=${HOT_ID:-42}
BURST=${BURST:-2000}
BURST_CONNECTIONS=${BURST_CONNECTIONS:-400}
COLD_TTL=${COLD_TTL:-20}
PROFILE=${PROFILE:-}
OUT=${OUT:-reports/bench-$(date -u +%Y%m%d-%H%M%S)}
DOC=${DOC-docs/performance.md}
BENCH_JVM=${BENCH_JVM:--Xms512m -Xmx512m}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
JAR=${JAR:-service/target/herdlab.jar}
FLOOR_JAR=${FLOOR_JAR:-bench/target/herdlab-floor.jar}
LAB_JAR=${LAB_JAR:-lab/target/herdlab-lab.jar}

die() { echo "bench: $*" >&2; exit 1; }
for jar in "$JAR" "$FLOOR_JAR" "$LAB_JAR"; do [ -f "$jar" ] || die "build the jars first: make build"; done
case "$PROFILE" in ''|cpu) ;; *) die "PROFILE must be cpu or empty, not '$PROFILE'" ;; esac
for tool in node curl jcmd; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing wrk (Debian package wrk)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
  fi
  command -v wrk >/dev/null || die "wrk is missing: sudo apt-get install wrk"
fi
mkdir -p "$OUT/runs" "$OUT/logs"
OUT=$(cd "$OUT" && pwd)

# what the harness's serve and burst share: the servers, the replicas' jar and JVM flags, the hot user
HARNESS=(--postgres="jdbc:postgresql://$PGHOST:$PGPORT/postgres" --redis="$REDIS_URL" --jar="$JAR"
  --replica-jvm="${BENCH_JVM// /,}" --users=1000 --hot-id="$HOT_ID" --logs="$OUT/logs")
SERVE=
stop_targets() { # SIGTERM: the harness stops the floor and the replicas, and drops their database
  [ -n "$SERVE" ] || return 0
  kill "$SERVE" 2>/dev/null || true
  wait "$SERVE" 2>/dev/null || true
  SERVE=
}
trap stop_targets EXIT

read -r LOAD_BEFORE _ < /proc/loadavg
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "bench: $OUT (load average at start $LOAD_BEFORE, $(nproc) cores)"

# --- 1. warm hit --------------------------------------------------------------------------------
# The JVMs start side by side, before anything is measured; the harness says when every target
# serves the hot user, with the same JSON, in targets.txt: "name url pid" per target.
java -jar "$LAB_JAR" serve "${HARNESS[@]}" --presets="${PRESETS// /,}" --floor="$FLOOR_JAR" \
  --ready="$OUT/targets.txt" >"$OUT/logs/serve.log" 2>&1 &
SERVE=$!
until [ -s "$OUT/targets.txt" ]; do
  kill -0 "$SERVE" 2>/dev/null || { tail -20 "$OUT/logs/serve.log" >&2; die "the targets did not start (see $OUT/logs)"; }
  sleep 0.5
done
declare -A URL PID
while read -r name url pid; do URL[$name]=$url; PID[$name]=$pid; done <"$OUT/targets.txt"
read -r -a TARGETS <<<"floor $PRESETS"

wrk_run() { # wrk_run TARGET SECONDS FILE: one keep-alive run against the target's cached user; prints its summary
  local report
  report=$(wrk -t1 -c"$CONNECTIONS" -d"${2}s" -s scripts/bench/wrk-report.lua "${URL[$1]}/users/$HOT_ID")
  grep '^{"requests"' <<<"$report" >"$3"
  sed -n 's/^summary: //p' <<<"$report"
}
echo "warm hit: JIT warm-up, ${WARMUP} s per target"
for target in "${TARGETS[@]}"; do wrk_run "$target" "$WARMUP" /dev/null >/dev/null; done
for round in $(seq 1 "$ROUNDS"); do
  n=${#TARGETS[@]}
  for i in $(seq 0 $((n - 1))); do
    target=${TARGETS[$(((i + round - 1) % n))]}
    echo "  round $round $target: $(wrk_run "$target" "$DURATION" "$OUT/runs/hit-$target-$round.json")"
  done
done

# --- 2. profile -----------------------------------------------------------------------------------
if [ "$PROFILE" = cpu ]; then
  case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) die "no async-profiler for $(uname -m)" ;; esac
  mkdir -p "$OUT/profiler"
  (cd "$OUT/profiler" && unzip -oq "$OLDPWD/bench/target/async-profiler.jar" "$arch/libasyncProfiler.so")
  profiler() { # profiler TARGET COMMAND: an async-profiler command, run inside the target's JVM
    # quoted: jcmd would read the command's "key=value" pairs as its own options
    local said
    said=$(jcmd "${PID[$1]}" JVMTI.agent_load "$OUT/profiler/$arch/libasyncProfiler.so" "\"$2\"" 2>&1)
    grep -q "return code: 0" <<<"$said" || die "async-profiler '$2' in $1 failed: $said (see $OUT/logs/$1.log)"
  }
  top_frames() { # top_frames COLLAPSED: samples per innermost frame (self time), the 25 largest
    awk '{ n = $NF; sub(/ [0-9]+$/, ""); depth = split($0, frames, ";"); self[frames[depth]] += n; total += n }
      END {
        printf "samples %d; self time by frame (top 25)\n", total; fflush()
        for (frame in self) printf "%5.1f %%  %s\n", 100 * self[frame] / total, frame | "sort -rn | head -25"
      }' "$1"
  }
  for target in "${TARGETS[@]}"; do
    profiler "$target" "start,event=cpu,interval=1ms"
    wrk_run "$target" "$DURATION" "$OUT/runs/profiled-$target.json" >/dev/null
    profiler "$target" "dump,file=$OUT/flame-$target.html"
    profiler "$target" "stop,collapsed,file=$OUT/runs/profile-$target.collapsed"
    top_frames "$OUT/runs/profile-$target.collapsed" >"$OUT/top-$target.txt"
    echo "  profiled $target: $OUT/flame-$target.html"
  done
fi
stop_targets

# --- 3. cold burst ----------------------------------------------------------------------------------
echo "cold burst: $BURST requests over $BURST_CONNECTIONS connections for user $HOT_ID after a synchronized expiry"
read -r -a BURST_PRESETS <<<"$PRESETS"
for round in $(seq 1 "$BURST_ROUNDS"); do
  n=${#BURST_PRESETS[@]}
  for i in $(seq 0 $((n - 1))); do
    preset=${BURST_PRESETS[$(((i + round - 1) % n))]}
    echo "  round $round $preset:"
    java -jar "$LAB_JAR" burst "${HARNESS[@]}" --preset="$preset" --requests="$BURST" --concurrency="$BURST_CONNECTIONS" \
      --ttl="$COLD_TTL" --out="$OUT/runs/burst-$preset-$round.json" | sed 's/^/    /'
  done
done
read -r LOAD_AFTER _ < /proc/loadavg

# --- the table --------------------------------------------------------------------------------------
java -jar "$LAB_JAR" bench-table --out="$OUT" --doc="$DOC" --presets="${PRESETS// /,}" --started="$STARTED" \
  --load-before="$LOAD_BEFORE" --load-after="$LOAD_AFTER" --cores="$(nproc)" --flame-graphs="${PROFILE:+true}" \
  --settings="${PROFILE:+PROFILE=$PROFILE }ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS BURST=$BURST BURST_CONNECTIONS=$BURST_CONNECTIONS BURST_ROUNDS=$BURST_ROUNDS"
