#!/usr/bin/env bash
# make bench: herdlab's hit path against a bare floor, and the herd's cold burst, in one run.
#
#   scripts/bench.sh                 (make bench; make bench PROFILE=cpu adds flame graphs)
#
# 1. Warm hit: the floor (bench/target/herdlab-floor.jar: WebFlux + Lettuce returning a cached
#    string) and one herdlab replica per preset, all up at once; ROUNDS rounds, each a DURATION-s
#    wrk run (CONNECTIONS keep-alive connections, one cached user) per target, the order rotated
#    every round. A target's figures are the median of its rounds; its ratio is the median of its
#    rounds' ratios to the floor's run in the same round.
# 2. PROFILE=cpu: one more wrk run per target with async-profiler loaded into the running JVM
#    (jcmd JVMTI.agent_load): flame-<target>.html and top-<target>.txt (self time by frame).
# 3. Cold burst, per preset on a fresh replica: user HOT_ID expires with every key in the same
#    instant, then BURST requests over BURST_CONNECTIONS connections at once (scripts/burst.mjs);
#    DB reads from PostgreSQL's own statistics (idx_scan on users, one per user look-up), the
#    followers' wake-up (fill → answer) from the replica's herd_coalesce_wakeup_seconds.
# Writes OUT/ (table.md, results.json, the raw runs) and the table into DOC between its markers.
#
# Env: PRESETS (default: all seven), ROUNDS=3, DURATION=10, WARMUP=30 (s of JIT warm-up per target), CONNECTIONS=50, HOT_ID=42,
#      BURST=2000, BURST_CONNECTIONS=400, COLD_TTL=20 (s from the cold burst's warm to its expiry: the cached
#      burst and the 11 s statistics wait fit before it), PROFILE= (cpu), OUT=reports/bench-<timestamp>,
#      DOC=docs/performance.md (empty: leave docs alone), BENCH_JVM (JVM flags of every target,
#      default -Xms512m -Xmx512m), PGHOST/PGPORT (127.0.0.1:5432, user postgres, trust),
#      REDIS_URL (redis://127.0.0.1:6379). Needs wrk (installed from Debian when missing and
#      root), node, psql, redis-cli, curl, python3, and the jars (make build).
set -euo pipefail
cd "$(dirname "$0")/.."

PRESETS=${PRESETS:-baseline jitter local redisson lua tiered full}
PRESETS=${PRESETS//,/ }
ROUNDS=${ROUNDS:-3}
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
DB=herdlab_bench_$$
PREFIX=bench$$

die() { echo "bench: $*" >&2; exit 1; }
if [ ! -f "$JAR" ] || [ ! -f "$FLOOR_JAR" ]; then die "build the jars first: make build"; fi
case "$PROFILE" in ''|cpu) ;; *) die "PROFILE must be cpu or empty, not '$PROFILE'" ;; esac
for tool in node psql redis-cli curl python3 jcmd; do
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

psql() { command psql -h "$PGHOST" -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
idx_scans() { psql -d "$DB" -c "SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'users'"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

declare -A PID PORT MGMT
start() { # start NAME JAR ARGS...: a JVM with the bench's flags, its ports in PORT/MGMT
  local name=$1 jar=$2
  shift 2
  PORT[$name]=$(free_port)
  MGMT[$name]=$(free_port)
  # no quiet period on SIGTERM (Netty's default is 2 s): stop waits for the JVM to exit
  # shellcheck disable=SC2086 # BENCH_JVM is a list of flags
  java $BENCH_JVM -jar "$jar" --server.port="${PORT[$name]}" --management.server.port="${MGMT[$name]}" \
    --spring.reactor.netty.shutdown-quiet-period=0s "$@" >"$OUT/logs/$name.log" 2>&1 &
  PID[$name]=$!
}
await_ready() { # await_ready NAME URL
  for _ in $(seq 1 180); do
    curl -sf "$2" >/dev/null && return 0
    kill -0 "${PID[$1]}" 2>/dev/null || { tail -20 "$OUT/logs/$1.log" >&2; die "$1 exited"; }
    sleep 0.5
  done
  die "$1 not ready after 90 s (see $OUT/logs/$1.log)"
}
stop() { # SIGTERM, then wait for the JVM to exit
  kill "${PID[$1]}" 2>/dev/null || true
  wait "${PID[$1]}" 2>/dev/null || true
  unset "PID[$1]"
}
start_replica() { # start_replica PRESET NAME: starts it; await_replica NAME waits until it is ready
  start "$2" "$JAR" --herd.instance-id="bench-$2" --herd.mitigation.preset="$1" --herd.cache.key-prefix="$PREFIX-$2:" \
    --spring.r2dbc.url="r2dbc:postgresql://$PGHOST:$PGPORT/$DB" --spring.data.redis.url="$REDIS_URL" --herd.admin.token=
}
await_replica() { await_ready "$1" "http://127.0.0.1:${MGMT[$1]}/actuator/health/readiness"; }
admin() { curl -sf -XPOST -H 'Content-Type: application/json' "http://127.0.0.1:${MGMT[$1]}/actuator/herd/$2" -d "$3"; }

cleanup() {
  for name in "${!PID[@]}"; do kill "${PID[$name]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  redis-cli -u "$REDIS_URL" --scan --pattern "$PREFIX-*" | xargs -r -n 500 redis-cli -u "$REDIS_URL" unlink >/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql -d postgres -c "CREATE DATABASE $DB"
read -r LOAD_BEFORE _ < /proc/loadavg
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "bench: $OUT (load average at start $LOAD_BEFORE, $(nproc) cores)"

# --- 1. warm hit --------------------------------------------------------------------------------
# The JVMs start side by side, before anything is measured: the floor with the first replica, which
# creates the schema and seeds alone (concurrent CREATE TABLE IF NOT EXISTS can collide), then the
# other replicas together.
first=${PRESETS%% *}
start floor "$FLOOR_JAR" --floor.redis-url="$REDIS_URL" --floor.key-prefix="$PREFIX-floor:"
start_replica "$first" "$first"
await_replica "$first"
admin "$first" seed '{"users":1000}' >/dev/null
for preset in $PRESETS; do
  [ "$preset" = "$first" ] || start_replica "$preset" "$preset"
done
for preset in $PRESETS; do
  await_replica "$preset"
  admin "$preset" warm '{"users":1000,"ttlSeconds":86400}' >/dev/null
done
# the floor serves the very JSON herdlab serves for the user
body=$(curl -sf "http://127.0.0.1:${PORT[$first]}/users/$HOT_ID")
redis-cli -u "$REDIS_URL" set "$PREFIX-floor:{user:$HOT_ID}" "$body" EX 86400 >/dev/null
await_ready floor "http://127.0.0.1:${PORT[floor]}/users/$HOT_ID"
read -r -a TARGETS <<<"floor $PRESETS"
for target in "${TARGETS[@]}"; do
  [ "$(curl -s "http://127.0.0.1:${PORT[$target]}/users/$HOT_ID")" = "$body" ] || die "$target does not serve user $HOT_ID"
done

wrk_run() { # wrk_run TARGET SECONDS FILE: one keep-alive run against the target's cached user
  wrk -t1 -c"$CONNECTIONS" -d"${2}s" -s scripts/bench/wrk-report.lua "http://127.0.0.1:${PORT[$1]}/users/$HOT_ID" \
    | grep '^{"requests"' >"$3"
}
echo "warm hit: JIT warm-up, ${WARMUP} s per target"
for target in "${TARGETS[@]}"; do wrk_run "$target" "$WARMUP" /dev/null; done
for round in $(seq 1 "$ROUNDS"); do
  n=${#TARGETS[@]}
  for i in $(seq 0 $((n - 1))); do
    target=${TARGETS[$(((i + round - 1) % n))]}
    wrk_run "$target" "$DURATION" "$OUT/runs/hit-$target-$round.json"
    echo "  round $round $target: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.0f req/s, P99 %.2f ms" % (r["requests"] / r["durationUs"] * 1e6, r["p99Us"] / 1000))' "$OUT/runs/hit-$target-$round.json")"
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
  for target in "${TARGETS[@]}"; do
    profiler "$target" "start,event=cpu,interval=1ms"
    wrk_run "$target" "$DURATION" "$OUT/runs/profiled-$target.json"
    profiler "$target" "dump,file=$OUT/flame-$target.html"
    profiler "$target" "stop,collapsed,file=$OUT/runs/profile-$target.collapsed"
    python3 - "$OUT/runs/profile-$target.collapsed" >"$OUT/top-$target.txt" <<'PY'
import collections, sys
selves, total = collections.Counter(), 0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip('\n').rpartition(' ')
    selves[stack.split(';')[-1]] += int(n)
    total += int(n)
print("samples %d; self time by frame (top 25)" % total)
for frame, n in selves.most_common(25):
    print("%5.1f %%  %s" % (100 * n / total, frame))
PY
    echo "  profiled $target: $OUT/flame-$target.html"
  done
fi
for target in "${TARGETS[@]}"; do stop "$target"; done

# --- 3. cold burst ----------------------------------------------------------------------------------
echo "cold burst: $BURST requests over $BURST_CONNECTIONS connections for user $HOT_ID after a synchronized expiry"
for preset in $PRESETS; do
  name="$preset-cold"
  start_replica "$preset" "$name"
  await_replica "$name"
  warm=$(admin "$name" warm "{\"users\":1000,\"ttlSeconds\":$COLD_TTL,\"aligned\":true}")
  expires_at=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["expiresAtEpochMs"])' "$warm")
  # the same burst while the key is cached: the JIT has compiled the path, as on a running service
  node scripts/burst.mjs "http://127.0.0.1:${PORT[$name]}" "/users/$HOT_ID" "$BURST" "$BURST_CONNECTIONS" >/dev/null
  sleep 11 # idle backends report their statistics within 10 s
  before=$(idx_scans)
  now_ms=$(date +%s%3N)
  sleep "$(python3 -c "print(max(0, ($expires_at - $now_ms + 300) / 1000))")"
  admin "$name" reset '{}' >/dev/null
  node scripts/burst.mjs "http://127.0.0.1:${PORT[$name]}" "/users/$HOT_ID" "$BURST" "$BURST_CONNECTIONS" \
    >"$OUT/runs/burst-$preset.json"
  curl -sf "http://127.0.0.1:${MGMT[$name]}/actuator/herd" >"$OUT/runs/burst-$preset-snapshot.json"
  curl -sf "http://127.0.0.1:${MGMT[$name]}/actuator/prometheus" | grep '^herd_coalesce_wakeup_seconds' \
    >"$OUT/runs/burst-$preset-wakeup.prom" || true
  stop "$name" # its backends exit and report their statistics
  sleep 1
  echo $(($(idx_scans) - before)) >"$OUT/runs/burst-$preset-reads.txt"
  echo "  $preset: $(cat "$OUT/runs/burst-$preset.json"), PostgreSQL reads $(cat "$OUT/runs/burst-$preset-reads.txt")"
done
read -r LOAD_AFTER _ < /proc/loadavg

# --- the table --------------------------------------------------------------------------------------
python3 - "$OUT" "$DOC" "$STARTED" "$LOAD_BEFORE" "$LOAD_AFTER" "$(nproc)" \
  "${PROFILE:+PROFILE=$PROFILE }ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS BURST=$BURST BURST_CONNECTIONS=$BURST_CONNECTIONS" \
  "$PRESETS" "$PROFILE" <<'PY'
import glob, json, os, re, statistics, sys
out, doc, started, load_before, load_after, cores, settings, presets, profile = sys.argv[1:]
presets = presets.split()
targets = ["floor"] + presets

def runs(target):
    found = []
    for path in sorted(glob.glob(f"{out}/runs/hit-{target}-*.json")):
        r = json.load(open(path))
        r["round"] = int(re.search(r"-(\d+)\.json$", path).group(1))
        r["rps"] = r["requests"] / r["durationUs"] * 1e6
        found.append(r)
    return found

floor = {r["round"]: r for r in runs("floor")}
hit = {}
for t in targets:
    rs = runs(t)
    med = lambda key: statistics.median(r[key] for r in rs)
    hit[t] = {
        "rps": med("rps"), "p50Ms": med("p50Us") / 1000, "p99Ms": med("p99Us") / 1000, "p999Ms": med("p999Us") / 1000,
        "rpsRatio": statistics.median(r["rps"] / floor[r["round"]]["rps"] for r in rs),
        "p99Ratio": statistics.median(r["p99Us"] / floor[r["round"]]["p99Us"] for r in rs),
        "errors": sum(r["socketErrors"] + r["non2xx"] for r in rs), "rounds": len(rs),
        "roundsRps": [round(r["rps"]) for r in rs],
    }

def wakeup(preset):
    """Wake-up count and quantiles (upper bounds of the histogram's buckets, ms), all modes summed."""
    buckets, count = {}, 0
    for line in open(f"{out}/runs/burst-{preset}-wakeup.prom"):
        m = re.match(r'herd_coalesce_wakeup_seconds_bucket\{.*le="([^"]+)".*\}\s+(\S+)$', line)
        if m and m.group(1) != "+Inf":
            buckets[float(m.group(1))] = buckets.get(float(m.group(1)), 0) + float(m.group(2))
        m = re.match(r"herd_coalesce_wakeup_seconds_count\{.*\}\s+(\S+)$", line)
        if m:
            count += float(m.group(1))
    q = {"count": count}
    for name, quantile in (("0.5", 0.5), ("0.99", 0.99)):
        for le in sorted(buckets):
            if count and buckets[le] >= quantile * count:
                q[name] = le * 1000
                break
    return q

burst = {}
for p in presets:
    b = json.load(open(f"{out}/runs/burst-{p}.json"))
    snap = json.load(open(f"{out}/runs/burst-{p}-snapshot.json"))
    b["reads"] = int(open(f"{out}/runs/burst-{p}-reads.txt").read())
    b["herdQueries"] = snap["db"]["queries"]
    b["serverP99Ms"] = snap["latency"]["p99Ms"]
    b["wakeup"] = wakeup(p)
    burst[p] = b

json.dump({"started": started, "settings": settings, "loadBefore": load_before, "loadAfter": load_after,
           "hit": hit, "burst": burst}, open(f"{out}/results.json", "w"), indent=2)

lines = [f"Run {started} on {cores} cores, load average {load_before} at start and {load_after} at the end; "
         f"`make bench` ({settings}).", "",
         "**Warm hit** (one cached user, wrk -t1, keep-alive; median of the rounds):", "",
         "| target | req/s | × floor | P50 ms | P99 ms | P99 × floor | P99.9 ms | errors | req/s per round |",
         "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
for t in targets:
    h = hit[t]
    lines.append(f"| {t} | {h['rps']:,.0f} | {h['rpsRatio']:.2f} | {h['p50Ms']:.2f} | {h['p99Ms']:.2f} | "
                 f"{h['p99Ratio']:.2f} | {h['p999Ms']:.2f} | {h['errors']} | {', '.join(f'{x:,}' for x in h['roundsRps'])} |")
lines += ["", "**Cold hot-key burst** (a fresh replica per preset; every key expired in the same instant; "
          "DB reads from PostgreSQL's idx_scan; wake-up = leader's fill → follower's answer):", "",
          "| preset | ok | client P50 ms | client P99 ms | client P99.9 ms | server P99 ms | DB reads (PostgreSQL) | "
          "herdlab's count | wake-ups | wake-up P50 ms | wake-up P99 ms |",
          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for p in presets:
    b = burst[p]
    w = b["wakeup"]
    fmt = lambda key: f"{w[key]:.1f}" if key in w else "–"
    lines.append(f"| {p} | {b['ok']}/{b['requests']} | {b['p50Ms']} | {b['p99Ms']} | {b['p999Ms']} | "
                 f"{b['serverP99Ms']:.0f} | {b['reads']} | {b['herdQueries']} | {int(w.get('count', 0)) or '–'} | "
                 f"{fmt('0.5')} | {fmt('0.99')} |")
if profile:
    lines += ["", "Flame graphs: " + ", ".join(f"`flame-{t}.html`" for t in targets)
              + f" in `{os.path.relpath(out)}/` (not committed)."]
table = "\n".join(lines) + "\n"
open(f"{out}/table.md", "w").write(table)
print("\n" + table)
if doc:
    text = open(doc).read() if os.path.exists(doc) else "<!-- bench:begin -->\n<!-- bench:end -->\n"
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    if begin not in text or end not in text:
        sys.exit(f"bench: {doc} has no {begin} … {end} section to write the table into")
    head, rest = text.split(begin, 1)
    text = head + begin + "\n" + table + end + rest.split(end, 1)[1]
    open(doc, "w").write(text)
    print(f"written into {doc} (and {out}/table.md)")
PY
