package io.herdlab.lab.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.herdlab.lab.Experiment;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.Scaling;
import io.herdlab.lab.analysis.Timeseries;
import io.herdlab.lab.data.RunData;

/** The report's charts as PNG files in charts/; each method returns the file names it wrote. */
final class ReportCharts {

    private static final String REPLICAS = "replicas";

    private ReportCharts() {
    }

    static List<String> experiment(Path charts, ExperimentResult r) throws IOException {
        String id = r.experiment().id();
        Timeseries s = r.series();
        Map<String, Double> markers = markers(r);
        List<String> files = new ArrayList<>();
        files.add(draw(charts, id + "-cache.png", n -> Charts.lines(n, r.experiment() + ": cache hits and misses per second",
                Charts.SECONDS, "look-ups/s", s.cache(), markers, false)));
        files.add(draw(charts, id + "-connections.png", n -> Charts.lines(n, r.experiment()
                + ": pg_stat_activity active connections and pool pending, per replica", Charts.SECONDS,
                "connections / waiting acquires", s.connections(), markers, false)));
        files.add(draw(charts, id + "-latency.png", n -> Charts.lines(n, r.experiment()
                + ": request latency P50 / P95 / P99 per second (all replicas)", Charts.SECONDS, "ms (log scale)",
                s.latency(), markers, true)));
        files.add(draw(charts, id + "-db.png", n -> Charts.lines(n, r.experiment()
                + ": DB reads executed and loads queued, per second",
                Charts.SECONDS, "per second", s.db(), markers, false)));
        files.add(draw(charts, id + "-duplicates.png", n -> Charts.bars(n, r.experiment()
                + ": DB queries per key, cluster-wide (keys with n queries)", "queries for one key", "keys (log scale)",
                Map.of("keys", r.keys().perKeyHistogram()), true)));
        return files;
    }

    static List<String> comparison(Path charts, List<ExperimentResult> results) throws IOException {
        List<String> files = new ArrayList<>();
        for (String dist : Experiment.DISTRIBUTIONS) {
            List<ExperimentResult> ok = results.stream()
                    .filter(r -> r.ok() && r.experiment().inMatrix() && r.experiment().distribution().equals(dist))
                    .toList();
            if (ok.isEmpty()) {
                continue;
            }
            Map<String, Double> markers = markers(ok.get(0));
            List<Timeseries.Series> p99 = new ArrayList<>();
            List<Timeseries.Series> db = new ArrayList<>();
            Map<String, Map<String, ? extends Number>> perKey = new LinkedHashMap<>();
            for (ExperimentResult r : ok) {
                String name = r.experiment().preset().id();
                Timeseries.Series l = r.series().latency().get(2);
                p99.add(new Timeseries.Series(name, l.t(), l.value()));
                Timeseries.Series d = r.series().db().get(0);
                db.add(new Timeseries.Series(name, d.t(), d.value()));
                perKey.put(name, r.keys().perKeyHistogram());
            }
            files.add(draw(charts, "compare-" + dist + "-p99.png", n -> Charts.lines(n, "Server P99 per second, every "
                    + "preset (" + dist + ")", Charts.SECONDS, "ms (log scale)", p99, markers, true)));
            files.add(draw(charts, "compare-" + dist + "-db.png", n -> Charts.lines(n, "DB reads PostgreSQL executed per "
                    + "second, every preset (" + dist + ")", Charts.SECONDS, "reads/s", db, markers, false)));
            files.add(draw(charts, "compare-" + dist + "-duplicates.png", n -> Charts.bars(n, "Keys by DB queries per "
                    + "key, cluster-wide (" + dist + ")", "queries for one key", "keys (log scale)", perKey, true)));
        }
        return files;
    }

    /** The scaling set against the replica count: one line per coalescer. */
    static List<String> scaling(Path charts, Scaling s) throws IOException {
        List<String> files = new ArrayList<>();
        files.add(draw(charts, "scaling-hot-key-reads.png", n -> Charts.lines(n, "DB reads per hot key per expiry",
                REPLICAS, "reads", curves(s, Scaling.Point::hotKeyReadsPerExpiry), Map.of(), false)));
        files.add(draw(charts, "scaling-duplicates.png", n -> Charts.lines(n, "Cluster-wide duplicate DB loads",
                REPLICAS, "duplicates", curves(s, Scaling.Point::clusterDuplicates), Map.of(), false)));
        files.add(draw(charts, "scaling-spike-p99.png", n -> Charts.lines(n, "Server P99 during the spike", REPLICAS,
                "ms (log scale)", curves(s, Scaling.Point::spikeP99Ms), Map.of(), true)));
        List<Timeseries.Series> perMiss = new ArrayList<>();
        s.curves().forEach((p, points) -> {
            perMiss.add(curve(p.id() + " sent", points, Scaling.Point::sentPerMiss));
            perMiss.add(curve(p.id() + " Redis-side", points, Scaling.Point::redisServedPerMiss));
        });
        files.add(draw(charts, "scaling-redis-per-miss.png", n -> Charts.lines(n, "The lease's cost: Redis commands "
                + "per cache miss, sent by the replicas and served by Redis (script internals included)", REPLICAS,
                "commands / miss", perMiss, Map.of(), false)));
        List<Timeseries.Series> wake = new ArrayList<>();
        s.curves().forEach((p, points) -> {
            wake.add(curve(p.id() + " P50", points, Scaling.Point::wakeUpP50Ms));
            wake.add(curve(p.id() + " P99", points, Scaling.Point::wakeUpP99Ms));
        });
        files.add(draw(charts, "scaling-wake-up.png", n -> Charts.lines(n, "The lease's cost: follower wake-up latency",
                REPLICAS, "ms (log scale)", wake, Map.of(), true)));
        return files;
    }

    private static List<Timeseries.Series> curves(Scaling s, ToDoubleFunction<Scaling.Point> y) {
        List<Timeseries.Series> out = new ArrayList<>();
        s.curves().forEach((p, points) -> out.add(curve(p.id(), points, y)));
        return out;
    }

    private static Timeseries.Series curve(String name, List<Scaling.Point> points, ToDoubleFunction<Scaling.Point> y) {
        return new Timeseries.Series(name, points.stream().mapToDouble(Scaling.Point::replicas).toArray(),
                points.stream().mapToDouble(y).toArray());
    }

    private static Map<String, Double> markers(ExperimentResult r) {
        Map<String, Double> markers = new LinkedHashMap<>();
        RunData.Timeline t = r.data().timeline();
        markers.put("keys expire", t.t(t.expiryMs()));
        if (t.spikeAtMs() > 0) {
            markers.put("spike", t.t(t.spikeAtMs()));
        }
        return markers;
    }

    private interface Drawing {
        void to(Path file) throws IOException;
    }

    private static String draw(Path charts, String name, Drawing drawing) throws IOException {
        drawing.to(charts.resolve(name));
        return name;
    }
}
