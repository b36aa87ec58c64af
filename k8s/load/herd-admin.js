'use strict';
// The load Job's admin steps around an Artillery run, through the management port (8081),
// which only the headless management Service exposes, so this runs inside the cluster.
//
//   node herd-admin.js prime    seed the users (once), zero every replica's counters, then warm
//                               every key to expire together HERD_EXPIRE_AFTER_SECONDS from now
//                               (61: the warm phase of scenarios/herd.yml; Artillery starts right
//                               after, so the keys go at t≈60 s, just before the spike);
//                               HERD_WARM_ALIGNED=true drops the preset's jitter for this warm
//   node herd-admin.js report   per-replica counters and the cluster-wide duplicate DB queries
//
// Replicas: every address of HERD_MANAGEMENT_SERVICE (a headless Service has one DNS record per
// ready pod), or HERD_REPLICAS="http://host:port,..." to name them directly.
// Duplicates across the cluster cannot be summed from per-replica counts (two replicas loading
// the same key are each a first load); they are total queries minus distinct keys, from the
// per-key counts of GET /actuator/herd/keys summed over every replica.

const dns = require('dns').promises;

const SERVICE = process.env.HERD_MANAGEMENT_SERVICE || 'herdlab-management';
const PORT = process.env.HERD_MANAGEMENT_PORT || '8081';
const USERS = positiveInt('HERD_USERS', 10000);
const EXPIRE_AFTER_SECONDS = positiveInt('HERD_EXPIRE_AFTER_SECONDS', 61);
const TIMEOUT_MS = positiveInt('HERD_ADMIN_TIMEOUT_MS', 120000);
const WARM_ALIGNED = process.env.HERD_WARM_ALIGNED === 'true';

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
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} -> ${response.status} ${text}`);
  return text === '' ? {} : JSON.parse(text);
}

async function prime() {
  const targets = await replicas();
  if (targets.length === 0) throw new Error(`no replica behind ${SERVICE}`);
  console.log(`herd-admin: ${targets.length} replica(s): ${targets.join(' ')}`);
  const seeded = await call('POST', `${targets[0]}/actuator/herd/seed`, { users: USERS });
  console.log(`herd-admin: seeded ${seeded.users} users in ${seeded.millis} ms`);
  await Promise.all(targets.map((t) => call('POST', `${t}/actuator/herd/reset`, {})));
  console.log('herd-admin: counters reset on every replica');
  // One warm suffices: the replicas share Redis. The instant is absolute, so it does not
  // matter which replica writes it or how long the write takes.
  const expiresAtEpochMs = Date.now() + EXPIRE_AFTER_SECONDS * 1000;
  const warm = WARM_ALIGNED ? { users: USERS, expiresAtEpochMs, aligned: true } : { users: USERS, expiresAtEpochMs };
  const warmed = await call('POST', `${targets[0]}/actuator/herd/warm`, warm);
  console.log(`herd-admin: warmed ${warmed.keys} keys to expire at ${new Date(warmed.expiresAtEpochMs).toISOString()}`
    + ` (in ${EXPIRE_AFTER_SECONDS} s; jitter up to ${warmed.jitterMaxMs || 0} ms)`);
  return { replicas: targets.length, seeded, warmed };
}

async function report() {
  const targets = await replicas();
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

const commands = { prime, report };

if (require.main === module) {
  const command = commands[process.argv[2]];
  if (!command) {
    console.error('usage: node herd-admin.js prime|report');
    process.exit(2);
  }
  command().then(
    (result) => { if (process.env.HERD_ADMIN_JSON) console.log(JSON.stringify(result)); },
    (error) => { console.error(`herd-admin: ${error.message}`); process.exit(1); },
  );
}

module.exports = commands;
