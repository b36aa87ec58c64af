package io.herdlab.metrics;

import java.util.Locale;

/**
 * The mechanism a coalescing event came from: the {@code mode} tag of {@code herd_coalesce_total},
 * {@code herd_coalesce_wait_seconds}, {@code herd_coalesce_wakeup_seconds} and {@code herd_lease_total}.
 */
public enum CoalesceScope {
    /** A replica's own single-flight, alone or in front of a lease. */
    LOCAL,
    /** The SET NX lease with fencing tokens and pub/sub notices. */
    LUA,
    /** Redisson's lock used as a lease. */
    REDISSON,
    /** The owner's flight under owner routing. */
    OWNER;

    /** The metric tag. */
    public final String tag = name().toLowerCase(Locale.ROOT);
}
