// The lab's spike: TOTAL GETs /users/{id} on the wire together at AT (epoch ms), and the proof
// that they were. Artillery starts at most one virtual user per timer tick and opens each
// connection when the user starts, so on two busy cores its "1 s" spike phase takes 10 s or
// more; this stage opens one connection per request first (ids and replicas chosen by
// processor.js from the same HERD_* variables as the scenario), waits for AT, then writes
// every request in one synchronous loop. Each request carries "Connection: close", so the
// server's close marks the end of the response.
//
//   node spike.mjs --total=5000 --at=<epochMs> --log=spike.csv
//
// Prints "ready <opened>" once the connections are open, then one JSON line with the send
// spread (offsets of each write from the first) and the outcome. spike.csv gets one line per
// request: sendEpochMs,latencyMs,status,baseUrl (status: the HTTP code, or timeout/error/unsent).
import fs from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';

const processor = createRequire(import.meta.url)('./processor.js');

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const eq = a.indexOf('=');
  return eq < 0 ? [a.replace(/^--/, ''), ''] : [a.slice(2, eq), a.slice(eq + 1)];
}));
const total = Number(args.total ?? 1000);
const at = Number(args.at ?? Date.now() + 5000);
const timeoutMs = Number(args['timeout-ms'] ?? 60000);
const openDeadline = at - 500;
if (!(total > 0) || !Number.isFinite(at)) {
  console.error('usage: node spike.mjs --total=N --at=EPOCH_MS [--log=FILE] [--timeout-ms=60000]');
  process.exit(2);
}
const now = () => performance.timeOrigin + performance.now();

const requests = Array.from({ length: total }, () => {
  const base = processor.pickBaseUrl();
  const url = new URL(base);
  return {
    base,
    bytes: Buffer.from(`GET /users/${processor.nextUserId()} HTTP/1.1\r\nHost: ${url.host}\r\n`
      + 'Connection: close\r\n\r\n'),
    port: Number(url.port), host: url.hostname, socket: null, sentAt: 0, status: '', endAt: 0,
  };
});

let opened = 0;
let openFailures = 0;
let finished = 0;
let done;
const allDone = new Promise((resolve) => { done = resolve; });

// A response ends when the server closes the connection; its status is in the first bytes.
function finish(r) {
  if (r.endAt) return;
  r.endAt = now();
  if (!/^\d{3}$/.test(r.status)) r.status = r.status === 'timeout' ? 'timeout' : r.sentAt ? 'error' : 'unsent';
  if (++finished === total) done();
}

await new Promise((resolve) => {
  let pending = total;
  const settle = () => { if (--pending === 0) resolve(); };
  for (const r of requests) {
    const socket = net.connect({ host: r.host, port: r.port, noDelay: true });
    r.socket = socket;
    socket.once('connect', () => { r.connected = true; opened++; settle(); });
    socket.once('data', (chunk) => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16));
      if (m) r.status = m[1];
    });
    socket.on('error', () => { if (!r.connected && !r.failed) { r.failed = true; openFailures++; settle(); } });
    socket.on('close', () => finish(r));
    socket.resume();
  }
  setTimeout(resolve, Math.max(0, openDeadline - Date.now()));
});
console.log(`ready ${opened}`);

// Sleep to just before AT, then spin the last milliseconds so the first write is on time.
await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - 5 - Date.now())));
while (Date.now() < at) { /* spin */ }
for (const r of requests) {
  if (r.socket.readyState !== 'open') continue;
  r.sentAt = now();
  r.socket.write(r.bytes);
}
requests.filter((r) => !r.sentAt).forEach((r) => r.socket.destroy());
const timer = setTimeout(() => requests.filter((r) => !r.endAt).forEach((r) => {
  r.status = 'timeout';
  r.socket.destroy();
}), timeoutMs);
await allDone;
clearTimeout(timer);

const sent = requests.filter((r) => r.sentAt);
const first = Math.min(...sent.map((r) => r.sentAt));
const offsets = sent.map((r) => r.sentAt - first).sort((a, b) => a - b);
const rank = (q) => (offsets.length ? offsets[Math.min(offsets.length - 1, Math.ceil(q * offsets.length) - 1)] : null);
const codes = {};
requests.forEach((r) => { codes[r.status] = (codes[r.status] ?? 0) + 1; });
if (args.log) {
  fs.writeFileSync(args.log, requests.map((r) => [r.sentAt ? r.sentAt.toFixed(3) : '',
    r.sentAt ? (r.endAt - r.sentAt).toFixed(3) : '', r.status, r.base].join(',')).join('\n') + '\n');
}
console.log(JSON.stringify({
  planned: total, opened, openFailures, sent: sent.length, plannedAtEpochMs: at,
  firstSendEpochMs: sent.length ? Math.round(first) : null,
  sendSpreadP50Ms: rank(0.5), sendSpreadP99Ms: rank(0.99), sendSpreadMaxMs: offsets.at(-1) ?? null, codes,
}));
