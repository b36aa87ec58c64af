package io.herdlab.lab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.LatencyBuckets;
import io.herdlab.lab.data.LatencySeconds;
import io.herdlab.lab.data.Sample;

/**
 * Polls every replica's {@code /actuator/herd} and pg_stat_activity once a second. Latency comes
 * from each snapshot's {@code latencyBySecond} (the last 10 completed seconds), so a slow or
 * missed poll during the spike loses no request: per-second histograms are merged across
 * replicas by adding bucket counts.
 */
final class Sampler implements AutoCloseable {

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(2500);
    private static final String PG_ACTIVITY = """
            SELECT coalesce(application_name, '') AS app, coalesce(state, '') AS state, count(*) AS n
            FROM pg_stat_activity
            WHERE datname = current_database() AND application_name <> ?
            GROUP BY 1, 2""";

    private final List<ReplicaProcess> replicas;
    private final Backends backends;
    private final Consumer<Sample> listener;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lab-sampler");
        t.setDaemon(true);
        return t;
    });

    // written by the ticker thread, read by the lab thread after close()
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final LatencySeconds latency = new LatencySeconds();
    private Connection pg;

    Sampler(List<ReplicaProcess> replicas, Backends backends, Consumer<Sample> listener) {
        this.replicas = replicas;
        this.backends = backends;
        this.listener = listener;
    }

    void start() {
        long delay = 1000 - System.currentTimeMillis() % 1000 + 100;
        ticker.scheduleAtFixedRate(this::tick, delay, 1000, TimeUnit.MILLISECONDS);
    }

    /** One more poll now (after the load ended), from the caller's thread. */
    void finalTick() {
        tick();
    }

    private void tick() {
        long now = System.currentTimeMillis();
        List<CompletableFuture<HerdSnapshot>> polls = replicas.stream()
                .map(r -> r.admin().snapshot(POLL_TIMEOUT).exceptionally(error -> null))
                .toList();
        long[] reads = {-1};
        Map<String, Map<String, Integer>> activity = pgActivity(reads);
        List<Sample.ReplicaSample> read = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            HerdSnapshot snapshot = polls.get(i).join();
            read.add(snapshot == null ? null : toReplicaSample(replicas.get(i).id(), snapshot));
            if (snapshot != null) {
                latency.keep(replicas.get(i).id(), snapshot);
            }
        }
        Sample sample = new Sample(now, Collections.unmodifiableList(read), activity, reads[0], loadAverage());
        samples.add(sample);
        try {
            listener.accept(sample);
        }
        catch (RuntimeException ex) {
            // the progress line must never stop the sampling
        }
    }

    /** Other work on the machine skews every figure; the report says how busy it was. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        }
        catch (IOException | RuntimeException ex) {
            return Double.NaN;
        }
    }

    /** pg_stat_activity by application_name and state; {@code reads[0]} gets the users index scans so far. */
    private Map<String, Map<String, Integer>> pgActivity(long[] reads) {
        Map<String, Map<String, Integer>> out = new TreeMap<>();
        try {
            if (pg == null || pg.isClosed()) {
                pg = backends.connect();
            }
            try (PreparedStatement statement = pg.prepareStatement(PG_ACTIVITY)) {
                statement.setQueryTimeout(2);
                statement.setString(1, Backends.LAB_APPLICATION_NAME);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        out.computeIfAbsent(rows.getString("app"), k -> new TreeMap<>())
                                .put(rows.getString("state"), rows.getInt("n"));
                    }
                }
            }
            try (PreparedStatement statement = pg.prepareStatement(ScratchDatabase.USER_READS);
                    ResultSet rows = statement.executeQuery()) {
                reads[0] = rows.next() ? rows.getLong(1) : -1;
            }
        }
        catch (SQLException ex) {
            closePg();
        }
        return out;
    }

    private static Sample.ReplicaSample toReplicaSample(String id, HerdSnapshot s) {
        HerdSnapshot.Cache cache = s.cache();
        HerdSnapshot.Pool pool = s.pool();
        return new Sample.ReplicaSample(id, cache.hits(), cache.misses(), cache.stale(), cache.negative(),
                cache.errors(), s.db().queries(), s.db().duplicateQueries(), pool.acquired(), pool.pending(),
                pool.peakAcquired(), pool.peakPending(), pool.maxSize(), s.coalesce().leaders(),
                s.coalesce().followers(), s.coalesce().timeouts());
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    /** Request latency per epoch second, all replicas merged. */
    Map<Long, long[]> latencyBySecond() {
        return latency.merged();
    }

    long[] bucketBoundsMs() {
        return latency.boundsMs();
    }

    /** The slowest request any replica reported since its reset. */
    long latencyMaxMs() {
        return latency.maxMs();
    }

    @Override
    public void close() {
        ticker.shutdown();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        closePg();
    }

    private void closePg() {
        try {
            if (pg != null) {
                pg.close();
            }
        }
        catch (SQLException ignored) {
            // the connection is gone either way
        }
        pg = null;
    }
}
