package io.herdlab.lab.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.herdlab.contract.UserKey;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.data.RedisProbe;
import io.herdlab.lab.run.ReplicaProcess;
import io.herdlab.lab.run.ScratchDatabase;

/**
 * {@code serve}: what make bench's warm-hit stage measures, up until this process is stopped
 * (SIGTERM). One replica per preset on a database of their own, each with its own key prefix,
 * seeded by the first and warmed to stay cached; and, given {@code --floor=JAR}, the floor (the
 * bench module's bare WebFlux + Lettuce endpoint) serving the very JSON the replicas serve for
 * the hot user. Once every target serves it, writes one line per target to {@code --ready}:
 * {@code name url pid} (the pid for the profiler).
 */
public final class HitTargets {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    /** The warm's TTL: the targets stay cached for the whole bench. */
    private static final int CACHED_SECONDS = 86_400;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final HarnessOptions h;
    private final List<String> presets;
    private final Path floorJar;
    private final Path ready;
    private final PrintStream out;
    private final String name = "herdlab_serve_" + ProcessHandle.current().pid();
    // read by the shutdown hook: what is started, so far
    private final List<ReplicaProcess> replicas = Collections.synchronizedList(new ArrayList<>());
    private volatile Process floor;
    private volatile ScratchDatabase db;

    private HitTargets(HarnessOptions h, LabOptions.Option o, PrintStream out) {
        this.h = h;
        this.presets = o.list("presets", List.of());
        this.floorJar = o.nullable("floor") == null ? null : Path.of(o.get("floor", "")).toAbsolutePath();
        this.ready = o.nullable("ready") == null ? null : Path.of(o.get("ready", ""));
        this.out = out;
        if (presets.isEmpty() || ready == null) {
            throw new LabOptions.UsageException("serve needs --presets=a,b and --ready=FILE");
        }
    }

    /** Runs the command: starts the targets, writes {@code --ready}, then waits to be stopped. */
    public static void run(LabOptions.Option o, PrintStream out) throws Exception {
        HitTargets targets = new HitTargets(HarnessOptions.of(o), o, out);
        o.requireAllRead();
        Runtime.getRuntime().addShutdownHook(new Thread(targets::stop, "serve-stop"));
        targets.start();
        new CountDownLatch(1).await();
    }

    private void start() throws Exception {
        db = ScratchDatabase.create(h.postgresJdbc(), name);
        Map<String, String> presetById = new LinkedHashMap<>();
        presets.forEach(preset -> presetById.put(preset, preset));
        ReplicaProcess.startAll(presetById, id -> h.setup(db.r2dbcUrl(), name + "-" + id + ":"), h.logDir(),
                READY_TIMEOUT, replicas);
        replicas.get(0).admin().post("seed", Map.of("users", h.users()));
        Map<String, String> urls = new LinkedHashMap<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        for (ReplicaProcess r : replicas) {
            r.admin().post("warm", Map.of("users", h.users(), "ttlSeconds", CACHED_SECONDS));
            urls.put(r.id(), r.baseUrl());
            pids.put(r.id(), r.pid());
        }
        String body = get(replicas.get(0).baseUrl() + h.hotPath()).body();
        if (floorJar != null) {
            try (RedisProbe redis = new RedisProbe(h.redisUrl())) {
                redis.set(UserKey.value(name + "-floor:", h.hotId()), body, CACHED_SECONDS);
            }
            String url = startFloor();
            urls.put("floor", url);
            pids.put("floor", floor.pid());
        }
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, String> target : urls.entrySet()) {
            if (!body.equals(get(target.getValue() + h.hotPath()).body())) {
                throw new IllegalStateException(target.getKey() + " does not serve user " + h.hotId() + " as "
                        + replicas.get(0).id() + " does");
            }
            lines.add(target.getKey() + " " + target.getValue() + " " + pids.get(target.getKey()));
        }
        Path written = Files.write(Files.createTempFile(ready.toAbsolutePath().getParent(), "ready", ".tmp"), lines);
        Files.move(written, ready, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        out.println("serve: " + String.join(", ", urls.keySet()) + " serve user " + h.hotId() + "; stop with SIGTERM");
    }

    /** The floor's JVM, as a replica's (same JVM options), on a free port; its URL once it serves the hot user. */
    private String startFloor() throws IOException, InterruptedException {
        int port = ReplicaProcess.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(h.replicaJvm());
        command.addAll(List.of("-jar", floorJar.toString(), "--server.port=" + port,
                "--spring.reactor.netty.shutdown-quiet-period=0s", "--floor.redis-url=" + h.redisUrl(),
                "--floor.key-prefix=" + name + "-floor:"));
        Path log = h.logDir().resolve("floor.log");
        floor = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!floor.isAlive()) {
                throw new IllegalStateException("the floor exited with " + floor.exitValue() + " (see " + log + ")");
            }
            try {
                if (get(url + h.hotPath()).statusCode() == 200) {
                    return url;
                }
            }
            catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the floor did not serve user " + h.hotId() + " within "
                + READY_TIMEOUT.toSeconds() + " s (see " + log + ")");
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The shutdown hook: every JVM stopped, the replicas' keys flushed, the floor's key and the database gone. */
    private void stop() {
        if (floor != null) {
            floor.destroy();
            try (RedisProbe redis = new RedisProbe(h.redisUrl())) {
                floor.waitFor(20, TimeUnit.SECONDS);
                redis.delete(UserKey.value(name + "-floor:", h.hotId()));
            }
            catch (IOException | InterruptedException ex) {
                System.err.println("serve: the floor's key may be left: " + ex.getMessage());
            }
        }
        if (db != null) { // else nothing was started
            ColdBurst.release(replicas, db);
        }
    }
}
