package io.herdlab.lab.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.contract.KeyQueries;
import io.herdlab.contract.LeaseEvents;
import io.herdlab.lab.Experiment;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.data.Prometheus;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.data.RedisProbe;
import io.herdlab.lab.data.RunData;
import io.herdlab.lab.data.WakeUp;

/**
 * One experiment from a clean state: fresh replicas with the preset, an empty key prefix, the
 * seeded users warmed to expire together one second before the warm phase ends, Artillery
 * through its phases, the spike stage's burst when the warm phase ends, a poll every second,
 * and at the end the per-key counts and lease events, Redis's command counts, the replicas'
 * commands sent and lease outcomes, the follower wait histograms and the keys still cached.
 * Everything recorded is written to the experiment's folder.
 */
public final class ExperimentRun {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** Requests each fresh replica serves before the measurement, so the warm phase does not time the JIT. */
    private static final int WARMUP_REQUESTS = 400;

    private final LabOptions options;
    private final Backends backends;
    private final ArtilleryRunner artillery;
    private final SpikeStage spikeStage;
    private final Progress progress;

    public ExperimentRun(LabOptions options, Backends backends, ArtilleryRunner artillery, Progress progress) {
        this.options = options;
        this.backends = backends;
        this.artillery = artillery;
        this.spikeStage = new SpikeStage(options.artilleryDir());
        this.progress = progress;
    }

    public RunData run(Experiment experiment, Path dir) throws IOException, InterruptedException {
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
            RecordedRun.write(dir, new Load(experiment, dir, replicas).run());
            // the figures come from the files alone, as they would for a run recorded earlier
            return RecordedRun.read(dir);
        }
        finally {
            progress.phase("stop", "stopping replicas");
            replicas.parallelStream().forEach(ReplicaProcess::close);
        }
    }

    private void startReplicas(Experiment experiment, Path dir, List<ReplicaProcess> replicas)
            throws InterruptedException {
        progress.phase("start", experiment.replicas() + " replicas, preset " + experiment.preset().id());
        List<String> properties = new ArrayList<>();
        properties.add("--herd.cache.ttl=" + options.profile().cacheTtl.toSeconds() + "s");
        if (options.queryDelay() != null) {
            properties.add("--herd.db.query-delay=" + options.queryDelay());
        }
        properties.addAll(experiment.replicaArgs());
        if (experiment.redisCluster()) {
            // the cache, the Lua lease and Redisson in cluster mode, as hot-key-burst.sh's REDIS_CLUSTER_NODES does
            properties.add("--spring.data.redis.cluster.nodes=" + backends.clusterNodes());
        }
        properties.addAll(options.replicaArgs());
        var setup = new ReplicaProcess.Setup(options.replicaJvmOptions(), options.launcher(), backends.r2dbcUrl(),
                backends.redisUrl(), options.keyPrefix(), properties);
        Map<String, String> presetById = new LinkedHashMap<>();
        for (int i = 1; i <= experiment.replicas(); i++) {
            presetById.put("replica-" + i, experiment.preset().id());
        }
        ReplicaProcess.startAll(presetById, id -> setup, dir, READY_TIMEOUT, replicas);
    }

    /** The measured part: from Artillery's start to the last count read. */
    private final class Load {
        private final Experiment experiment;
        private final Path dir;
        private final List<ReplicaProcess> replicas;
        // set by Artillery's output thread when the warm phase starts, read after Artillery exited
        private volatile RunData.Timeline timeline;
        private volatile Exception alignFailure;
        private volatile long jitterMaxMs;
        private volatile Map<String, Map<String, Long>> redisBefore = Map.of();
        private volatile List<String> prometheusBefore = List.of();
        private volatile CompletableFuture<String> spike;

        Load(Experiment experiment, Path dir, List<ReplicaProcess> replicas) {
            this.experiment = experiment;
            this.dir = dir;
            this.replicas = replicas;
        }

        public RunData run() throws IOException, InterruptedException {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("HERD_TARGETS", String.join(",", replicas.stream().map(ReplicaProcess::baseUrl).toList()));
            env.put("HERD_SPREAD", options.spread());
            env.put("HERD_DIST", experiment.distribution());
            env.put("HERD_ZIPF_S", Double.toString(options.zipfExponent()));
            env.put("HERD_USERS", Integer.toString(options.users()));
            Path clientLog = dir.resolve("client.csv");
            Files.deleteIfExists(clientLog);
            Map<String, String> artilleryEnv = new LinkedHashMap<>(env);
            artilleryEnv.put("HERD_CLIENT_LOG", clientLog.toString());
            HerdSnapshot settings = replicas.get(0).admin().snapshot(Duration.ofSeconds(10)).join();
            try (Sampler sampler = new Sampler(replicas, backends, progress::sample)) {
                sampler.start();
                progress.phase("artillery", "starting");
                int exit = artillery.run(options.profile().artilleryEnvironment, artilleryEnv, replicas.get(0).baseUrl(),
                        dir.resolve("artillery.json"), dir.resolve("artillery.log"), phase -> {
                            progress.phase(phase.name(), null);
                            if (phase.index() == 0) {
                                warmStarted(phase, env);
                            }
                        });
                if (timeline == null) {
                    throw new IOException("Artillery exited (" + exit + ") without starting a phase, see "
                            + dir.resolve("artillery.log"));
                }
                if (alignFailure != null) {
                    throw new IOException("could not warm the cache at the start of the warm phase: "
                            + alignFailure.getMessage(), alignFailure);
                }
                awaitSpike();
                long end = System.currentTimeMillis();
                progress.phase("collect", "final poll, per-key counts, lease events, Redis and Prometheus counters");
                // latencyBySecond holds completed seconds only: wait for the last one to complete.
                Thread.sleep(1500);
                sampler.finalTick();
                KeyQueries keys = new KeyQueries(Map.of());
                LeaseEvents events = new LeaseEvents(Map.of());
                boolean eventsServed = true;
                List<String> prometheusAfter = new ArrayList<>();
                for (ReplicaProcess r : replicas) {
                    keys = keys.plus(r.admin().keys());
                    LeaseEvents replicaEvents = r.admin().leaseEvents();
                    eventsServed &= replicaEvents != null;
                    events = replicaEvents == null ? events : events.plus(replicaEvents);
                    prometheusAfter.add(r.admin().prometheus());
                }
                Map<String, Map<String, Long>> redisByShard;
                Map<String, List<String>> slots;
                List<Long> cached;
                try (RedisProbe redis = backends.probe(experiment.redisCluster())) {
                    redisByShard = RedisProbe.deltaByShard(redisBefore, redis.commandCallsByShard());
                    slots = redis.slotsByShard();
                    cached = redis.cachedIds(options.keyPrefix(), options.users());
                }
                List<RunData.Shard> shards = redisByShard.entrySet().stream()
                        .map(e -> new RunData.Shard(e.getKey(), slots.getOrDefault(e.getKey(), List.of()), e.getValue()))
                        .toList();
                RunData.Timeline t = new RunData.Timeline(timeline.warmStartMs(), timeline.expiryMs(),
                        timeline.spikeAtMs(), end);
                RunData.Settings s = new RunData.Settings(options.users(), settings.mitigation().ttlMs(), jitterMaxMs,
                        settings.mitigation().queryDelayMs(), settings.pool().maxSize(), options.spikeRequests(),
                        experiment.redisCluster() ? backends.ownCluster() : options.redisUrl() == null,
                        settings.mitigation().coalescer());
                // Artillery's report, client.csv and spike.csv are files of their own: RecordedRun.read adds them
                return new RunData(experiment, s, t, replicas.stream().map(ReplicaProcess::id).toList(),
                        sampler.samples(), sampler.latencyBySecond(), sampler.bucketBoundsMs(), sampler.latencyMaxMs(),
                        keys.byId(), Map.of(), List.of(), List.of(), RedisProbe.sum(redisByShard),
                        Prometheus.growth(prometheusBefore, prometheusAfter, Prometheus.REDIS_COMMANDS, "command", true),
                        Prometheus.growth(prometheusBefore, prometheusAfter, Prometheus.LEASE, "outcome", false),
                        Prometheus.ownerForwards(prometheusBefore, prometheusAfter),
                        eventsServed ? events.byId() : null, WakeUp.between(prometheusBefore, prometheusAfter), cached,
                        exit, shards);
            }
        }

        /** t = 0: align every key's expiry, zero the counters, note Redis's and Prometheus's counts, arm the spike. */
        private void warmStarted(ArtilleryRunner.Phase phase, Map<String, String> env) {
            long expiry = phase.epochMs() + (phase.durationSeconds() - 1) * 1000L;
            long spikeAt = phase.epochMs() + phase.durationSeconds() * 1000L;
            timeline = new RunData.Timeline(phase.epochMs(), expiry, spikeAt, 0);
            progress.timeline(phase.epochMs(), expiry);
            try {
                jitterMaxMs = align(expiry);
                try (RedisProbe redis = backends.probe(experiment.redisCluster())) {
                    redisBefore = redis.commandCallsByShard();
                }
                List<String> scrapes = new ArrayList<>();
                for (ReplicaProcess r : replicas) {
                    scrapes.add(r.admin().prometheus());
                }
                prometheusBefore = scrapes;
            }
            catch (Exception ex) {
                alignFailure = ex;
                return;
            }
            long delay = Math.max(0, spikeAt - SpikeStage.LEAD_MS - System.currentTimeMillis());
            spike = CompletableFuture.supplyAsync(() -> null,
                    CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> spikeStage.start(options.spikeRequests(), spikeAt, env,
                            dir.resolve("spike.csv"), dir.resolve("spike.log")));
        }

        private void awaitSpike() throws IOException, InterruptedException {
            if (spike == null) {
                return;
            }
            try {
                String summary = spike.get(120, TimeUnit.SECONDS);
                progress.message("spike: " + summary);
            }
            catch (ExecutionException | TimeoutException ex) {
                throw new IOException("the spike stage failed: " + ex.getMessage(), ex);
            }
        }

        /**
         * Every key expires at {@code expiryMs} (plus the preset's jitter); counters start from zero.
         * Retried: on a busy machine a 10,000-key warm can hit the replica's Redis timeout.
         *
         * @return the jitter the replica added to the expiry, at most
         */
        private long align(long expiryMs) throws IOException, InterruptedException {
            for (int attempt = 1; ; attempt++) {
                try {
                    var answer = replicas.get(0).admin().post("warm", Map.of("users", options.users(),
                            "expiresAtEpochMs", expiryMs));
                    for (ReplicaProcess r : replicas) {
                        r.admin().post("reset", Map.of());
                    }
                    return answer.path("jitterMaxMs").asLong();
                }
                catch (IOException ex) {
                    if (attempt == 3 || System.currentTimeMillis() > expiryMs - 5000) {
                        throw ex;
                    }
                }
            }
        }
    }
}
