package io.herdlab;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code herd.mitigation.*}: a preset, and knobs that override it one by one. A knob left
 * unset (null) takes the preset's value; {@link Mitigation#resolve} is the one place that
 * decides what runs.
 */
@ConfigurationProperties("herd.mitigation")
public record MitigationProperties(
        @DefaultValue("baseline") String preset,
        Duration jitterMax,
        Mitigation.CoalescerKind coalescer,
        Duration waitTimeout,
        Duration leaseTime,
        Boolean staleWhileRevalidate,
        Duration staleFor,
        Boolean earlyRefresh,
        Double beta,
        Duration negativeTtl,
        Boolean breaker,
        Integer bulkhead) {
}
