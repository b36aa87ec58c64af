package io.herdlab;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.json.JsonMapper;

/**
 * One herdlab replica as a process of its own (the test class path, the application's main),
 * so a test can pause it ({@code SIGSTOP}), resume it ({@code SIGCONT}) or kill it, as an
 * orchestrator or a stalled machine would.
 */
public final class ProcessReplica implements AutoCloseable {

    /** HTTP/1.1: no h2c upgrade offered on every request (the replicas speak HTTP/1.1 only). */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Process process;
    private final int port;
    private final int managementPort;
    private final File log;

    private ProcessReplica(Process process, int port, int managementPort, File log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts a replica and waits until it is ready; {@code args} are extra {@code --key=value}
     * properties. Its ports are probed free here and bound by the child a few seconds later: when
     * another process took one meanwhile (replicas started together, the other test JVMs' servers),
     * the replica exits naming the port, and it is started again on new ports.
     */
    public static ProcessReplica start(String id, String r2dbcUrl, String redisUrl, String keyPrefix, String... args) {
        for (int attempt = 1; ; attempt++) {
            ProcessReplica replica = launch(id, r2dbcUrl, redisUrl, keyPrefix, args);
            try {
                replica.awaitReady(id);
                return replica;
            }
            catch (PortTaken taken) {
                if (attempt == 3) {
                    throw new IllegalStateException("replica process " + id + " found its ports taken three times; see "
                            + replica.log, taken);
                }
            }
        }
    }

    /**
     * Starts a replica on the ports given and waits until it is ready: for replicas that must know
     * each other's addresses before they start (owner routing's member lists). No second attempt:
     * the others were told these ports.
     */
    public static ProcessReplica startOn(int port, int managementPort, String id, String r2dbcUrl, String redisUrl,
            String keyPrefix, String... args) {
        ProcessReplica replica = launch(port, managementPort, id, r2dbcUrl, redisUrl, keyPrefix, args);
        try {
            replica.awaitReady(id);
        }
        catch (PortTaken taken) {
            throw new IllegalStateException("replica process " + id + " found its ports taken; see " + replica.log,
                    taken);
        }
        return replica;
    }

    private static ProcessReplica launch(String id, String r2dbcUrl, String redisUrl, String keyPrefix, String... args) {
        return launch(PrivateRedis.freePort(), PrivateRedis.freePort(), id, r2dbcUrl, redisUrl, keyPrefix, args);
    }

    private static ProcessReplica launch(int port, int managementPort, String id, String r2dbcUrl, String redisUrl,
            String keyPrefix, String... args) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = TestJvm.java("-Xmx512m", "-cp", classPath, "io.herdlab.HerdlabApplication");
        command.addAll(Replica.arguments(port, managementPort, id, r2dbcUrl, redisUrl, keyPrefix, args));
        File log = new File(System.getProperty("java.io.tmpdir"), "herdlab-replica-" + id + "-" + port + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            return new ProcessReplica(process, port, managementPort, log);
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start a replica process: " + ex.getMessage(), ex);
        }
    }

    /**
     * Ready when its management port says so and that port is this replica's: a readiness answer
     * from another replica that holds the port is not this one's (it is about to exit).
     */
    private void awaitReady(String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                if (logText().contains("is already in use")) {
                    throw new PortTaken();
                }
                throw new IllegalStateException("replica process died at start; see " + log);
            }
            try {
                if (ready() && id.equals(instance())) {
                    return;
                }
            }
            catch (RuntimeException notYet) {
                // not listening yet
            }
            PrivateRedis.sleep(200);
        }
        throw new IllegalStateException("replica process not ready after 90 s; see " + log);
    }

    private boolean ready() {
        return send(probe("/actuator/health/readiness")).statusCode() == 200;
    }

    /** The id of the replica that answers on this one's management port. */
    private String instance() {
        return JSON.readTree(send(probe("/actuator/herd/summary")).body()).path("instance").asString();
    }

    /** A start-up probe: bounded, so that whatever holds the port cannot hold the start with it. */
    private HttpRequest probe(String path) {
        return HttpRequest.newBuilder(URI.create(admin(path))).timeout(Duration.ofSeconds(5)).build();
    }

    private String logText() {
        try {
            return Files.readString(log.toPath());
        }
        catch (IOException ex) {
            return "";
        }
    }

    /** The replica exited at start because another process had taken one of its ports. */
    private static final class PortTaken extends RuntimeException {
        PortTaken() {
            super(null, null, false, false);
        }
    }

    /** {@code kill -STOP}: the process freezes mid-whatever, its sockets stay open. */
    public void pause() {
        Signals.send(process, "STOP");
    }

    /** {@code kill -CONT}: the process goes on where it stopped. */
    public void resume() {
        Signals.send(process, "CONT");
    }

    /** {@code kill -KILL}: the process ends at once, its connections reset, nothing cleaned up. */
    public void kill() {
        Signals.kill(process);
    }

    /** GET {@code path} on the traffic port, in the background. */
    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST /actuator/herd/{action} with a JSON body; the response's body (a failed action throws). */
    public String adminPost(String action, String json) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(admin("/actuator/herd/" + action)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(60)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("POST " + action + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** GET {@code path} on the management port; the body, within 30 s. */
    public String adminGet(String path) {
        return send(HttpRequest.newBuilder(URI.create(admin(path))).timeout(Duration.ofSeconds(30)).build()).body();
    }

    /** PUT /users/{id} with a JSON body; the status. */
    public int put(long id, String json) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users/" + id))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(60)).build()).statusCode();
    }

    /** One counter of the snapshot, e.g. {@code count("coalesce", "fenced")}. */
    public long count(String section, String field) {
        return JSON.readTree(adminGet("/actuator/herd")).path(section).path(field).asLong();
    }

    private String admin(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            resume(); // a paused process cannot act on SIGTERM
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
