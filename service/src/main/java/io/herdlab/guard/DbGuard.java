package io.herdlab.guard;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.herdlab.DbDeadlines;
import io.herdlab.Mitigation;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Guards every database statement, read or write: a bulkhead caps how many run at once in
 * this replica, a circuit breaker stops sending statements to a database that keeps failing or
 * crawling, and the deadlines bound each one. What the database cannot do right now
 * (unreachable, saturated, past a deadline) becomes an {@link UnavailableException} in
 * herdlab's own words; an error about the statement itself (a constraint, bad input) is passed
 * on unchanged for the caller to answer as the client's mistake.
 */
public final class DbGuard {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;
    private final DbDeadlines deadlines;

    DbGuard(Mitigation mitigation, DbDeadlines deadlines, MeterRegistry registry) {
        this.deadlines = deadlines;
        this.breaker = mitigation.breaker() ? CircuitBreaker.of("db", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofSeconds(5))
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(5)
                // only the database's own trouble opens the breaker, not this replica's queue or bad input
                .recordException(DbGuard::databaseTrouble)
                .build()) : null;
        this.bulkhead = mitigation.bulkhead() > 0 ? Bulkhead.of("db", BulkheadConfig.custom()
                .maxConcurrentCalls(mitigation.bulkhead())
                // never wait for a permit: waiting would block an event-loop thread
                .maxWaitDuration(Duration.ZERO)
                .build()) : null;
        registry.gauge("herd.breaker.state", this, DbGuard::stateCode);
    }

    /**
     * Wraps one database operation. {@code statement} must apply {@link #statementDeadline}
     * to the statement itself (after the connection is acquired), so a queue for the pool is
     * bounded by the pool and a running statement by its deadline.
     */
    public <T> Mono<T> protect(Mono<T> statement) {
        Mono<T> guarded = statement.onErrorMap(DbGuard::databaseTrouble, DbGuard::unavailable);
        if (breaker != null) {
            guarded = guarded.transformDeferred(CircuitBreakerOperator.of(breaker));
        }
        if (bulkhead != null) {
            guarded = guarded.transformDeferred(BulkheadOperator.of(bulkhead));
        }
        return guarded
                .onErrorMap(CallNotPermittedException.class, ex -> UnavailableException.rejected(
                        "the database circuit breaker is open", Duration.ofSeconds(5), ex))
                .onErrorMap(BulkheadFullException.class, ex -> UnavailableException.rejected(
                        "too many database loads in flight on this replica", RETRY_AFTER, ex));
    }

    /** The client-side deadline of one statement, a little above PostgreSQL's statement_timeout. */
    public <T> Mono<T> statementDeadline(Mono<T> statement) {
        return statement.timeout(deadlines.statementGuard());
    }

    /** Unreachable, saturated, or past a deadline: the database cannot serve now. */
    static boolean databaseTrouble(Throwable error) {
        return DatabaseFailure.of(error) == DatabaseFailure.UNAVAILABLE;
    }

    private static UnavailableException unavailable(Throwable error) {
        if (error instanceof UnavailableException unavailable) {
            return unavailable;
        }
        String what = error instanceof TimeoutException || DatabaseFailure.cancelledByDeadline(error)
                ? "the database did not answer within its deadline"
                : "the database is unavailable";
        return new UnavailableException(what, RETRY_AFTER, error);
    }

    /** 0 closed, 1 open, 2 half-open, -1 disabled (Prometheus {@code herd_breaker_state}). */
    public double stateCode() {
        if (breaker == null) {
            return -1;
        }
        return switch (breaker.getState()) {
            case CLOSED -> 0;
            case OPEN, FORCED_OPEN -> 1;
            case HALF_OPEN -> 2;
            default -> 0;
        };
    }

    public String state() {
        return breaker == null ? "disabled" : breaker.getState().name().toLowerCase();
    }
}
