package io.herdlab.guard;

import java.time.Duration;

/**
 * The user cannot be served right now (database down or saturated, breaker open, a wait for
 * another loader timed out). Answered as 503 with Retry-After; never cached.
 */
public class UnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public UnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    public UnavailableException(String message, Duration retryAfter) {
        this(message, retryAfter, null);
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
