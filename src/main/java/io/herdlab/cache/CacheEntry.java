package io.herdlab.cache;

/**
 * What the cache holds for one user: the profile JSON (null for "no such user", a negative
 * entry), when it goes stale, and how long it took to compute (XFetch's δ).
 *
 * <p>Stored as {@code softExpiresAtMs|computeMillis|json}: cheap to write and to read on the
 * hot path, and the JSON is served as it is, never parsed again.
 */
public record CacheEntry(String json, long softExpiresAtMs, long computeMillis) {

    public static CacheEntry found(String json, long computeMillis) {
        return new CacheEntry(json, 0, computeMillis);
    }

    public static CacheEntry notFound(long computeMillis) {
        return new CacheEntry(null, 0, computeMillis);
    }

    public boolean exists() {
        return json != null;
    }

    CacheEntry withSoftExpiry(long softExpiresAtMs) {
        return new CacheEntry(json, softExpiresAtMs, computeMillis);
    }

    String encode() {
        return softExpiresAtMs + "|" + computeMillis + "|" + (json == null ? "" : json);
    }

    static CacheEntry decode(String raw) {
        int first = raw.indexOf('|');
        int second = raw.indexOf('|', first + 1);
        if (first < 0 || second < 0) {
            throw new IllegalArgumentException("not a herdlab cache entry");
        }
        String json = raw.substring(second + 1);
        return new CacheEntry(json.isEmpty() ? null : json, Long.parseLong(raw, 0, first, 10),
                Long.parseLong(raw, first + 1, second, 10));
    }
}
