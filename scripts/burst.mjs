// Fires TOTAL GET requests for PATH at once, spread round-robin over the BASES, with at most
// CONCURRENCY connections per base kept alive; prints the status codes and timings as JSON.
// Unlike ab, which waits for its first response before sending the rest, every request is
// on the wire as soon as a connection is free, so a burst really arrives together.
//
//   node scripts/burst.mjs http://127.0.0.1:8080[,http://...] /users/42 2000 400
import http from 'node:http';

const [bases, path, totalArg, concurrencyArg] = process.argv.slice(2);
if (!bases || !path) {
  console.error('usage: node scripts/burst.mjs BASE[,BASE...] PATH [TOTAL=2000] [CONCURRENCY=400]');
  process.exit(2);
}
const targets = bases.split(',');
const total = Number(totalArg ?? 2000);
const concurrency = Number(concurrencyArg ?? 400);
const agents = targets.map(() => new http.Agent({
  keepAlive: true,
  maxSockets: Math.max(1, Math.floor(concurrency / targets.length)),
}));

const codes = {};
const millis = [];
const started = Date.now();
await Promise.all(Array.from({ length: total }, (_, i) => new Promise((resolve) => {
  const t0 = Date.now();
  const req = http.get(targets[i % targets.length] + path, { agent: agents[i % targets.length], timeout: 60000 },
    (res) => {
      res.resume();
      res.on('end', () => {
        codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
        millis.push(Date.now() - t0);
        resolve();
      });
    });
  const fail = (err) => {
    codes[err.code ?? 'error'] = (codes[err.code ?? 'error'] ?? 0) + 1;
    resolve();
  };
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
  req.on('error', fail);
})));
agents.forEach((agent) => agent.destroy());
millis.sort((a, b) => a - b);
// nearest rank: the smallest latency at least q of the requests took no longer than (the lab's
// Histograms.exact, which the burst harness names in its output)
const pct = (q) => (millis.length ? millis[Math.max(0, Math.ceil(q * millis.length) - 1)] : 0);
console.log(JSON.stringify({
  requests: total, ok: codes[200] ?? 0, codes, elapsedMs: Date.now() - started,
  p50Ms: pct(0.5), p99Ms: pct(0.99), p999Ms: pct(0.999), maxMs: millis.at(-1) ?? 0,
}));
