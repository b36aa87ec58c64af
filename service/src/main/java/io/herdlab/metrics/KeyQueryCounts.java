package io.herdlab.metrics;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import io.herdlab.contract.HerdSnapshot;

/**
 * How often each user id was fetched from the database since the last reset, and whether a
 * fetch repeated one of the same key within the duplicate window. At most {@code maxKeys} ids
 * are tracked: a flood of distinct ids beyond that is counted as untracked, not remembered.
 */
final class KeyQueryCounts {

    private static final class Key {
        int queries; // guarded by this
        long lastNanos; // guarded by this
    }

    private final ConcurrentHashMap<Long, Key> keys = new ConcurrentHashMap<>();
    private final long windowNanos;
    private final int maxKeys;
    private final LongAdder untracked = new LongAdder();

    KeyQueryCounts(Duration duplicateWindow, int maxKeys) {
        this.windowNanos = duplicateWindow.toNanos();
        this.maxKeys = maxKeys;
    }

    /** Counts one query of {@code id}; true when it duplicates one within the window. */
    boolean record(long id, long nowNanos) {
        Key key = keys.get(id);
        if (key == null) {
            if (keys.size() >= maxKeys) {
                untracked.increment();
                return false;
            }
            key = keys.computeIfAbsent(id, k -> new Key());
        }
        synchronized (key) {
            boolean duplicate = key.queries > 0 && nowNanos - key.lastNanos <= windowNanos;
            key.queries++;
            key.lastNanos = nowNanos;
            return duplicate;
        }
    }

    void reset() {
        keys.clear();
        untracked.reset();
    }

    Map<Long, Integer> all() {
        Map<Long, Integer> out = new TreeMap<>();
        keys.forEach((id, key) -> {
            synchronized (key) {
                out.put(id, key.queries);
            }
        });
        return out;
    }

    /** The snapshot's {@code db}: {@code queries} and {@code duplicates} since the reset, and the {@code top} keys. */
    HerdSnapshot.Db snapshot(long queries, long duplicates, int top) {
        Map<Long, Integer> all = all();
        List<HerdSnapshot.KeyCount> topKeys = all.entrySet().stream()
                .sorted(Map.Entry.<Long, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(top)
                .map(e -> new HerdSnapshot.KeyCount(e.getKey(), e.getValue()))
                .toList();
        HerdSnapshot.QueriesPerKey histogram = new HerdSnapshot.QueriesPerKey(keys(all, 1, 1), keys(all, 2, 2),
                keys(all, 3, 9), keys(all, 10, 99), keys(all, 100, Integer.MAX_VALUE));
        return new HerdSnapshot.Db(queries, duplicates, all.size(), untracked.sum(), topKeys, histogram);
    }

    /** How many keys were queried {@code min} to {@code max} times. */
    private static long keys(Map<Long, Integer> all, int min, int max) {
        return all.values().stream().filter(c -> c >= min && c <= max).count();
    }
}
