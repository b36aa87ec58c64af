package io.herdlab.contract;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * {@code GET /actuator/herd/keys}: DB queries per user id since the last reset, on one replica.
 * Cluster-wide duplicates need these per key from every replica (see {@link #plus}).
 */
public record KeyQueries(Map<Long, Integer> byId) {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public KeyQueries {
        byId = Collections.unmodifiableMap(new TreeMap<>(byId == null ? Map.of() : byId));
    }

    @JsonValue
    @Override
    public Map<Long, Integer> byId() {
        return byId;
    }

    /** The counts of both, added per id. */
    public KeyQueries plus(KeyQueries other) {
        Map<Long, Integer> sum = new TreeMap<>(byId);
        other.byId.forEach((id, n) -> sum.merge(id, n, Integer::sum));
        return new KeyQueries(sum);
    }
}
