package io.herdlab.metrics;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

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

    Map<String, Object> summary(int top) {
        Map<Long, Integer> all = all();
        Map<String, Long> histogram = new LinkedHashMap<>();
        histogram.put("1", all.values().stream().filter(c -> c == 1).count());
        histogram.put("2", all.values().stream().filter(c -> c == 2).count());
        histogram.put("3-9", all.values().stream().filter(c -> c >= 3 && c < 10).count());
        histogram.put("10-99", all.values().stream().filter(c -> c >= 10 && c < 100).count());
        histogram.put("100+", all.values().stream().filter(c -> c >= 100).count());
        List<Map<String, Object>> topKeys = all.entrySet().stream()
                .sorted(Map.Entry.<Long, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(top)
                .map(e -> Map.<String, Object>of("id", e.getKey(), "queries", e.getValue()))
                .toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keysQueried", all.size());
        out.put("untrackedQueries", untracked.sum());
        out.put("topKeys", topKeys);
        out.put("queriesPerKeyHistogram", histogram);
        return out;
    }
}
