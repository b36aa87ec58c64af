package io.herdlab.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Remembers which embedded servers each JVM started ({@code <tmpdir>/herdlab-embedded/<jvm pid>},
 * one server pid a line), so that when a JVM is killed without a clean stop ({@code kill -9}),
 * the next start stops the PostgreSQL and redis-server it left running.
 */
final class OrphanRegistry {

    static final Path DIRECTORY = Path.of(System.getProperty("java.io.tmpdir"), "herdlab-embedded");

    private OrphanRegistry() {
    }

    static void record(List<Long> serverPids) {
        try {
            Files.createDirectories(DIRECTORY);
            Files.write(own(), serverPids.stream().map(String::valueOf).toList());
        }
        catch (IOException ex) {
            // without the record, only a later clean-up is lost
        }
    }

    static void forget() {
        try {
            Files.deleteIfExists(own());
        }
        catch (IOException ex) {
            // nothing left to clean up
        }
    }

    /** Stops the servers of every recorded JVM that is no longer running. */
    static void stopOrphans(Consumer<String> progress) {
        if (!Files.isDirectory(DIRECTORY)) {
            return;
        }
        try (Stream<Path> records = Files.list(DIRECTORY)) {
            for (Path record : records.toList()) {
                long owner = Long.parseLong(record.getFileName().toString());
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                for (String line : Files.readAllLines(record)) {
                    ProcessHandle.of(Long.parseLong(line.strip())).filter(OrphanRegistry::isEmbeddedServer)
                            .ifPresent(server -> {
                                server.destroy();
                                progress.accept("Stopped an embedded server (pid " + server.pid() + ") that herdlab"
                                        + " pid " + owner + " left running when it was killed");
                            });
                }
                Files.deleteIfExists(record);
            }
        }
        catch (IOException | RuntimeException ex) {
            progress.accept("Could not check for embedded servers left by a killed herdlab: " + ex.getMessage());
        }
    }

    /** Only what herdlab starts: a pid reused by another program since is left alone. */
    private static boolean isEmbeddedServer(ProcessHandle process) {
        String command = process.info().command().orElse("");
        return command.contains("redis-server") || command.endsWith("/postgres");
    }

    private static Path own() {
        return DIRECTORY.resolve(Long.toString(ProcessHandle.current().pid()));
    }
}
