package io.herdlab.lab.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.herdlab.contract.ReplicaCommandLine;
import io.herdlab.lab.data.AdminClient;

/**
 * One herdlab replica as a separate JVM, the way a pod runs it: its own ports, its instance id
 * (PostgreSQL application_name), the experiment's preset, and the shared PostgreSQL and Redis.
 */
public final class ReplicaProcess implements AutoCloseable {

    /** The preset whose replicas must know each other (owner routing's members). */
    private static final String OWNER = io.herdlab.contract.Preset.OWNER.id();

    private final String id;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Process process;
    private final AdminClient admin;

    private ReplicaProcess(String id, int port, int managementPort, Path log, Process process) {
        this.id = id;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
        this.admin = new AdminClient(managementPort);
    }

    /**
     * What every replica of a run shares.
     *
     * @param jvmOptions options of each replica's JVM
     * @param launcher   how the JVM runs the service: {@code -jar <jar>} or {@code -cp <classpath> <main>}
     * @param keyPrefix  the replicas' Redis key prefix
     * @param properties the run's own {@code --name=value} properties, after the common ones
     */
    public record Setup(List<String> jvmOptions, List<String> launcher, String r2dbcUrl, String redisUrl, String keyPrefix,
            List<String> properties) {
    }

    /**
     * Starts replica {@code id} with {@code preset}: the command line every driver uses
     * ({@link ReplicaCommandLine}), then the lab's own (its replicas answer the admin operations
     * without a token and stop at once on SIGTERM), then the run's properties.
     */
    static ReplicaProcess start(String id, String preset, Setup setup, Path logDir) {
        return start(id, preset, setup, logDir, freePort(), freePort(), List.of());
    }

    private static ReplicaProcess start(String id, String preset, Setup setup, Path logDir, int port,
            int managementPort, List<String> members) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(setup.jvmOptions());
        command.add("-Djava.awt.headless=true");
        command.addAll(setup.launcher());
        command.addAll(ReplicaCommandLine.arguments(port, managementPort, id, setup.r2dbcUrl(), setup.redisUrl(),
                setup.keyPrefix()));
        command.addAll(List.of(
                "--herd.mitigation.preset=" + preset,
                "--spring.r2dbc.username=postgres",
                // the lab's own replicas: a HERD_ADMIN_TOKEN in the user's environment must not lock the lab out
                "--herd.admin.token="));
        if (!members.isEmpty()) {
            // owner routing: every member's management URL, and which of them is this replica
            command.add("--herd.owner.members=" + String.join(",", members));
            command.add("--herd.owner.self=" + managementUrl(managementPort));
        }
        command.addAll(setup.properties());
        Path log = logDir.resolve(id + ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ReplicaProcess(id, port, managementPort, log, process);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("could not start replica " + id, ex);
        }
    }

    /**
     * Starts a replica per entry of {@code presetById} (id → preset, setup {@code setupById.apply(id)})
     * into {@code started} and waits until every one is ready: the first alone, since it creates
     * the schema and concurrent {@code CREATE TABLE IF NOT EXISTS} can collide, then the others
     * together. The caller closes {@code started}, also when this fails half-way.
     */
    public static void startAll(Map<String, String> presetById, Function<String, Setup> setupById, Path logDir,
            Duration timeout, List<ReplicaProcess> started) throws InterruptedException {
        // ports chosen up front, so that the replicas that route by owner can be told each other's
        Map<String, int[]> ports = new java.util.LinkedHashMap<>();
        presetById.keySet().forEach(id -> ports.put(id, new int[] {freePort(), freePort()}));
        List<String> members = presetById.entrySet().stream().filter(e -> e.getValue().equals(OWNER))
                .map(e -> managementUrl(ports.get(e.getKey())[1])).toList();
        for (Map.Entry<String, String> replica : presetById.entrySet()) {
            int[] p = ports.get(replica.getKey());
            started.add(start(replica.getKey(), replica.getValue(), setupById.apply(replica.getKey()), logDir, p[0],
                    p[1], replica.getValue().equals(OWNER) ? members : List.of()));
            if (started.size() == 1) {
                started.get(0).awaitReady(timeout);
            }
        }
        for (ReplicaProcess r : started) {
            r.awaitReady(timeout);
        }
    }

    /** Waits for readiness; fails with the end of the replica's log if it died or took too long. */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(id + " exited with " + process.exitValue() + ": " + rootCause()
                        + " (see " + log + ")");
            }
            if (admin.ready()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(id + " not ready after " + timeout.toSeconds() + " s:\n" + logTail(15));
    }

    /**
     * {@code requests} GETs of cached ids and a few unknown ids (the database path), 20 at a time,
     * so the JIT has compiled the read path before anything is measured.
     */
    void warmUp(int requests, int users) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int sent = 0; sent < requests; sent += 20) {
            List<CompletableFuture<?>> batch = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long id = (sent + i) % 40 == 0 ? users + 1 + (sent + i) / 40 : 1 + ((sent + i) * 7919L) % users;
                batch.add(http.sendAsync(HttpRequest.newBuilder(URI.create(baseUrl() + "/users/" + id))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding())
                        .exceptionally(error -> null));
            }
            for (CompletableFuture<?> f : batch) {
                f.join();
            }
        }
    }

    public String id() {
        return id;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    int managementPort() {
        return managementPort;
    }

    /** The replica JVM's process id (for jcmd). */
    public long pid() {
        return process.pid();
    }

    public AdminClient admin() {
        return admin;
    }

    public Path log() {
        return log;
    }

    /** The last lines of the replica's log, for an error message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** The last "Caused by:" of the replica's log, or its last line. */
    private String rootCause() {
        try {
            List<String> all = Files.readAllLines(log);
            String cause = all.isEmpty() ? "" : all.get(all.size() - 1);
            for (String line : all) {
                if (line.startsWith("Caused by: ")) {
                    cause = line.substring("Caused by: ".length());
                }
            }
            return cause;
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** SIGTERM (graceful shutdown), then SIGKILL after 20 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String managementUrl(int managementPort) {
        return "http://127.0.0.1:" + managementPort;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
