package io.herdlab.owner;

import java.time.Duration;

import io.herdlab.contract.MembershipChange;
import io.herdlab.contract.OwnerOutcome;

/** What owner routing reports, so that the mechanism stays free of metrics. */
public interface OwnerEvents {

    /** A miss was forwarded to its owner, which answered (200, 404 or 503) after {@code took}. */
    void forwarded(Duration took);

    /** A forward found no owner in time; this replica loads the key itself. */
    void fallback();

    /**
     * This replica acted as a key's owner: it loaded the key for one of its own requests
     * ({@code forwarded} false), or it answered a read forwarded to it, from the cache or by loading.
     */
    void servedAsOwner(boolean forwarded);

    /** This replica's view of the live members changed, for {@code reason}. */
    void membershipChanged(MembershipChange reason);

    /** This replica loaded user {@code id} from the database where another replica may load it too. */
    void loaded(OwnerOutcome outcome, long id);
}
