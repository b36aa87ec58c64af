package io.herdlab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's top directory, for tests that read or run its files (Makefile, README.md,
 * helm/, k8s/, grafana/, artillery/, scripts/). Surefire runs each module's tests in the module's
 * directory and passes the root as {@code herd.repo.root}; without it (a test started elsewhere)
 * the nearest directory above the working one that holds the Makefile and .ci/run.
 */
public final class RepositoryRoot {

    private static final Path ROOT = find();

    private RepositoryRoot() {
    }

    /** The root itself. */
    public static Path path() {
        return ROOT;
    }

    /** {@code first/more…} under the root. */
    public static Path path(String first, String... more) {
        return ROOT.resolve(Path.of(first, more));
    }

    private static Path find() {
        String given = System.getProperty("herd.repo.root");
        if (given != null && !given.isBlank()) {
            return Path.of(given).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("Makefile")) && Files.isRegularFile(dir.resolve(".ci/run"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + Path.of("").toAbsolutePath()
                + ": set -Dherd.repo.root");
    }
}
