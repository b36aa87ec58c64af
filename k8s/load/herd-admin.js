'use strict';
// The load Job's driver, through the management port (8081), which only the headless
// management Service exposes, so this runs inside the cluster.
//
//   node herd-admin.js run      seed the users, warm every key for the warm phase, zero every
//                               replica's counters, start Artillery; when Artillery starts its
//                               warm phase, warm again so every key expires one second before
//                               the phase ends (as `make lab` does), and zero the counters again;
//                               at the end, the report below and how far apart expiry and spike were
//   node herd-admin.js report   per-replica counters and the cluster-wide duplicate DB queries
//
// Settings (env; the Job gets them from the ConfigMap k8s/scripts/load.sh writes):
//   TARGET, SCENARIO, ARTILLERY_ENVIRONMENT   Artillery's --target, scenario file, -e environment
//   HERD_USERS (10000), HERD_WARM_ALIGNED=true (warm without the preset's jitter)
//   HERD_ADMIN_TOKEN     bearer token of the mutating operations (the release's Secret)
//   HERD_ARTILLERY       the Artillery CLI (the load image's)
//   HERD_SCENARIOS       directory of the scenario files (/artillery/scenarios)
//
// Replicas: every address of HERD_MANAGEMENT_SERVICE (a headless Service has one DNS record per
// ready pod), or HERD_REPLICAS="http://host:port,..." to name them directly.
// Duplicates across the cluster cannot be summed from per-replica counts (two replicas loading
// the same key are each a first load); they are total queries minus distinct keys, from the
// per-key counts of GET /actuator/herd/keys summed over every replica.

const dns = require('dns').promises;
const path = require('path');
const readline = require('readline');
const { spawn } = require('child_process');

const SERVICE = process.env.HERD_MANAGEMENT_SERVICE || 'herdlab-management';
const PORT = process.env.HERD_MANAGEMENT_PORT || '8081';
const USERS = positiveInt('HERD_USERS', 10000);
const TIMEOUT_MS = positiveInt('HERD_ADMIN_TIMEOUT_MS', 120000);
const WARM_ALIGNED = process.env.HERD_WARM_ALIGNED === 'true';
const TOKEN = process.env.HERD_ADMIN_TOKEN || '';
const PHASE_STARTED = /Phase started: (\S+) \(index: (\d+), duration: (\d+)s\)/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return value;
}

async function replicas() {
  if (process.env.HERD_REPLICAS) {
    return process.env.HERD_REPLICAS.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
  }
  const addresses = await dns.lookup(SERVICE, { all: true });
  const unique = [...new Set(addresses.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)))].sort();
  return unique.map((address) => `http://${address}:${PORT}`);
}

async function call(method, url, body) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (TOKEN !== '') headers.authorization = `Bearer ${TOKEN}`;
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} -> ${response.status} ${text}`);
  return text === '' ? {} : JSON.parse(text);
}

async function resetAll(targets) {
  await Promise.all(targets.map((t) => call('POST', `${t}/actuator/herd/reset`, {})));
}

// One warm suffices: the replicas share Redis. The instant is absolute, so it does not matter
// which replica writes it or how long the write takes.
async function warm(targets, expiresAtEpochMs) {
  const body = WARM_ALIGNED ? { users: USERS, expiresAtEpochMs, aligned: true } : { users: USERS, expiresAtEpochMs };
  return call('POST', `${targets[0]}/actuator/herd/warm`, body);
}

/** Seeds, warms for the whole warm phase and zeroes the counters before Artillery starts. */
async function prepare() {
  const targets = await replicas();
  if (targets.length === 0) throw new Error(`no replica behind ${SERVICE}`);
  console.log(`herd-admin: ${targets.length} replica(s): ${targets.join(' ')}`);
  const seeded = await call('POST', `${targets[0]}/actuator/herd/seed`, { users: USERS });
  console.log(`herd-admin: seeded ${seeded.users} users in ${seeded.millis} ms`);
  await warm(targets, Date.now() + 3600 * 1000);
  await resetAll(targets);
  return targets;
}

/** Keys expire one second before the warm phase that started at {@code startedAt} ends. */
async function align(targets, startedAt, durationSeconds) {
  const expiresAtEpochMs = startedAt + (durationSeconds - 1) * 1000;
  const warmed = await warm(targets, expiresAtEpochMs);
  await resetAll(targets);
  console.log(`herd-admin: warmed ${warmed.keys} keys to expire at ${new Date(expiresAtEpochMs).toISOString()}`
    + ` (warm phase ${durationSeconds} s; jitter up to ${warmed.jitterMaxMs || 0} ms); counters reset`);
  return expiresAtEpochMs;
}

function artilleryArgs() {
  const scenarios = process.env.HERD_SCENARIOS || '/artillery/scenarios';
  const args = ['run', '--target', process.env.TARGET || 'http://herdlab:8080'];
  if (process.env.ARTILLERY_ENVIRONMENT) args.push('--environment', process.env.ARTILLERY_ENVIRONMENT);
  args.push(path.join(scenarios, process.env.SCENARIO || 'herd.yml'));
  return args;
}

async function run() {
  const targets = await prepare();
  const artillery = process.env.HERD_ARTILLERY || 'artillery';
  const child = spawn(artillery, artilleryArgs(), { stdio: ['ignore', 'pipe', 'inherit'] });
  let alignment = null;
  let spikeAt = null;
  const lines = readline.createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const seenAt = Date.now();
    console.log(line);
    const phase = PHASE_STARTED.exec(line.replace(ANSI, ''));
    if (!phase) return;
    if (phase[2] === '0') {
      alignment = align(targets, seenAt, Number(phase[3]));
      alignment.catch(() => {}); // reported after Artillery ends
    } else if (phase[1] === 'spike') {
      spikeAt = seenAt;
    }
  });
  const status = await new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot start ${artillery}: ${error.message}`)));
    child.on('close', (code) => resolve(code === null ? 1 : code));
  });
  if (alignment === null) throw new Error(`Artillery (exit ${status}) never started its warm phase`);
  const expiresAt = await alignment.catch((error) => {
    throw new Error(`could not warm the keys at the start of the warm phase: ${error.message}`);
  });
  const result = await report(targets);
  result.artilleryExit = status;
  result.expiresAtEpochMs = expiresAt;
  if (spikeAt === null) {
    console.log('herd-admin: Artillery never started a phase named "spike"');
  } else {
    result.spikeStartedEpochMs = spikeAt;
    result.spikeAfterExpiryMs = spikeAt - expiresAt;
    console.log(`herd-admin: keys expired at ${new Date(expiresAt).toISOString()}, the spike started at`
      + ` ${new Date(spikeAt).toISOString()}: ${spikeAt - expiresAt} ms after the expiry`);
  }
  process.exitCode = status;
  return result;
}

async function report(known) {
  const targets = known || await replicas();
  const rows = await Promise.all(targets.map(async (t) => ({
    snapshot: await call('GET', `${t}/actuator/herd`),
    keys: await call('GET', `${t}/actuator/herd/keys`),
  })));
  const perKey = new Map();
  let queries = 0;
  console.log('');
  console.log('herdlab replicas after the run:');
  console.log(pad('replica', 34) + pad('preset', 10) + pad('db queries', 12) + pad('dup (own)', 11)
    + pad('pool peak acq/pend', 20) + 'p99 ms');
  for (const { snapshot, keys } of rows) {
    const db = snapshot.db || {};
    const pool = snapshot.pool || {};
    const latency = snapshot.latency || {};
    console.log(pad(snapshot.instance, 34) + pad(snapshot.preset, 10) + pad(db.queries, 12)
      + pad(db.duplicateQueries, 11) + pad(`${pool.peakAcquired}/${pool.peakPending}`, 20) + latency.p99Ms);
    for (const [id, count] of Object.entries(keys)) {
      perKey.set(id, (perKey.get(id) || 0) + count);
      queries += count;
    }
  }
  const distinct = perKey.size;
  const duplicates = queries - distinct;
  const share = queries === 0 ? 0 : (100 * duplicates) / queries;
  console.log(`cluster: ${queries} DB queries for ${distinct} distinct keys -> ${duplicates} duplicate queries`
    + ` (${share.toFixed(1)}%) across ${rows.length} replica(s)`);
  return { replicas: rows.length, queries, distinct, duplicates };
}

function pad(value, width) {
  const text = String(value === undefined ? '-' : value);
  return text.length >= width ? `${text} ` : text + ' '.repeat(width - text.length);
}

const commands = { run, report: () => report() };

if (require.main === module) {
  const command = commands[process.argv[2]];
  if (!command) {
    console.error('usage: node herd-admin.js run|report');
    process.exit(2);
  }
  command().then(
    (result) => { if (process.env.HERD_ADMIN_JSON) console.log(JSON.stringify(result)); },
    (error) => { console.error(`herd-admin: ${error.message}`); process.exit(1); },
  );
}

module.exports = commands;
