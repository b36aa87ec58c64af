package io.herdlab.contract;

import java.util.Locale;

/**
 * Owner routing's loads that can make a key loaded twice in the cluster, kept per key beside the
 * lease's ({@link LeaseEvents}, {@code GET /actuator/herd/lease-events}) for the lab's duplicate
 * attribution. Each is counted when the database load runs, not when a request joins one.
 */
public enum OwnerOutcome {
    /** A forward found no owner in time (refused, or past the forward bound): loaded here instead. */
    FALLBACK,
    /**
     * Loaded here as the key's owner, which this replica is only because the key's owner over all
     * listed members is counted down here: a member dropped (under load, or dead) moved the key.
     */
    MOVED,
    /**
     * Loaded for a read another replica forwarded here although this replica does not own the key:
     * the two replicas' views of the members disagreed.
     */
    NOT_OWNER;

    private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The key in {@link LeaseEvents}: the name in lower case, words joined by '-'. */
    public String tag() {
        return tag;
    }
}
