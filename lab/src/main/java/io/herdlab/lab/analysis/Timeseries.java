package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.List;

import io.herdlab.lab.data.RunData;
import io.herdlab.lab.data.Sample;

/** The per-second series an experiment's charts draw; x = seconds since the warm phase started. */
public record Timeseries(List<Series> cache, List<Series> db, List<Series> connections, List<Series> latency) {

    /** One line of a chart. */
    public record Series(String name, double[] t, double[] value) {
    }

    static Timeseries of(RunData d) {
        List<ServerLoad.Totals> totals = ServerLoad.totals(d);
        int m = Math.max(0, totals.size() - 1);
        double[] rt = new double[m];
        double[] hits = new double[m];
        double[] misses = new double[m];
        double[] queries = new double[m];
        double[] reads = new double[m];
        for (int i = 0; i < m; i++) {
            ServerLoad.Totals a = totals.get(i);
            ServerLoad.Totals b = totals.get(i + 1);
            double dt = Math.max(0.001, b.t() - a.t());
            rt[i] = b.t();
            hits[i] = Math.max(0, b.served() - a.served()) / dt;
            misses[i] = Math.max(0, b.misses() - a.misses()) / dt;
            queries[i] = Math.max(0, b.queries() - a.queries()) / dt;
            reads[i] = a.reads() < 0 || b.reads() < 0 ? Double.NaN : Math.max(0, b.reads() - a.reads()) / dt;
        }
        List<Sample> samples = ServerLoad.samples(d);
        double[] t = samples.stream().mapToDouble(s -> d.timeline().t(s.epochMs())).toArray();
        List<Series> connections = new ArrayList<>();
        for (int r = 0; r < d.replicaIds().size(); r++) {
            String id = d.replicaIds().get(r);
            int rr = r;
            connections.add(new Series(id + " pg active", t,
                    samples.stream().mapToDouble(s -> s.pg(id, "active")).toArray()));
            connections.add(new Series(id + " pool pending", t, samples.stream()
                    .mapToDouble(s -> s.replicas().get(rr) == null ? Double.NaN : s.replicas().get(rr).poolPending())
                    .toArray()));
        }
        long start = d.timeline().warmStartMs() / 1000;
        List<Double> lt = new ArrayList<>();
        List<double[]> ps = new ArrayList<>();
        d.latencyBySecond().forEach((second, counts) -> {
            if (second >= start + 2) {
                lt.add((double) (second - start));
                ps.add(Histograms.p50p95p99(counts, d.bucketBoundsMs(), d.latencyMaxMs()));
            }
        });
        double[] ltArray = lt.stream().mapToDouble(Double::doubleValue).toArray();
        List<Series> latency = new ArrayList<>();
        String[] names = {"P50", "P95", "P99"};
        for (int k = 0; k < 3; k++) {
            int kk = k;
            latency.add(new Series("server " + names[k], ltArray, ps.stream().mapToDouble(p -> p[kk]).toArray()));
        }
        return new Timeseries(List.of(new Series("hits/s", rt, hits), new Series("misses/s", rt, misses)),
                List.of(new Series("reads executed by PostgreSQL /s", rt, reads),
                        new Series("loads queued by the replicas /s", rt, queries)), connections, latency);
    }
}
