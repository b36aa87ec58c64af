package io.herdlab.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import io.herdlab.contract.LeaseOutcome;
import io.herdlab.contract.OwnerOutcome;

/**
 * The lease events (and owner routing's, {@link OwnerOutcome}) that can explain a cluster-wide
 * duplicate load, per user id since the last reset: what {@code GET /actuator/herd/lease-events} serves and the lab attributes duplicates
 * to. At most {@code maxKeys} ids are tracked (as {@link KeyQueryCounts}); events of ids beyond
 * that are counted as untracked, not remembered.
 */
final class LeaseEventCounts {

    /** The outcomes kept per key, each a way one key can be loaded twice under a lease. */
    static final List<LeaseOutcome> OUTCOMES = Arrays.stream(LeaseOutcome.values())
            .filter(LeaseOutcome::explainsDuplicate).toList();
    /** The tags kept per key: {@link #OUTCOMES}, then every {@link OwnerOutcome}. */
    private static final List<String> TAGS = Stream.concat(OUTCOMES.stream().map(LeaseOutcome::tag),
            Arrays.stream(OwnerOutcome.values()).map(OwnerOutcome::tag)).toList();

    private final ConcurrentHashMap<Long, AtomicLongArray> keys = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final LongAdder untracked = new LongAdder();

    LeaseEventCounts(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    /** Counts {@code outcome} for {@code id} if it is one of {@link #OUTCOMES}; other outcomes are not kept per key. */
    void record(long id, LeaseOutcome outcome) {
        int index = OUTCOMES.indexOf(outcome);
        if (index >= 0) {
            record(id, index);
        }
    }

    /** Counts {@code outcome} for {@code id}. */
    void record(long id, OwnerOutcome outcome) {
        record(id, OUTCOMES.size() + outcome.ordinal());
    }

    private void record(long id, int index) {
        AtomicLongArray counts = keys.get(id);
        if (counts == null) {
            if (keys.size() >= maxKeys) {
                untracked.increment();
                return;
            }
            counts = keys.computeIfAbsent(id, k -> new AtomicLongArray(TAGS.size()));
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
            for (int i = 0; i < TAGS.size(); i++) {
                long n = counts.get(i);
                if (n > 0) {
                    outcomes.put(TAGS.get(i), n);
                }
            }
            if (!outcomes.isEmpty()) {
                out.put(id, outcomes);
            }
        });
        return out;
    }
}
