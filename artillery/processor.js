'use strict';
// herdlab's Artillery processor.
//
// Ids: uniform in 1..HERD_USERS (the lab guide), or Zipf-skewed (HERD_DIST=zipf): id k is the
// k-th most popular key with weight 1/k^HERD_ZIPF_S, so id 1 is the hottest.
//
// Spread: with HERD_TARGETS="http://a:8080,http://b:8080" each virtual user picks one replica at
// random for its whole burst, as kube-proxy picks a backend per connection; HERD_SPREAD=request
// picks again for every request. Without HERD_TARGETS the scenario's target (or --target) is
// used, so the scenario works on its own.
//
// HERD_CLIENT_LOG=<file> appends one CSV line per response: endEpochMs,latencyMs,status,baseUrl.

const fs = require('fs');

const USERS = intFromEnv('HERD_USERS', 10000);
const DIST = (process.env.HERD_DIST || 'uniform').toLowerCase();
const ZIPF_S = Number(process.env.HERD_ZIPF_S || '1.0');
const TARGETS = (process.env.HERD_TARGETS || '')
  .split(',')
  .map((s) => s.trim().replace(/\/+$/, ''))
  .filter(Boolean);
const PER_REQUEST = (process.env.HERD_SPREAD || 'connection').toLowerCase() === 'request';
const CLIENT_LOG = process.env.HERD_CLIENT_LOG
  ? fs.openSync(process.env.HERD_CLIENT_LOG, 'a')
  : null;

if (DIST !== 'uniform' && DIST !== 'zipf') {
  throw new Error(`HERD_DIST must be uniform or zipf, not ${DIST}`);
}
const zipfCdf = DIST === 'zipf' ? zipfCumulative(USERS, ZIPF_S) : null;

function intFromEnv(name, fallback) {
  const value = parseInt(process.env[name] || '', 10);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function zipfCumulative(n, s) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / Math.pow(k, s);
    cdf[k - 1] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

// Smallest k with cdf[k-1] >= u.
function zipfId(u) {
  let lo = 0;
  let hi = zipfCdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (zipfCdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}

function nextUserId() {
  return zipfCdf ? zipfId(Math.random()) : 1 + Math.floor(Math.random() * USERS);
}

function randomTarget(context) {
  if (TARGETS.length === 0) return String(context.vars.target).replace(/\/+$/, '');
  return TARGETS[Math.floor(Math.random() * TARGETS.length)];
}

// A replica for one connection of the lab's spike stage (spike.mjs), which has no Artillery context.
function pickBaseUrl() {
  if (TARGETS.length === 0) throw new Error('HERD_TARGETS must name the replicas');
  return TARGETS[Math.floor(Math.random() * TARGETS.length)];
}

function chooseReplica(context, events, done) {
  context.vars.baseUrl = randomTarget(context);
  return done();
}

// Sets the whole url (no template left in it): the requests of a parallel burst share one context,
// so an id kept in context.vars could be overwritten by a sibling before this one is sent.
function pickUser(requestParams, context, events, done) {
  const base = PER_REQUEST ? randomTarget(context) : context.vars.baseUrl;
  requestParams.url = `${base}/users/${nextUserId()}`;
  return done();
}

function recordResponse(requestParams, response, context, events, done) {
  if (CLIENT_LOG !== null) {
    const latency = response.timings && response.timings.phases ? response.timings.phases.total : '';
    const base = String(requestParams.url).replace(/\/users\/.*$/, '');
    fs.writeSync(CLIENT_LOG, `${Date.now()},${latency},${response.statusCode},${base}\n`);
  }
  return done();
}

module.exports = { chooseReplica, pickUser, recordResponse, nextUserId, pickBaseUrl };
