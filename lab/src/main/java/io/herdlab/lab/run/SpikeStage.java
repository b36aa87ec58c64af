package io.herdlab.lab.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The spike as a burst: {@code artillery/spike.mjs} opens one connection per request ahead of
 * time, then writes every request at the planned instant and logs each one to
 * {@code spike.csv}. Started about {@link #LEAD_MS} before that instant, so opening thousands of
 * connections never delays the burst itself.
 */
final class SpikeStage {

    /** How long before the spike the connections start opening. */
    static final long LEAD_MS = 10_000;
    /**
     * The stage asks for a higher CPU priority ({@code nice -n -10}): once the first requests
     * land, the replicas' threads compete for the same two cores and, at equal priority, stretch
     * a 5,000-request send loop over seconds. Where the OS refuses (not root), nice says so in
     * spike.log and the stage runs at normal priority; the send spread shows what it got.
     */
    private static final List<String> PRIORITY = Files.isExecutable(Path.of("/usr/bin/nice"))
            ? List.of("/usr/bin/nice", "-n", "-10") : List.of();

    private final Path artilleryDir;

    SpikeStage(Path artilleryDir) {
        this.artilleryDir = artilleryDir;
    }

    /**
     * Starts the stage now for a spike at {@code atEpochMs}; the future completes with its last
     * console line (its JSON summary) once every response ended or timed out.
     */
    CompletableFuture<String> start(int requests, long atEpochMs, Map<String, String> env, Path log, Path console) {
        List<String> command = new ArrayList<>(PRIORITY);
        command.addAll(List.of("node", artilleryDir.resolve("spike.mjs").toString(), "--total=" + requests,
                "--at=" + atEpochMs, "--log=" + log));
        ProcessBuilder builder = new ProcessBuilder(command).directory(artilleryDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("could not start the spike stage (node): " + ex.getMessage(), ex);
        }
        return CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                Files.write(console, lines);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("the spike stage exited with " + process.exitValue() + ": "
                        + String.join(" ", lines.subList(Math.max(0, lines.size() - 3), lines.size())));
            }
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        });
    }
}
