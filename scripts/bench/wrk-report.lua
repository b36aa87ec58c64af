-- wrk's summary as one JSON line (latencies in microseconds), for scripts/bench.sh, and the same in
-- a few words on a line of its own ("summary: …"). wrk's percentiles: a rank in its recorded
-- latencies (1 µs apart).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"socketErrors":%d,"non2xx":%d,"p50Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max))
  io.write(string.format('summary: %.0f req/s, P99 %.2f ms\n', summary.requests / summary.duration * 1e6,
    latency:percentile(99) / 1000))
end
