package io.herdlab.metrics;

import java.util.Locale;

/** A caller's part in coalescing: the {@code role} tag of {@code herd_coalesce_total}. */
public enum CoalesceRole {
    /** It loads the key for everyone in scope. */
    LEADER,
    /** It waits for a leader's value. */
    FOLLOWER,
    /** Nobody can coordinate (Redis out of reach): it loads on its own. */
    DIRECT;

    /** The metric tag. */
    public final String tag = name().toLowerCase(Locale.ROOT);
}
