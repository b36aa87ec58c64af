package io.herdlab.coalesce;

import java.time.Duration;

import io.herdlab.contract.LeaseOutcome;
import io.herdlab.metrics.CoalesceRole;
import io.herdlab.metrics.CoalesceScope;

/** What a coalescer reports, so that the mechanisms stay free of metrics; {@code scope} names the mechanism. */
public interface CoalesceEvents {

    /** A caller became the leader, a follower, or loaded directly (nobody to coordinate with). */
    void role(CoalesceScope scope, CoalesceRole role);

    /** A follower got its answer after waiting this long. */
    void followerWaited(CoalesceScope scope, Duration waited);

    /** A follower gave up at its bound. */
    void followerTimedOut(CoalesceScope scope);

    /** A lease event about user {@code id} (see {@link LeaseOutcome}). */
    void lease(CoalesceScope scope, LeaseOutcome outcome, long id);

    /** A follower answered this long after the leader's fill was written (Redis's clock). */
    void wokeUp(CoalesceScope scope, Duration sinceFill);
}
