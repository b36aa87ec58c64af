package io.herdlab.contract;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code GET /actuator/herd/lease-events}: per user id, the lease events since the last reset that
 * can explain a cluster-wide duplicate load (the {@link LeaseOutcome#explainsDuplicate()} ones, by
 * {@link LeaseOutcome#tag()}), on one replica; e.g. {@code {"42":{"lost":1,"backstop":2}}}. The lab
 * adds every replica's (see {@link #plus}).
 */
public record LeaseEvents(Map<Long, Map<String, Long>> byId) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public LeaseEvents {
        Map<Long, Map<String, Long>> copy = new TreeMap<>();
        (byId == null ? Map.<Long, Map<String, Long>>of() : byId).forEach((id, outcomes) ->
                copy.put(id, Collections.unmodifiableMap(new TreeMap<>(outcomes == null ? Map.of() : outcomes))));
        byId = Collections.unmodifiableMap(copy);
    }

    @JsonValue
    @Override
    public Map<Long, Map<String, Long>> byId() {
        return byId;
    }

    /** How often {@code outcome} happened to {@code id}; 0 if never. */
    public long count(long id, LeaseOutcome outcome) {
        return byId.getOrDefault(id, Map.of()).getOrDefault(outcome.tag(), 0L);
    }

    /** The counts of both, added per id and outcome. */
    public LeaseEvents plus(LeaseEvents other) {
        Map<Long, Map<String, Long>> sum = new TreeMap<>();
        for (LeaseEvents events : new LeaseEvents[] {this, other}) {
            events.byId.forEach((id, outcomes) -> outcomes.forEach((outcome, n) ->
                    sum.computeIfAbsent(id, k -> new TreeMap<>()).merge(outcome, n, Long::sum)));
        }
        return new LeaseEvents(sum);
    }
}
