package io.herdlab.guard;

import java.time.Duration;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.herdlab.Mitigation;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Guards database loads: a bulkhead caps how many run at once in this replica, a circuit
 * breaker stops sending loads to a database that keeps failing or crawling. Either one
 * rejecting a load is an {@link UnavailableException}, answered fast as 503.
 */
public final class DbGuard {

    private final CircuitBreaker breaker;
    private final Bulkhead bulkhead;

    DbGuard(Mitigation mitigation, MeterRegistry registry) {
        this.breaker = mitigation.breaker() ? CircuitBreaker.of("db", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(10)
                .minimumNumberOfCalls(20)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofSeconds(5))
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(Duration.ofSeconds(5))
                .permittedNumberOfCallsInHalfOpenState(5)
                .ignoreExceptions(BulkheadFullException.class)
                .build()) : null;
        this.bulkhead = mitigation.bulkhead() > 0 ? Bulkhead.of("db", BulkheadConfig.custom()
                .maxConcurrentCalls(mitigation.bulkhead())
                // never wait for a permit: waiting would block an event-loop thread
                .maxWaitDuration(Duration.ZERO)
                .build()) : null;
        registry.gauge("herd.breaker.state", this, DbGuard::stateCode);
    }

    /** Wraps one database load. */
    public <T> Mono<T> protect(Mono<T> load) {
        Mono<T> guarded = load;
        if (bulkhead != null) {
            guarded = guarded.transformDeferred(BulkheadOperator.of(bulkhead));
        }
        if (breaker != null) {
            guarded = guarded.transformDeferred(CircuitBreakerOperator.of(breaker));
        }
        return guarded.onErrorMap(CallNotPermittedException.class,
                        ex -> new UnavailableException("the database circuit breaker is open", Duration.ofSeconds(5), ex))
                .onErrorMap(BulkheadFullException.class,
                        ex -> new UnavailableException("too many database loads in flight", Duration.ofSeconds(1), ex));
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
