package io.herdlab;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    /** Starts a replica and waits until it is ready; {@code args} are extra {@code --key=value} properties. */
    public static ProcessReplica start(String id, String r2dbcUrl, String redisUrl, String keyPrefix, String... args) {
        int port = PrivateRedis.freePort();
        int managementPort = PrivateRedis.freePort();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = TestJvm.java("-Xmx512m", "-cp", classPath, "io.herdlab.HerdlabApplication");
        command.addAll(Replica.arguments(port, managementPort, id, r2dbcUrl, redisUrl, keyPrefix, args));
        // stops at once on SIGTERM instead of after Netty's 2 s quiet period
        command.add("--spring.reactor.netty.shutdown-quiet-period=0s");
        File log = new File(System.getProperty("java.io.tmpdir"), "herdlab-replica-" + id + "-" + port + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
            ProcessReplica replica = new ProcessReplica(process, port, managementPort, log);
            replica.awaitReady();
            return replica;
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start a replica process: " + ex.getMessage(), ex);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica process died at start; see " + log);
            }
            try {
                if (send(HttpRequest.newBuilder(URI.create(admin("/actuator/health/readiness"))).build()).statusCode()
                        == 200) {
                    return;
                }
            }
            catch (RuntimeException notYet) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException("replica process not ready after 90 s; see " + log);
    }

    /** {@code kill -STOP}: the process freezes mid-whatever, its sockets stay open. */
    public void pause() {
        Signals.send(process, "STOP");
    }

    /** {@code kill -CONT}: the process goes on where it stopped. */
    public void resume() {
        Signals.send(process, "CONT");
    }

    /** GET {@code path} on the traffic port, in the background. */
    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One counter of the snapshot, e.g. {@code count("coalesce", "fenced")}. */
    public long count(String section, String field) {
        String body = send(HttpRequest.newBuilder(URI.create(admin("/actuator/herd"))).build()).body();
        return JSON.readTree(body).path(section).path(field).asLong();
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
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
