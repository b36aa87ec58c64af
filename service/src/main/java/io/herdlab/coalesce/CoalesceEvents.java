package io.herdlab.coalesce;

import java.time.Duration;

/**
 * What a coalescer reports, so that the mechanisms stay free of metrics. {@code scope} names
 * the mechanism ({@code local}, {@code lua}, {@code redisson}).
 */
public interface CoalesceEvents {

    /** A caller became the leader, a follower, or loaded directly (nobody to coordinate with). */
    void role(String scope, String role);

    /** A follower got its answer after waiting this long. */
    void followerWaited(String scope, Duration waited);

    /** A follower gave up at its bound. */
    void followerTimedOut(String scope);

    /**
     * A lease event about user {@code id}: acquired, busy, error (Redis slow), extended, lost (a
     * renewal found the lease gone), fenced (the lease was gone at fill time), refused (the cache
     * held a newer version), released (given up without a fill), backstop (a follower's wait ran
     * out without a notice), takeover (a follower won the lease after all), direct (Redis out of
     * reach: loaded without a lease), caller-left (the leader's caller went away; the load went on).
     */
    void lease(String scope, String outcome, long id);

    /** A follower answered this long after the leader's fill was written (Redis's clock). */
    void wokeUp(String scope, Duration sinceFill);
}
