package io.herdlab.cache;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Logs a recurring failure once per burst instead of once per request: the first failure is
 * logged, later ones within the quiet period are only counted and reported with the next log.
 */
final class BurstLog {

    private static final long QUIET_NANOS = 10_000_000_000L;

    private final Logger log;
    private final String what;
    private final AtomicLong lastLoggedNanos = new AtomicLong(System.nanoTime() - QUIET_NANOS - 1);
    private final AtomicLong suppressed = new AtomicLong();

    BurstLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    void failed(Throwable error) {
        long now = System.nanoTime();
        long last = lastLoggedNanos.get();
        if (now - last > QUIET_NANOS && lastLoggedNanos.compareAndSet(last, now)) {
            long more = suppressed.getAndSet(0);
            log.warn("{} failed: {}{}", what, error.toString(),
                    more > 0 ? " (" + more + " more failures since the last report)" : "");
        }
        else {
            suppressed.incrementAndGet();
        }
    }
}
