package io.herdlab.problem;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * One log line with the full cause per burst of the same failure, under an id the problem JSON
 * of every response in that burst also carries, so a client's report leads to the log line.
 * A burst is every failure within ten seconds of its first; the next burst's line says how many
 * the previous one answered.
 */
final class IncidentLog {

    private static final long BURST_NANOS = 10_000_000_000L;

    private record Burst(String id, long startNanos, AtomicLong count) {
    }

    private final Logger log;
    private final String what;
    private Burst current; // guarded by this

    IncidentLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Records one failure; returns the id of its burst. */
    synchronized String record(Throwable cause) {
        long now = System.nanoTime();
        if (current != null && now - current.startNanos() < BURST_NANOS) {
            current.count().incrementAndGet();
            return current.id();
        }
        String before = current == null ? ""
                : " (the previous burst, " + current.id() + ", answered " + current.count().get() + ")";
        current = new Burst(HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()), now, new AtomicLong(1));
        log.warn("incident {}: {}{}", current.id(), what, before, cause);
        return current.id();
    }
}
