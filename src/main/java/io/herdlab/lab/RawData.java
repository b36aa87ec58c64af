package io.herdlab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The measurements as files a person or a notebook can read again: CSV and JSON. */
final class RawData {

    private RawData() {
    }

    static void write(Path dir, ExperimentResult r) throws IOException {
        Files.createDirectories(dir);
        RunData d = r.data;
        List<String> csv = new ArrayList<>();
        StringBuilder header = new StringBuilder("t_s,epoch_ms");
        for (String id : d.replicaIds()) {
            header.append(',').append(id).append("_hits,").append(id).append("_misses,").append(id).append("_stale,")
                    .append(id).append("_db_queries,").append(id).append("_duplicates,").append(id)
                    .append("_pool_acquired,").append(id).append("_pool_pending,").append(id).append("_pg_active,")
                    .append(id).append("_pg_idle");
        }
        header.append(",load_average_1m");
        csv.add(header.toString());
        for (Sample s : d.samples()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%.3f,%d", r.t(s.epochMs()), s.epochMs()));
            for (int i = 0; i < d.replicaIds().size(); i++) {
                Sample.ReplicaSample rs = s.replicas().get(i);
                String id = d.replicaIds().get(i);
                if (rs == null) {
                    row.append(",,,,,,,");
                }
                else {
                    row.append(',').append(rs.hits()).append(',').append(rs.misses()).append(',').append(rs.stale())
                            .append(',').append(rs.dbQueries()).append(',').append(rs.duplicateQueries()).append(',')
                            .append(rs.poolAcquired()).append(',').append(rs.poolPending());
                }
                row.append(',').append(s.pg(id, "active")).append(',').append(s.pg(id, "idle"));
            }
            row.append(',').append(Double.isNaN(s.loadAverage()) ? "" : Double.toString(s.loadAverage()));
            csv.add(row.toString());
        }
        Report.lines(dir.resolve("samples.csv"), csv);

        List<String> latency = new ArrayList<>();
        latency.add("t_s,epoch_second,requests,p50_ms,p95_ms,p99_ms,bucket_counts(upper bounds ms: "
                + java.util.Arrays.toString(d.bucketBoundsMs()).replace(",", " ") + " +overflow)");
        long start = d.warmStartMs() / 1000;
        d.latencyBySecond().forEach((second, counts) -> latency.add(String.format(Locale.ROOT, "%d,%d,%d,%.1f,%.1f,%.1f,%s",
                second - start, second, Histograms.count(counts), Histograms.percentile(counts, 0.5),
                Histograms.percentile(counts, 0.95), Histograms.percentile(counts, 0.99),
                java.util.Arrays.toString(counts).replace(",", " "))));
        Report.lines(dir.resolve("latency.csv"), latency);

        Map<String, Object> samples = new LinkedHashMap<>();
        samples.put("experiment", r.experiment.id());
        samples.put("warmStartMs", d.warmStartMs());
        samples.put("expiryMs", d.expiryMs());
        samples.put("spikeStartMs", d.spikeStartMs());
        samples.put("endMs", d.endMs());
        samples.put("replicas", d.replicaIds());
        samples.put("samples", d.samples());
        samples.put("latencyBucketsMs", d.bucketBoundsMs());
        samples.put("latencyBySecond", d.latencyBySecond());
        AdminClient.JSON.writeValue(dir.resolve("samples.json").toFile(), samples);
        AdminClient.JSON.writeValue(dir.resolve("keys.json").toFile(), d.queriesPerKey());
    }

    /** The table's figures as JSON (summary.json), for scripts and the end-to-end test. */
    static List<Map<String, Object>> summaries(List<ExperimentResult> results) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ExperimentResult r : results) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("experiment", r.experiment.id());
            m.put("preset", r.experiment.preset());
            m.put("distribution", r.experiment.distribution());
            m.put("ok", r.ok());
            if (!r.ok()) {
                m.put("failure", r.failure);
                out.add(m);
                continue;
            }
            m.put("requests", r.clientRequests);
            m.put("responses", r.clientResponses);
            m.put("serverRequests", r.serverRequests);
            m.put("errors", r.errors);
            m.put("errorKinds", r.errorKinds);
            m.put("dbQueries", r.dbQueries);
            m.put("dbMaxPerSecond", r.dbMaxPerSecond);
            m.put("keysQueried", r.keysQueried);
            m.put("queriesPerKeyMean", r.queriesPerKeyMean);
            m.put("queriesPerKeyMax", r.queriesPerKeyMax);
            m.put("hottestKey", r.hottestKey);
            m.put("clusterDuplicates", r.clusterDuplicates);
            m.put("replicaDuplicates", r.replicaDuplicates);
            m.put("pgActiveMax", r.pgActiveMax);
            m.put("pgConnectionsMax", r.pgConnectionsMax);
            m.put("poolAcquiredPeak", r.poolAcquiredPeak);
            m.put("poolPendingPeak", r.poolPendingPeak);
            m.put("poolPendingSumMax", r.poolPendingSumMax);
            m.put("poolMaxSize", r.poolMaxSize);
            m.put("hitRatioBefore", nullIfNaN(r.hitRatioBefore));
            m.put("hitRatioDuring", nullIfNaN(r.hitRatioDuring));
            m.put("serverP50P95P99BeforeMs", nullIfNaN(r.serverBefore));
            m.put("serverP50P95P99DuringMs", nullIfNaN(r.serverDuring));
            m.put("clientP50P95P99BeforeMs", nullIfNaN(r.clientBefore));
            m.put("clientP50P95P99DuringMs", nullIfNaN(r.clientDuring));
            m.put("clientMaxMs", r.clientMaxMs);
            m.put("loadAverageMax", nullIfNaN(r.loadAverageMax));
            m.put("coalesceFollowers", r.coalesceFollowers);
            m.put("coalesceTimeouts", r.coalesceTimeouts);
            m.put("artilleryExit", r.data.artilleryExit());
            out.add(m);
        }
        return out;
    }

    private static Object nullIfNaN(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static Object nullIfNaN(double[] v) {
        List<Object> out = new ArrayList<>();
        for (double x : v) {
            out.add(nullIfNaN(x));
        }
        return out;
    }
}
