package io.herdlab.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import tools.jackson.databind.JsonNode;

/**
 * One experiment from a clean state: fresh replicas with the preset, an empty key prefix, 10,000
 * seeded users warmed to expire together one second before the warm phase ends, Artillery
 * through its phases, a poll every second, and the per-key counts at the end.
 */
final class ExperimentRun {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** Requests each fresh replica serves before the measurement, so the warm phase does not time the JIT. */
    private static final int WARMUP_REQUESTS = 400;

    private final LabOptions options;
    private final Backends backends;
    private final ArtilleryRunner artillery;
    private final Progress progress;

    ExperimentRun(LabOptions options, Backends backends, ArtilleryRunner artillery, Progress progress) {
        this.options = options;
        this.backends = backends;
        this.artillery = artillery;
        this.progress = progress;
    }

    RunData run(Experiment experiment, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<ReplicaProcess> replicas = new ArrayList<>();
        try {
            startReplicas(experiment, dir, replicas);
            ReplicaProcess first = replicas.get(0);
            progress.phase("prepare", "flush, seed " + options.users() + " users, warm");
            first.admin().post("flush", Map.of());
            first.admin().post("seed", Map.of("users", options.users()));
            // Warm for the warm phase itself; re-warmed with the aligned expiry once Artillery starts.
            first.admin().post("warm", Map.of("users", options.users(), "ttlSeconds", 3600));
            progress.phase("prepare", "JIT warm-up: " + WARMUP_REQUESTS + " requests per replica");
            for (ReplicaProcess r : replicas) {
                r.warmUp(WARMUP_REQUESTS, options.users());
            }
            for (ReplicaProcess r : replicas) {
                r.admin().post("reset", Map.of());
            }
            return load(experiment, dir, replicas);
        }
        finally {
            progress.phase("stop", "stopping replicas");
            replicas.parallelStream().forEach(ReplicaProcess::close);
        }
    }

    private void startReplicas(Experiment experiment, Path dir, List<ReplicaProcess> replicas)
            throws InterruptedException {
        progress.phase("start", options.replicas() + " replicas, preset " + experiment.preset());
        // The first replica creates the schema alone; concurrent CREATE TABLE IF NOT EXISTS can collide.
        replicas.add(ReplicaProcess.start("replica-1", experiment.preset(), options, backends, dir));
        replicas.get(0).awaitReady(READY_TIMEOUT);
        for (int i = 2; i <= options.replicas(); i++) {
            replicas.add(ReplicaProcess.start("replica-" + i, experiment.preset(), options, backends, dir));
        }
        for (ReplicaProcess r : replicas) {
            r.awaitReady(READY_TIMEOUT);
        }
    }

    private RunData load(Experiment experiment, Path dir, List<ReplicaProcess> replicas)
            throws IOException, InterruptedException {
        AtomicLong warmStart = new AtomicLong();
        AtomicLong expiry = new AtomicLong();
        AtomicLong spikeStart = new AtomicLong();
        AtomicReference<Exception> alignFailure = new AtomicReference<>();
        Path clientLog = dir.resolve("client.csv");
        Files.deleteIfExists(clientLog);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HERD_TARGETS", String.join(",", replicas.stream().map(ReplicaProcess::baseUrl).toList()));
        env.put("HERD_SPREAD", options.spread());
        env.put("HERD_DIST", experiment.distribution());
        env.put("HERD_ZIPF_S", Double.toString(options.zipfExponent()));
        env.put("HERD_USERS", Integer.toString(options.users()));
        env.put("HERD_CLIENT_LOG", clientLog.toString());

        int exit;
        try (Sampler sampler = new Sampler(replicas, backends, progress::sample)) {
            sampler.start();
            progress.phase("artillery", "starting");
            exit = artillery.run(options.profile().artilleryEnvironment, env, replicas.get(0).baseUrl(),
                    dir.resolve("artillery.json"), dir.resolve("artillery.log"), phase -> {
                        progress.phase(phase.name(), null);
                        if (phase.index() == 0) {
                            warmStart.set(phase.epochMs());
                            expiry.set(phase.epochMs() + (phase.durationSeconds() - 1) * 1000L);
                            progress.timeline(phase.epochMs(), expiry.get());
                            try {
                                align(replicas, expiry.get(), options.users());
                            }
                            catch (Exception ex) {
                                alignFailure.set(ex);
                            }
                        }
                        else if (phase.name().equals("spike")) {
                            spikeStart.set(phase.epochMs());
                        }
                    });
            long end = System.currentTimeMillis();
            progress.phase("collect", "final poll and per-key counts");
            // latencyBySecond holds completed seconds only: wait for the last one to complete.
            Thread.sleep(1500);
            sampler.finalTick();
            Map<Long, Integer> perKey = queriesPerKey(replicas);
            if (alignFailure.get() != null) {
                throw new IOException("could not warm the cache at the start of the warm phase: "
                        + alignFailure.get().getMessage(), alignFailure.get());
            }
            if (warmStart.get() == 0) {
                throw new IOException("Artillery exited (" + exit + ") without starting a phase, see "
                        + dir.resolve("artillery.log"));
            }
            JsonNode report = Files.isRegularFile(dir.resolve("artillery.json"))
                    ? AdminClient.JSON.readTree(dir.resolve("artillery.json").toFile())
                    : null;
            return new RunData(experiment, warmStart.get(), expiry.get(), spikeStart.get(), end,
                    replicas.stream().map(ReplicaProcess::id).toList(), sampler.samples(),
                    sampler.latencyBySecond(), sampler.bucketBoundsMs(), perKey, report, clientLog, exit);
        }
    }

    /**
     * Every key expires at {@code expiryMs} (plus the preset's jitter); counters start from zero.
     * Retried: on a busy machine a 10,000-key warm can hit the replica's Redis timeout.
     */
    private static void align(List<ReplicaProcess> replicas, long expiryMs, int users)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                replicas.get(0).admin().post("warm", Map.of("users", users, "expiresAtEpochMs", expiryMs));
                break;
            }
            catch (IOException ex) {
                if (attempt == 3 || System.currentTimeMillis() > expiryMs - 5000) {
                    throw ex;
                }
            }
        }
        for (ReplicaProcess r : replicas) {
            r.admin().post("reset", Map.of());
        }
    }

    private static Map<Long, Integer> queriesPerKey(List<ReplicaProcess> replicas)
            throws IOException, InterruptedException {
        Map<Long, Integer> sum = new TreeMap<>();
        for (ReplicaProcess r : replicas) {
            for (Map.Entry<String, JsonNode> e : r.admin().keys().properties()) {
                sum.merge(Long.parseLong(e.getKey()), e.getValue().asInt(), Integer::sum);
            }
        }
        return sum;
    }
}
