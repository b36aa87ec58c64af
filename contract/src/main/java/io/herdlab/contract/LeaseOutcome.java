package io.herdlab.contract;

import java.util.Locale;

/**
 * What a lease did: the {@code outcome} tag of {@code herd_lease_total}, named once here for the
 * service that counts it and the lab that reads it. The outcomes that may explain a key loaded
 * twice are also kept per key ({@link LeaseEvents}), for the lab's duplicate attribution. In the
 * order the lab's report lists them.
 */
public enum LeaseOutcome {
    /** A look-up won the lease. */
    ACQUIRED(false),
    /** A look-up found another holder's lease. */
    BUSY(false),
    /** The holder renewed its lease while loading. */
    EXTENDED(false),
    /** A renewal found the lease gone, or the fill found another holder's. */
    LOST(true),
    /** The fill found the lease gone (expired). */
    FENCED(true),
    /** The fill found a newer version cached (a PUT came first). */
    REFUSED(true),
    /** The holder gave the lease up without a fill (local rejection, failed load). */
    RELEASED(true),
    /** A follower's wait ran out without a notice, and it asked Redis again. */
    BACKSTOP(true),
    /** A caller won the lease after having waited for another holder. */
    TAKEOVER(true),
    /** Redis out of reach: loaded without a lease. */
    DIRECT(true),
    /** Redis did not answer in time: the caller waited as a follower. */
    ERROR(false),
    /** The leader's caller went away; its load went on and filled. */
    CALLER_LEFT(false);

    private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');
    private final boolean explainsDuplicate;

    LeaseOutcome(boolean explainsDuplicate) {
        this.explainsDuplicate = explainsDuplicate;
    }

    /** The metric tag and the key in {@link LeaseEvents}: the name in lower case, words joined by '-'. */
    public String tag() {
        return tag;
    }

    /** Kept per key: a way for one key to be loaded twice under a lease. */
    public boolean explainsDuplicate() {
        return explainsDuplicate;
    }
}
