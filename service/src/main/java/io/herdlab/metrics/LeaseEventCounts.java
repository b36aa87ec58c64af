package io.herdlab.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lease events that can explain a cluster-wide duplicate load, per user id since the last
 * reset: what {@code GET /actuator/herd/lease-events} serves and the lab attributes duplicates
 * to. At most {@code maxKeys} ids are tracked (as {@link KeyQueryCounts}); events of ids beyond
 * that are counted as untracked, not remembered.
 */
final class LeaseEventCounts {

    /**
     * The outcomes kept per key, each a way one key can be loaded twice under a lease: a renewal
     * found the lease gone while loading, the fill found it gone, the fill found a newer version,
     * the holder gave it up without a fill, a follower's wait ran out and it asked Redis again, a
     * caller won the lease after waiting for another holder, Redis could not be reached.
     */
    static final List<String> OUTCOMES = List.of("lost", "fenced", "refused", "released", "backstop", "takeover",
            "direct");

    private final ConcurrentHashMap<Long, AtomicLongArray> keys = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final LongAdder untracked = new LongAdder();

    LeaseEventCounts(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** Counts {@code outcome} for {@code id} if it is one of {@link #OUTCOMES}; other outcomes are not kept per key. */
    void record(long id, String outcome) {
        int index = OUTCOMES.indexOf(outcome);
        if (index < 0) {
            return;
        }
        AtomicLongArray counts = keys.get(id);
        if (counts == null) {
            if (keys.size() >= maxKeys) {
                untracked.increment();
                return;
            }
            counts = keys.computeIfAbsent(id, k -> new AtomicLongArray(OUTCOMES.size()));
        }
        counts.incrementAndGet(index);
    }

    void reset() {
        keys.clear();
        untracked.reset();
    }

    /** Events of ids beyond the tracked ones since the reset. */
    long untracked() {
        return untracked.sum();
    }

    /** id → outcome → count, the outcomes that happened only, ids in order. */
    Map<Long, Map<String, Long>> all() {
        Map<Long, Map<String, Long>> out = new TreeMap<>();
        keys.forEach((id, counts) -> {
            Map<String, Long> outcomes = new LinkedHashMap<>();
            for (int i = 0; i < OUTCOMES.size(); i++) {
                long n = counts.get(i);
                if (n > 0) {
                    outcomes.put(OUTCOMES.get(i), n);
                }
            }
            if (!outcomes.isEmpty()) {
                out.put(id, outcomes);
            }
        });
        return out;
    }
}
