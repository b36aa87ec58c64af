package io.herdlab;

import java.time.Duration;

import io.herdlab.contract.Preset;

/**
 * The effective mitigation of this replica: a preset's values with the knobs set in
 * {@link MitigationProperties} laid over them.
 *
 * @param jitterMax            uniform random extra TTL in [0, jitterMax] on every cache write
 * @param coalescer            who may load a missing key from the database
 * @param waitTimeout          the longest a follower waits for a leader's value; by default the
 *                             longest a load can take (pool wait + statement deadline) plus 2 s
 * @param leaseTime            how long a distributed lease holds unless its holder renews it
 *                             (a live holder renews it every third of it while it loads)
 * @param staleWhileRevalidate serve a value past its soft expiry while one refresh runs
 * @param staleFor             how long past the soft expiry a value is kept for that
 * @param earlyRefresh         probabilistic early refresh (XFetch) before the soft expiry
 * @param beta                 XFetch eagerness; 1 is the paper's default
 * @param negativeTtl          how long an unknown id is remembered as unknown (0: never)
 * @param breaker              a circuit breaker around database loads
 * @param bulkhead             the most database loads in flight at once in this replica
 */
public record Mitigation(
        Preset preset,
        Duration jitterMax,
        CoalescerKind coalescer,
        Duration waitTimeout,
        Duration leaseTime,
        boolean staleWhileRevalidate,
        Duration staleFor,
        boolean earlyRefresh,
        double beta,
        Duration negativeTtl,
        boolean breaker,
        int bulkhead) {

    /** Who loads a missing key: nobody coordinates, this process, or the cluster. */
    public enum CoalescerKind {
        NONE, LOCAL, REDISSON, LUA, TIERED,
        /** The key's owner replica loads it; the others forward their miss to it (io.herdlab.owner). */
        OWNER
    }

    private static final Duration JITTER = Duration.ofMinutes(10);

    /** A dead lease holder blocks its key for at most this long, then the lease expires. */
    private static final Duration LEASE_TIME = Duration.ofSeconds(5);

    /** A follower outlives the slowest load a leader may legitimately run, and then some. */
    private static final Duration WAIT_MARGIN = Duration.ofSeconds(2);

    /** Database loads in flight per replica under {@code full}: a small queue on the pool of 10. */
    private static final int FULL_BULKHEAD = 50;

    public static Mitigation resolve(MitigationProperties p, DbDeadlines deadlines) {
        Preset preset;
        try {
            preset = Preset.parse(p.preset());
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("herd.mitigation." + ex.getMessage(), ex);
        }
        Duration wait = deadlines.longestLoad().plus(WAIT_MARGIN);
        Mitigation base = switch (preset) {
            case BASELINE -> defaults(preset, Duration.ZERO, CoalescerKind.NONE, wait);
            case JITTER -> defaults(preset, JITTER, CoalescerKind.NONE, wait);
            case LOCAL -> defaults(preset, JITTER, CoalescerKind.LOCAL, wait);
            case REDISSON -> defaults(preset, JITTER, CoalescerKind.REDISSON, wait);
            case LUA -> defaults(preset, JITTER, CoalescerKind.LUA, wait);
            case TIERED -> defaults(preset, JITTER, CoalescerKind.TIERED, wait);
            case FULL -> new Mitigation(preset, JITTER, CoalescerKind.TIERED, wait,
                    LEASE_TIME, true, Duration.ofSeconds(30), false, 1.0, Duration.ofSeconds(10),
                    true, FULL_BULKHEAD);
            case OWNER -> defaults(preset, JITTER, CoalescerKind.OWNER, wait);
        };
        return new Mitigation(preset,
                or(p.jitterMax(), base.jitterMax),
                or(p.coalescer(), base.coalescer),
                or(p.waitTimeout(), base.waitTimeout),
                or(p.leaseTime(), base.leaseTime),
                or(p.staleWhileRevalidate(), base.staleWhileRevalidate),
                or(p.staleFor(), base.staleFor),
                or(p.earlyRefresh(), base.earlyRefresh),
                or(p.beta(), base.beta),
                or(p.negativeTtl(), base.negativeTtl),
                or(p.breaker(), base.breaker),
                or(p.bulkhead(), base.bulkhead));
    }

    private static Mitigation defaults(Preset preset, Duration jitter, CoalescerKind coalescer, Duration wait) {
        return new Mitigation(preset, jitter, coalescer, wait, LEASE_TIME, false,
                Duration.ZERO, false, 1.0, Duration.ZERO, false, 0);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** Whether any cache write keeps a value past its soft expiry. */
    public boolean keepsStale() {
        return (staleWhileRevalidate || earlyRefresh) && !staleFor.isZero();
    }
}
