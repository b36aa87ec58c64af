package io.herdlab.embedded;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.herdlab.HerdlabApplication;
import io.herdlab.TestJvm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service with its embedded servers, in JVMs of its own as {@code make run} starts it: an
 * ordinary stop (SIGTERM, what {@code scripts/run.sh} sends on Ctrl-C) logs no warning and
 * leaves no server behind; after a {@code kill -9} the next start stops the orphans.
 */
class EmbeddedStopTest {

    /** A service process and everything it printed so far. */
    record Service(Process process, StringBuffer out) {

        static Service start() throws Exception {
            ProcessBuilder builder = new ProcessBuilder(TestJvm.java(
                    "-Djava.io.tmpdir=" + OrphanRegistry.DIRECTORY.getParent(),
                    "-cp", System.getProperty("java.class.path"), HerdlabApplication.class.getName(),
                    "--server.port=0", "--management.server.port=0", "--herd.db.seed-on-start=10"))
                    .redirectErrorStream(true);
            builder.environment().keySet().removeIf(name -> name.startsWith("SPRING_") || name.startsWith("HERD_"));
            Process process = builder.start();
            StringBuffer out = new StringBuffer();
            CompletableFuture<Void> started = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        out.append(line).append('\n');
                        if (line.contains("Started HerdlabApplication")) {
                            started.complete(null);
                        }
                    }
                }
                catch (java.io.IOException ex) {
                    // the process ended
                }
                started.complete(null);
            });
            reader.setDaemon(true);
            reader.start();
            started.get(120, TimeUnit.SECONDS);
            assertThat(process.isAlive()).as(out.toString()).isTrue();
            return new Service(process, out);
        }

        /** The pids of its embedded PostgreSQL and redis-server, as recorded for the next start. */
        List<Long> serverPids() throws Exception {
            List<Long> pids = new ArrayList<>();
            for (String line : Files.readAllLines(OrphanRegistry.DIRECTORY.resolve(Long.toString(process.pid())))) {
                pids.add(Long.parseLong(line.strip()));
            }
            return pids;
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Whether every process is gone within 15 s (a server takes a moment to exit after it was told). */
    static boolean gone(List<Long> pids) throws InterruptedException {
        for (int i = 0; i < 150 && pids.stream().anyMatch(EmbeddedStopTest::alive); i++) {
            Thread.sleep(100);
        }
        return pids.stream().noneMatch(EmbeddedStopTest::alive);
    }

    @Test
    void killedServersAreStoppedByTheNextStartAndAnOrdinaryStopIsQuiet() throws Exception {
        Service killed = Service.start();
        List<Long> orphans = killed.serverPids();
        assertThat(orphans).hasSize(2).allMatch(EmbeddedStopTest::alive);
        killed.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(orphans).allMatch(EmbeddedStopTest::alive);

        Service next = Service.start();
        try {
            assertThat(next.out().toString()).contains("Stopped an embedded server (pid " + orphans.get(0) + ")")
                    .contains("Stopped an embedded server (pid " + orphans.get(1) + ")");
            assertThat(gone(orphans)).isTrue();
            List<Long> servers = next.serverPids();

            next.process().destroy(); // SIGTERM
            assertThat(next.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(gone(servers)).isTrue();
            assertThat(Path.of(OrphanRegistry.DIRECTORY.toString(), Long.toString(next.process().pid()))).doesNotExist();
            assertThat(next.out().toString().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")))
                    .as(next.out().toString()).isEmpty();
        }
        finally {
            next.process().destroyForcibly();
        }
    }
}
