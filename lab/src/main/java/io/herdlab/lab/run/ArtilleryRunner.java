package io.herdlab.lab.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code artillery/scenarios/herd.yml} with the local Artillery from {@code artillery/node_modules},
 * installing it from the lock file first if it is missing, and reports each phase as it starts.
 */
public final class ArtilleryRunner {

    private static final Pattern PHASE_STARTED =
            Pattern.compile("Phase started: (\\S+) \\(index: (\\d+), duration: (\\d+)s\\)");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    /** A phase Artillery has just started, seen at {@code epochMs}. */
    record Phase(String name, int index, int durationSeconds, long epochMs) {
    }

    private final Path dir;

    public ArtilleryRunner(Path dir) {
        this.dir = dir;
    }

    private Path cli() {
        return dir.resolve("node_modules/artillery/bin/run");
    }

    /** {@code npm ci} (browser download skipped) unless artillery/node_modules already holds Artillery. */
    public void ensureInstalled(Consumer<String> progress) throws IOException, InterruptedException {
        if (Files.isRegularFile(cli())) {
            return;
        }
        progress.accept("Installing Artillery from " + dir.resolve("package-lock.json") + " (npm ci, once)");
        ProcessBuilder npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("npm-ci.log").toFile());
        npm.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        int exit = npm.start().waitFor();
        if (exit != 0 || !Files.isRegularFile(cli())) {
            throw new IOException("npm ci in " + dir + " failed (exit " + exit + "), see " + dir.resolve("npm-ci.log"));
        }
    }

    /**
     * Runs the scenario to its end. Artillery's console goes to {@code consoleLog}, its JSON
     * report to {@code jsonReport}; {@code onPhase} hears each phase start.
     *
     * @return Artillery's exit code
     */
    int run(String environment, Map<String, String> env, String target, Path jsonReport, Path consoleLog,
            Consumer<Phase> onPhase) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("node", cli().toString(), "run"));
        if (!environment.isEmpty()) {
            command.addAll(List.of("-e", environment));
        }
        command.addAll(List.of("--target", target, "--output", jsonReport.toString(), "scenarios/herd.yml"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("ARTILLERY_DISABLE_TELEMETRY", "1");
        builder.environment().putAll(env);
        Process process = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
                PrintWriter log = new PrintWriter(Files.newBufferedWriter(consoleLog))) {
            String line;
            while ((line = out.readLine()) != null) {
                long now = System.currentTimeMillis();
                String plain = ANSI.matcher(line).replaceAll("");
                log.println(plain);
                Matcher m = PHASE_STARTED.matcher(plain);
                if (m.find()) {
                    log.flush();
                    onPhase.accept(new Phase(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                            now));
                }
            }
        }
        finally {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        return process.exitValue();
    }
}
