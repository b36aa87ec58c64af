package io.herdlab.owner;

import java.time.Duration;

/** What owner routing reports, so that the mechanism stays free of metrics. */
public interface OwnerEvents {

    /** A miss was forwarded to its owner, which answered (200, 404 or 503) after {@code took}. */
    void forwarded(Duration took);

    /** A forward found no owner in time; this replica loads the key itself. */
    void fallback();

    /** This replica loaded a key as its owner: for its own request, or for a forwarded one. */
    void servedAsOwner(boolean forwarded);
}
