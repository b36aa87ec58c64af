package io.herdlab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;

/**
 * The figures of one experiment, computed from its {@link RunData}: the report's table row and
 * the per-second series its charts draw. "Before" is the warm phase from t = 2 s to the expiry;
 * "during" is from the expiry to the end of the run (the spike and the tail).
 */
final class ExperimentResult {

    /** A per-second series: x = seconds since the warm phase started. */
    record Series(String name, double[] t, double[] value) {
    }

    final Experiment experiment;
    final String failure;
    final RunData data;
    /** set once the raw files of this experiment are on disk */
    boolean rawWritten;

    // the table row
    long clientRequests;
    long clientResponses;
    long errors;
    Map<String, Long> errorKinds = new TreeMap<>();
    long serverRequests;
    long dbQueries;
    long dbMaxPerSecond;
    long replicaDuplicates;
    long keysQueried;
    double queriesPerKeyMean;
    long queriesPerKeyMax;
    long hottestKey;
    long clusterDuplicates;
    int pgActiveMax;
    int pgConnectionsMax;
    int poolAcquiredPeak;
    int poolPendingPeak;
    int poolMaxSize;
    int poolPendingSumMax;
    double hitRatioBefore = Double.NaN;
    double hitRatioDuring = Double.NaN;
    double[] serverBefore = {Double.NaN, Double.NaN, Double.NaN};
    double[] serverDuring = {Double.NaN, Double.NaN, Double.NaN};
    double[] clientBefore = {Double.NaN, Double.NaN, Double.NaN};
    double[] clientDuring = {Double.NaN, Double.NaN, Double.NaN};
    double clientMaxMs;
    double loadAverageMax = Double.NaN;
    long coalesceFollowers;
    long coalesceTimeouts;

    // the charts
    final List<Series> cache = new ArrayList<>();
    final List<Series> db = new ArrayList<>();
    final List<Series> connections = new ArrayList<>();
    final List<Series> latency = new ArrayList<>();
    /** queries for one key (1, 2, … , the last bucket "n or more") → keys */
    final Map<String, Long> queriesPerKeyHistogram = new LinkedHashMap<>();

    private ExperimentResult(Experiment experiment, String failure, RunData data) {
        this.experiment = experiment;
        this.failure = failure;
        this.data = data;
    }

    static ExperimentResult failed(Experiment experiment, String why) {
        return new ExperimentResult(experiment, why, null);
    }

    boolean ok() {
        return failure == null;
    }

    static ExperimentResult of(RunData data) throws IOException {
        ExperimentResult r = new ExperimentResult(data.experiment(), null, data);
        r.fromSamples();
        r.fromLatency();
        r.fromKeys();
        r.fromArtillery();
        r.fromClientLog();
        return r;
    }

    double t(long epochMs) {
        return (epochMs - data.warmStartMs()) / 1000.0;
    }

    private void fromSamples() {
        List<Sample> samples = data.samples().stream().filter(s -> s.epochMs() >= data.warmStartMs()).toList();
        int n = data.replicaIds().size();
        // a replica that missed a poll keeps its last counters, so its work lands in the next interval
        Sample.ReplicaSample[] last = new Sample.ReplicaSample[n];
        List<long[]> cumulative = new ArrayList<>(); // served, misses, stale, queries per sample
        double[] t = new double[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            t[i] = t(s.epochMs());
            long[] c = new long[4];
            for (int r = 0; r < n; r++) {
                Sample.ReplicaSample rs = s.replicas().get(r);
                if (rs != null) {
                    last[r] = rs;
                }
                if (last[r] != null) {
                    c[0] += last[r].hits() + last[r].negative();
                    c[1] += last[r].misses();
                    c[2] += last[r].stale();
                    c[3] += last[r].dbQueries();
                }
            }
            cumulative.add(c);
            int pgActive = 0;
            int pgAll = 0;
            int pendingSum = 0;
            for (int r = 0; r < n; r++) {
                String id = data.replicaIds().get(r);
                pgActive += s.pg(id, "active");
                Map<String, Integer> states = s.pgActivity().get(id);
                pgAll += states == null ? 0 : states.values().stream().mapToInt(Integer::intValue).sum();
                Sample.ReplicaSample rs = s.replicas().get(r);
                if (rs != null) {
                    pendingSum += rs.poolPending();
                }
            }
            if (!Double.isNaN(s.loadAverage())) {
                loadAverageMax = Double.isNaN(loadAverageMax) ? s.loadAverage() : Math.max(loadAverageMax, s.loadAverage());
            }
            pgActiveMax = Math.max(pgActiveMax, pgActive);
            pgConnectionsMax = Math.max(pgConnectionsMax, pgAll);
            poolPendingSumMax = Math.max(poolPendingSumMax, pendingSum);
        }
        for (Sample.ReplicaSample rs : last) {
            if (rs != null) {
                serverRequests += rs.served() + rs.misses();
                dbQueries += rs.dbQueries();
                replicaDuplicates += rs.duplicateQueries();
                poolAcquiredPeak = Math.max(poolAcquiredPeak, rs.poolPeakAcquired());
                poolPendingPeak = Math.max(poolPendingPeak, rs.poolPeakPending());
                poolMaxSize = Math.max(poolMaxSize, rs.poolMaxSize());
                coalesceFollowers += rs.followers();
                coalesceTimeouts += rs.coalesceTimeouts();
            }
        }
        // rates between consecutive polls
        int m = Math.max(0, samples.size() - 1);
        double[] rt = new double[m];
        double[][] rate = new double[4][m];
        for (int i = 0; i < m; i++) {
            double dt = Math.max(0.001, t[i + 1] - t[i]);
            rt[i] = t[i + 1];
            for (int k = 0; k < 4; k++) {
                rate[k][i] = Math.max(0, cumulative.get(i + 1)[k] - cumulative.get(i)[k]) / dt;
            }
            dbMaxPerSecond = Math.max(dbMaxPerSecond, Math.round(rate[3][i]));
        }
        cache.add(new Series("hits/s", rt, rate[0]));
        cache.add(new Series("misses/s", rt, rate[1]));
        if (Arrays.stream(rate[2]).anyMatch(v -> v > 0)) {
            cache.add(new Series("stale served/s", rt, rate[2]));
        }
        db.add(new Series("DB queries/s (all replicas)", rt, rate[3]));
        hitRatioBefore = ratio(samples, cumulative, t, 2, t(data.expiryMs()));
        hitRatioDuring = ratio(samples, cumulative, t, t(data.expiryMs()), Double.MAX_VALUE);
        for (int r = 0; r < n; r++) {
            String id = data.replicaIds().get(r);
            double[] active = new double[samples.size()];
            double[] pending = new double[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                active[i] = s.pg(id, "active");
                Sample.ReplicaSample rs = s.replicas().get(r);
                pending[i] = rs == null ? Double.NaN : rs.poolPending();
            }
            connections.add(new Series(id + " pg active", t, active));
            connections.add(new Series(id + " pool pending", t, pending));
        }
    }

    /** Served-from-cache share of the look-ups between the polls nearest to {@code from} and {@code to}. */
    private static double ratio(List<Sample> samples, List<long[]> cumulative, double[] t, double from, double to) {
        int a = -1;
        int b = -1;
        for (int i = 0; i < samples.size(); i++) {
            if (a < 0 && t[i] >= from) {
                a = i;
            }
            if (t[i] <= to) {
                b = i;
            }
        }
        if (a < 0 || b <= a) {
            return Double.NaN;
        }
        long served = cumulative.get(b)[0] + cumulative.get(b)[2] - cumulative.get(a)[0] - cumulative.get(a)[2];
        long misses = cumulative.get(b)[1] - cumulative.get(a)[1];
        return served + misses == 0 ? Double.NaN : (double) served / (served + misses);
    }

    private void fromLatency() {
        long startSecond = data.warmStartMs() / 1000;
        long expirySecond = data.expiryMs() / 1000;
        List<long[]> before = new ArrayList<>();
        List<long[]> during = new ArrayList<>();
        List<Double> ts = new ArrayList<>();
        List<double[]> ps = new ArrayList<>();
        data.latencyBySecond().forEach((second, counts) -> {
            if (second < startSecond + 2) {
                return;
            }
            (second < expirySecond ? before : during).add(counts);
            ts.add((double) (second - startSecond));
            ps.add(new double[] {Histograms.percentile(counts, 0.50), Histograms.percentile(counts, 0.95),
                    Histograms.percentile(counts, 0.99)});
        });
        serverBefore = percentiles(Histograms.sum(before));
        serverDuring = percentiles(Histograms.sum(during));
        double[] t = ts.stream().mapToDouble(Double::doubleValue).toArray();
        String[] names = {"P50", "P95", "P99"};
        for (int k = 0; k < 3; k++) {
            int kk = k;
            latency.add(new Series("server " + names[k], t, ps.stream().mapToDouble(p -> p[kk]).toArray()));
        }
    }

    private static double[] percentiles(long[] counts) {
        if (Histograms.count(counts) == 0) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        return new double[] {Histograms.percentile(counts, 0.50), Histograms.percentile(counts, 0.95),
                Histograms.percentile(counts, 0.99)};
    }

    private void fromKeys() {
        Map<Long, Integer> keys = data.queriesPerKey();
        keysQueried = keys.size();
        long total = 0;
        for (Map.Entry<Long, Integer> e : keys.entrySet()) {
            total += e.getValue();
            clusterDuplicates += e.getValue() - 1;
            if (e.getValue() > queriesPerKeyMax) {
                queriesPerKeyMax = e.getValue();
                hottestKey = e.getKey();
            }
        }
        queriesPerKeyMean = keysQueried == 0 ? 0 : (double) total / keysQueried;
        long[] buckets = new long[12];
        keys.values().forEach(c -> buckets[Math.min(c, 11)]++);
        for (int c = 1; c <= 10; c++) {
            queriesPerKeyHistogram.put(Integer.toString(c), buckets[c]);
        }
        queriesPerKeyHistogram.put("11+", buckets[11]);
    }

    private void fromArtillery() {
        JsonNode report = data.artillery();
        if (report == null) {
            return;
        }
        JsonNode counters = report.path("aggregate").path("counters");
        clientRequests = counters.path("http.requests").asLong();
        clientResponses = counters.path("http.responses").asLong();
        for (Map.Entry<String, JsonNode> e : counters.properties()) {
            String name = e.getKey();
            if (name.startsWith("errors.")) {
                errorKinds.put(name.substring("errors.".length()), e.getValue().asLong());
            }
            else if (name.startsWith("http.codes.") && !name.startsWith("http.codes.2")) {
                errorKinds.put("HTTP " + name.substring("http.codes.".length()), e.getValue().asLong());
            }
        }
        errors = errorKinds.values().stream().mapToLong(Long::longValue).sum();
    }

    private void fromClientLog() throws IOException {
        Path log = data.clientLog();
        if (log == null || !Files.isRegularFile(log)) {
            return;
        }
        List<Double> before = new ArrayList<>();
        List<Double> during = new ArrayList<>();
        try (Stream<String> lines = Files.lines(log)) {
            for (String line : (Iterable<String>) lines::iterator) {
                String[] f = line.split(",");
                if (f.length < 3 || f[1].isEmpty()) {
                    continue;
                }
                long end = Long.parseLong(f[0]);
                double ms = Double.parseDouble(f[1]);
                long start = end - Math.round(ms);
                clientMaxMs = Math.max(clientMaxMs, ms);
                if (start >= data.expiryMs()) {
                    during.add(ms);
                }
                else if (start >= data.warmStartMs() + 2000) {
                    before.add(ms);
                }
            }
        }
        clientBefore = exactPercentiles(before);
        clientDuring = exactPercentiles(during);
    }

    static double[] exactPercentiles(List<Double> values) {
        if (values.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new double[] {rank(v, 0.50), rank(v, 0.95), rank(v, 0.99)};
    }

    /** Nearest-rank percentile of sorted values. */
    private static double rank(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** The progress line after the experiment. */
    String oneLine() {
        return String.format(Locale.ROOT, "done: %d requests, %d errors, %d DB queries (max %d/s), queries per key "
                + "max %d, pool pending peak %d, P99 before %s, during %s", clientRequests, errors, dbQueries,
                dbMaxPerSecond, queriesPerKeyMax, poolPendingPeak, Report.ms(serverBefore[2]), Report.ms(serverDuring[2]));
    }

    /** The experiment's paragraph under its charts. */
    String details() {
        StringBuilder d = new StringBuilder();
        d.append(String.format(Locale.ROOT, "Artillery sent %d requests (%d responses, %d errors%s); the replicas "
                + "counted %d look-ups. ", clientRequests, clientResponses, errors,
                errorKinds.isEmpty() ? "" : ": " + errorKinds, serverRequests));
        d.append(String.format(Locale.ROOT, "%d DB queries for %d keys (mean %.2f, max %d for id %d); %d cluster-wide "
                + "duplicates, %d counted by the replicas (same key again within their window). ", dbQueries,
                keysQueried, queriesPerKeyMean, queriesPerKeyMax, hottestKey, clusterDuplicates, replicaDuplicates));
        d.append(String.format(Locale.ROOT, "Peaks: %d active connections in pg_stat_activity (%d open), pool acquired "
                + "%d of %d, %d waiting for a connection in one replica (%d summed over replicas at a 1-s poll). ",
                pgActiveMax, pgConnectionsMax, poolAcquiredPeak, poolMaxSize, poolPendingPeak, poolPendingSumMax));
        if (coalesceFollowers > 0 || coalesceTimeouts > 0) {
            d.append(String.format(Locale.ROOT, "Coalescing: %d followers served by a leader, %d timed out. ",
                    coalesceFollowers, coalesceTimeouts));
        }
        d.append(String.format(Locale.ROOT, "Client-side latency (Artillery, incl. connection set-up) P50/P95/P99 "
                + "before %s, during %s, max %s.", Report.triple(clientBefore), Report.triple(clientDuring),
                Report.ms(clientMaxMs)));
        if (!Double.isNaN(loadAverageMax)) {
            d.append(String.format(Locale.ROOT, " Machine load average (1 min) up to %.1f on %d cores during the run.",
                    loadAverageMax, Runtime.getRuntime().availableProcessors()));
        }
        if (data.artilleryExit() != 0) {
            d.append(" Artillery exited with ").append(data.artilleryExit()).append('.');
        }
        return d.toString();
    }
}
