package io.herdlab.lab.run;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.herdlab.lab.Experiment;
import io.herdlab.lab.data.Sample;

/**
 * The terminal line: experiment k of n, phase, elapsed/remaining, live hit ratio and pool
 * pending per replica. On a terminal it rewrites one line; in a log it prints every 5 s.
 */
public final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private final int expectedRunSeconds;

    // guarded by this
    private String experiment = "";
    private String phase = "";
    private long warmStartMs;
    private long expiryMs;
    private Sample previous;
    private long lastPrintedMs;
    private boolean lineOpen;

    public Progress(PrintStream out, boolean terminal, int expectedRunSeconds) {
        this.out = out;
        this.terminal = terminal;
        this.expectedRunSeconds = expectedRunSeconds;
    }

    public synchronized void experiment(int k, int n, Experiment e) {
        experiment = "[" + k + "/" + n + " " + e + "]";
        phase = "";
        warmStartMs = 0;
        previous = null;
        message("experiment " + k + " of " + n + ": " + e);
    }

    /** A step; {@code detail} is printed on its own line when not null. */
    synchronized void phase(String name, String detail) {
        phase = name;
        if (detail != null) {
            message(name + ": " + detail);
        }
        else {
            message("phase " + name + " started");
        }
    }

    synchronized void timeline(long warmStartMs, long expiryMs) {
        this.warmStartMs = warmStartMs;
        this.expiryMs = expiryMs;
    }

    /** A line of its own, above the live line. */
    public synchronized void message(String text) {
        closeLine();
        out.println(experiment + " " + text);
        out.flush();
    }

    synchronized void sample(Sample sample) {
        Sample before = previous;
        previous = sample;
        if (before == null || warmStartMs == 0) {
            return;
        }
        long served = 0;
        long lookups = 0;
        long queries = 0;
        for (int i = 0; i < sample.replicas().size(); i++) {
            Sample.ReplicaSample now = sample.replicas().get(i);
            Sample.ReplicaSample then = before.replicas().get(i);
            if (now != null && then != null) {
                served += Math.max(0, now.served() - then.served());
                lookups += Math.max(0, now.served() + now.misses() - then.served() - then.misses());
                queries += Math.max(0, now.dbQueries() - then.dbQueries());
            }
        }
        String pending = sample.replicas().stream()
                .map(r -> r == null ? "?" : Integer.toString(r.poolPending()))
                .collect(Collectors.joining("/"));
        long elapsed = (sample.epochMs() - warmStartMs) / 1000;
        long remaining = Math.max(0, expectedRunSeconds - elapsed);
        String expiry = sample.epochMs() < expiryMs ? "keys expire in " + (expiryMs - sample.epochMs()) / 1000 + " s"
                : "keys expired";
        String line = String.format(Locale.ROOT,
                "%s %-6s t=%3ds ~%3ds left  %s  hit %5s  lookups %5d/s  db %4d/s  pool pending %s",
                experiment, phase, elapsed, remaining, expiry,
                lookups == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * served / lookups),
                lookups, queries, pending);
        if (terminal) {
            out.print("\r" + line + "\u001B[K");
            lineOpen = true;
            out.flush();
        }
        else if (sample.epochMs() - lastPrintedMs >= 5000) {
            out.println(line);
            lastPrintedMs = sample.epochMs();
        }
    }

    private void closeLine() {
        if (lineOpen) {
            out.println();
            lineOpen = false;
        }
    }

    public static String joinIds(List<Experiment> experiments) {
        return experiments.stream().map(Experiment::toString).collect(Collectors.joining(", "));
    }
}
