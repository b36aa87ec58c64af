package io.herdlab.coalesce;

import java.time.Duration;

import io.herdlab.metrics.CoalesceRole;
import io.herdlab.contract.LeaseOutcome;

/**
 * What a coalescer reports, so that the mechanisms stay free of metrics. {@code scope} names
 * the mechanism ({@code local}, {@code lua}, {@code redisson}).
 */
public interface CoalesceEvents {

    /** A caller became the leader, a follower, or loaded directly (nobody to coordinate with). */
    void role(String scope, CoalesceRole role);

    /** A follower got its answer after waiting this long. */
    void followerWaited(String scope, Duration waited);

    /** A follower gave up at its bound. */
    void followerTimedOut(String scope);

    /** A lease event about user {@code id} (see {@link LeaseOutcome}). */
    void lease(String scope, LeaseOutcome outcome, long id);

    /** A follower answered this long after the leader's fill was written (Redis's clock). */
    void wokeUp(String scope, Duration sinceFill);
}
