package io.herdlab.lab.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.herdlab.contract.LatencyBuckets;
import io.herdlab.lab.analysis.Histograms;
import io.herdlab.lab.data.RunData;
import io.herdlab.lab.data.Sample;

/** The polls and the per-second latency as CSV tables a person or a notebook can read. */
public final class RawData {

    private RawData() {
    }

    public static void write(Path dir, RunData d) throws IOException {
        List<String> csv = new ArrayList<>();
        StringBuilder header = new StringBuilder("t_s,epoch_ms");
        for (String id : d.replicaIds()) {
            for (String column : List.of("hits", "misses", "stale", "db_queries", "duplicates", "pool_acquired",
                    "pool_pending", "pg_active", "pg_idle")) {
                header.append(',').append(id).append('_').append(column);
            }
        }
        csv.add(header.append(",load_average_1m").toString());
        for (Sample s : d.samples()) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%.3f,%d", d.timeline().t(s.epochMs()),
                    s.epochMs()));
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
                + Arrays.toString(d.bucketBoundsMs()).replace(",", " ") + " +overflow)");
        long start = d.timeline().warmStartMs() / 1000;
        d.latencyBySecond().forEach((second, counts) -> {
            double[] p = Histograms.p50p95p99(counts, d.bucketBoundsMs(), d.latencyMaxMs());
            latency.add(String.format(Locale.ROOT, "%d,%d,%d,%.1f,%.1f,%.1f,%s", second - start, second,
                    LatencyBuckets.count(counts), p[0], p[1], p[2], Arrays.toString(counts).replace(",", " ")));
        });
        Report.lines(dir.resolve("latency.csv"), latency);
    }
}
