package io.herdlab.guard;

import java.time.Duration;

/**
 * The user cannot be served right now (database down or saturated, a deadline passed, breaker
 * open, a wait for another loader timed out). Answered as 503 with Retry-After; never cached.
 * The message is herdlab's own sentence for the client; the cause, if any, is for the log.
 */
public class UnavailableException extends RuntimeException {

    private final Duration retryAfter;
    private final boolean localRejection;

    private UnavailableException(String message, Duration retryAfter, Throwable cause, boolean localRejection) {
        super(message, cause);
        this.retryAfter = retryAfter;
        this.localRejection = localRejection;
    }

    public UnavailableException(String message, Duration retryAfter, Throwable cause) {
        this(message, retryAfter, cause, false);
    }

    public UnavailableException(String message, Duration retryAfter) {
        this(message, retryAfter, null, false);
    }

    /** This replica refused to send the load (its bulkhead is full or its breaker open). */
    public static UnavailableException rejected(String message, Duration retryAfter, Throwable cause) {
        return new UnavailableException(message, retryAfter, cause, true);
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * True when this replica's own guard refused the load: nothing is wrong with the database
     * as far as other replicas know, so a lease holder gives the lease up without announcing
     * a failure.
     */
    public boolean localRejection() {
        return localRejection;
    }
}
