package io.herdlab.lab.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.LatencyBuckets;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.analysis.Histograms;
import io.herdlab.lab.data.AdminClient;
import io.herdlab.lab.data.LatencySeconds;
import io.herdlab.lab.data.RunData;
import io.herdlab.lab.data.WakeUp;
import io.herdlab.lab.report.Fmt;
import io.herdlab.lab.run.ReplicaProcess;
import io.herdlab.lab.run.ScratchDatabase;

/**
 * {@code burst}: one hot key after a synchronized expiry, the burst harness that make bench and
 * scripts/hot-key-burst.sh run. Fresh replicas of one preset on a database of their own; every
 * key warmed to expire in the same instant (the preset's jitter off), after the same burst twice
 * (once cached, once on a flushed cache: the herd itself), so the JIT has compiled the hit path and
 * the miss path as on a service that has been serving a while; PostgreSQL's count read once its
 * idle backends reported; after the expiry, counters reset and the burst;
 * then each replica's snapshot, and PostgreSQL's count again once the replicas stopped and their
 * backends reported on exit.
 */
public final class ColdBurst {

    /** How every quantile of the result is computed, printed and written with it. */
    static final String QUANTILES = "client: nearest rank of the requests' own latencies (scripts/burst.mjs,"
            + " the lab's Histograms.exact); server and wake-up: linear interpolation inside the histogram's"
            + " bucket (the lab's Histograms.percentile and cumulativePercentile), not the bucket's upper bound";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** Idle PostgreSQL backends report their statistics within 10 s. */
    private static final long STATISTICS_MS = 11_000;
    /** The burst leaves this long after the expiry: every key has expired on Redis's clock too. */
    private static final long AFTER_EXPIRY_MS = 500;
    /** The request that gives up (--give-up) hangs up after this long, while its load runs. */
    private static final Duration GIVE_UP_AFTER = Duration.ofMillis(300);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(2500);
    private static final Pattern REFUSAL = Pattern.compile("503: .*");

    /**
     * One burst's figures.
     *
     * @param serverRequests requests the server quantiles cover (the replicas were polled every second)
     * @param reads          PostgreSQL's user look-ups during the burst (idx_scan on users)
     * @param herdQueries    the user SELECTs the replicas counted
     */
    record Result(String preset, int replicas, int concurrency, BurstClient.Summary client, double serverP50Ms,
            double serverP99Ms, long serverRequests, long reads, long herdQueries, long duplicateQueries,
            WakeUps wakeUp, String quantiles) {
    }

    /** The followers woken by a leader's fill ({@link WakeUp#FILL_TO_ANSWER}), all modes and replicas. */
    record WakeUps(String metric, long count, double p50Ms, double p99Ms) {
    }

    private final HarnessOptions h;
    private final String preset;
    private final int replicas;
    private final int requests;
    private final int concurrency;
    private final int ttlSeconds;
    private final boolean jitWarmup;
    private final boolean giveUp;
    private final PrintStream out;

    private ColdBurst(HarnessOptions h, LabOptions.Option o, PrintStream out) {
        this.h = h;
        this.preset = o.get("preset", "");
        this.replicas = o.integer("replicas", 1);
        this.requests = o.integer("requests", 2000);
        this.concurrency = o.integer("concurrency", 400);
        this.ttlSeconds = o.integer("ttl", 25);
        this.jitWarmup = Boolean.parseBoolean(o.get("jit-warmup", "true"));
        this.giveUp = Boolean.parseBoolean(o.get("give-up", "false"));
        this.out = out;
        if (!preset.matches("[a-z]+")) {
            throw new LabOptions.UsageException("--preset must name a preset (baseline, jitter, local, …), not '"
                    + preset + "'");
        }
        if (replicas < 1 || replicas > 16) {
            throw new LabOptions.UsageException("--replicas must be between 1 and 16");
        }
    }

    /** Runs the command: prints the figures and writes them to {@code --out} when given. */
    public static void run(LabOptions.Option o, PrintStream out) throws Exception {
        HarnessOptions h = HarnessOptions.of(o);
        ColdBurst burst = new ColdBurst(h, o, out);
        String file = o.nullable("out");
        o.requireAllRead();
        Result result = burst.run();
        if (file != null) {
            AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValue(Path.of(file).toFile(), result);
        }
    }

    private Result run() throws Exception {
        String name = "herdlab_burst_" + ProcessHandle.current().pid() + "_" + preset;
        ScratchDatabase db = ScratchDatabase.create(h.postgresJdbc(), name);
        List<ReplicaProcess> started = Collections.synchronizedList(new ArrayList<>());
        // Ctrl-C: the replicas and the database go with the harness
        Thread cleanup = new Thread(() -> release(started, db), "burst-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            Map<String, String> presetById = new LinkedHashMap<>();
            for (int i = 1; i <= replicas; i++) {
                presetById.put(preset + "-" + i, preset);
            }
            ReplicaProcess.Setup setup = h.setup(db.r2dbcUrl(), name + ":");
            ReplicaProcess.startAll(presetById, id -> setup, h.logDir(), READY_TIMEOUT, started);
            out.println(replicas + " replica(s) up, preset " + preset + " (logs in " + h.logs() + ")");
            return measure(db, started);
        }
        finally {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            release(started, db);
        }
    }

    /** Each replica's keys flushed where it still answers, then every replica stopped (SIGTERM, then SIGKILL). */
    static void stop(List<ReplicaProcess> started) {
        List.copyOf(started).parallelStream().forEach(r -> {
            try {
                r.admin().post("flush", Map.of());
            }
            catch (IOException | InterruptedException | RuntimeException gone) {
                // stopped already, or never ready: its keys expire with their TTL
            }
            r.close();
        });
    }

    /** The replicas stopped ({@link #stop}), the database dropped. */
    static void release(List<ReplicaProcess> started, ScratchDatabase db) {
        stop(started);
        try {
            db.close();
        }
        catch (SQLException ex) {
            System.err.println("could not drop the run's database: " + ex.getMessage());
        }
    }

    private Result measure(ScratchDatabase db, List<ReplicaProcess> started) throws Exception {
        ReplicaProcess first = started.get(0);
        first.admin().post("seed", Map.of("users", h.users()));
        List<String> bases = started.stream().map(ReplicaProcess::baseUrl).toList();
        if (jitWarmup) {
            // the hit path, then the miss path (an expired key's herd: coalescing, the lease, the fill),
            // so the JIT has compiled both, as on a service that has been serving a while
            first.admin().post("warm", Map.of("users", h.users(), "ttlSeconds", ttlSeconds));
            BurstClient.fire(h.burstClient(), bases, h.hotPath(), requests, concurrency);
            first.admin().post("flush", Map.of());
            BurstClient.fire(h.burstClient(), bases, h.hotPath(), requests, concurrency);
        }
        long expiresAt = first.admin().post("warm", Map.of("users", h.users(), "ttlSeconds", ttlSeconds,
                "aligned", true)).path("expiresAtEpochMs").asLong();
        // nothing asks for a user now, so the count may be read after the expiry as well as before
        Thread.sleep(STATISTICS_MS);
        long before = db.userReads();
        Thread.sleep(Math.max(0, expiresAt + AFTER_EXPIRY_MS - System.currentTimeMillis()));
        List<String> scrapesBefore = new ArrayList<>();
        for (ReplicaProcess r : started) {
            r.admin().post("reset", Map.of());
            scrapesBefore.add(r.admin().prometheus());
        }
        if (giveUp) {
            hangUpEarly(first);
        }
        // a snapshot carries the last 10 s of latency: polled every second, a longer burst loses none
        LatencySeconds latency = new LatencySeconds();
        ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
        poller.scheduleAtFixedRate(() -> started.forEach(r -> r.admin().snapshot(POLL_TIMEOUT)
                .thenAccept(s -> latency.keep(r.id(), s))), 1, 1, TimeUnit.SECONDS);
        BurstClient.Summary client;
        try {
            client = BurstClient.fire(h.burstClient(), bases, h.hotPath(), requests, concurrency);
        }
        finally {
            poller.shutdownNow();
        }
        // latencyBySecond holds completed seconds only: let the burst's last one complete
        Thread.sleep(1100 - System.currentTimeMillis() % 1000);
        List<HerdSnapshot> snapshots = new ArrayList<>();
        List<String> scrapesAfter = new ArrayList<>();
        for (ReplicaProcess r : started) {
            snapshots.add(r.admin().snapshot(Duration.ofSeconds(30)).join());
            latency.keep(r.id(), snapshots.get(snapshots.size() - 1));
            scrapesAfter.add(r.admin().prometheus());
        }
        // stopped, their backends exit and report what they read
        stop(started);
        long reads = db.userReadsOnceClosed() - before;
        return report(client, snapshots, latency, WakeUp.between(scrapesBefore, scrapesAfter, WakeUp.FILL_TO_ANSWER),
                reads, started);
    }

    private void hangUpEarly(ReplicaProcess replica) throws InterruptedException {
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(replica.baseUrl() + h.hotPath()))
                    .timeout(GIVE_UP_AFTER).build(), HttpResponse.BodyHandlers.discarding());
        }
        catch (IOException expected) {
            // the client hung up: what this request is for
        }
        out.println("one client gave up on " + replica.id() + " after " + GIVE_UP_AFTER.toMillis()
                + " ms (its request held the lease)");
    }

    private Result report(BurstClient.Summary client, List<HerdSnapshot> snapshots, LatencySeconds latency,
            RunData.Histogram wakeUps, long reads, List<ReplicaProcess> started) throws IOException {
        long queries = 0;
        long duplicates = 0;
        for (HerdSnapshot s : snapshots) {
            double[] p = Histograms.p50p95p99(latency.total(s.instance()), latency.boundsMs(), s.latency().maxMs());
            out.printf(Locale.ROOT, "  %s: hits %d misses %d errors %d | DB queries %d duplicates %d | pool peak"
                    + " acquired %d pending %d | P50 %s P99 %s | leaders %d followers %d timeouts %d%n", s.instance(),
                    s.cache().hits(), s.cache().misses(), s.cache().errors(), s.db().queries(),
                    s.db().duplicateQueries(),
                    s.pool().peakAcquired(), s.pool().peakPending(), Fmt.ms(p[0]), Fmt.ms(p[2]), s.coalesce().leaders(),
                    s.coalesce().followers(), s.coalesce().timeouts());
            HerdSnapshot.Owner o = s.owner();
            if (o.forwards() + o.fallbacks() + o.servedAsOwner() + o.servedForwarded() > 0) {
                out.printf(Locale.ROOT, "  %s owner routing: forwards %d (mean %s) fallbacks %d | loaded as owner %d,"
                        + " forwarded reads answered %d%n", s.instance(), o.forwards(), Fmt.ms(o.forwardMeanMs()),
                        o.fallbacks(), o.servedAsOwner(), o.servedForwarded());
            }
            queries += s.db().queries();
            duplicates += s.db().duplicateQueries();
        }
        WakeUps wakeUp = new WakeUps(WakeUp.FILL_TO_ANSWER, wakeUps.total(),
                1000 * Histograms.cumulativePercentile(wakeUps, 0.50), 1000 * Histograms.cumulativePercentile(wakeUps, 0.99));
        long[] all = LatencyBuckets.sum(latency.merged().values());
        Result result = new Result(preset, replicas, concurrency, client,
                Histograms.percentile(all, latency.boundsMs(), latency.maxMs(), 0.50),
                Histograms.percentile(all, latency.boundsMs(), latency.maxMs(), 0.99), LatencyBuckets.count(all), reads,
                queries, duplicates, wakeUp, QUANTILES);
        int failed = requests - client.ok();
        out.printf(Locale.ROOT, "preset=%s replicas=%d requests=%d concurrency=%d: %d ok, %d failed%n", preset, replicas,
                requests, concurrency, client.ok(), failed);
        out.printf(Locale.ROOT, "client: P50 %s, P99 %s, P99.9 %s, max %s; all answered in %s; status %s%n",
                Fmt.ms(client.p50Ms()), Fmt.ms(client.p99Ms()), Fmt.ms(client.p999Ms()), Fmt.ms(client.maxMs()),
                Fmt.ms(client.elapsedMs()), client.codes());
        out.printf(Locale.ROOT, "server (all replicas, %d requests): P50 %s, P99 %s%n", result.serverRequests(),
                Fmt.ms(result.serverP50Ms()), Fmt.ms(result.serverP99Ms()));
        if (failed > 0) {
            out.println("why (from the replicas' logs):");
            refusals(started).forEach((why, n) -> out.printf(Locale.ROOT, "  %6d %s%n", n, why));
        }
        out.println("herdlab DB queries (all replicas): " + queries);
        out.println("PostgreSQL idx_scan on users during the burst: " + reads);
        out.printf(Locale.ROOT, "follower wake-ups (%s, the leader's fill to the follower's answer): %d, P50 %s, P99 %s%n",
                wakeUp.metric(), wakeUp.count(), Fmt.ms(wakeUp.p50Ms()), Fmt.ms(wakeUp.p99Ms()));
        out.println("quantiles: " + QUANTILES);
        return result;
    }

    /** The five most frequent reasons the replicas logged for a 503, numbers blurred, with their counts. */
    private static Map<String, Long> refusals(List<ReplicaProcess> started) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (ReplicaProcess r : started) {
            for (String line : Files.readAllLines(r.log())) {
                Matcher m = REFUSAL.matcher(line);
                if (m.find()) {
                    counts.merge(m.group().replaceAll("[0-9]+ ms", "N ms").replaceAll("user [0-9]+", "user N"), 1L,
                            Long::sum);
                }
            }
        }
        Map<String, Long> top = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(5)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        return top;
    }
}
