package io.herdlab.cache;

/**
 * What the cache holds for one user: the profile JSON (null for "no such user", a negative
 * entry), when it goes stale, how long it took to compute (XFetch's δ), and the row's version.
 *
 * <p>Stored as {@code kind|softExpiresAtMs|computeMillis|version|json} with kind {@code V}
 * (a value), {@code N} (no such user) or {@code T} (a tombstone: a PUT dropped the value; it
 * reads as a miss and refuses fills of older rows). Cheap to write and read on the hot path;
 * the JSON is served as it is. The Lua fills read the version as the fourth field.
 */
public record CacheEntry(String json, long softExpiresAtMs, long computeMillis, long version) {

    /** The version of an absent row: older than any row that exists. */
    public static final long ABSENT = -1;

    public static CacheEntry found(String json, long version, long computeMillis) {
        return new CacheEntry(json, 0, computeMillis, version);
    }

    public static CacheEntry notFound(long computeMillis) {
        return new CacheEntry(null, 0, computeMillis, ABSENT);
    }

    public boolean exists() {
        return json != null;
    }

    CacheEntry withSoftExpiry(long softExpiresAtMs) {
        return new CacheEntry(json, softExpiresAtMs, computeMillis, version);
    }

    public String encode() {
        return (json == null ? "N|" : "V|") + softExpiresAtMs + "|" + computeMillis + "|" + version + "|"
                + (json == null ? "" : json);
    }

    static String tombstone(long version) {
        return "T|0|0|" + version + "|";
    }

    /** The entry, or null for a tombstone (a miss). */
    public static CacheEntry decode(String raw) {
        int first = raw.indexOf('|');
        int second = raw.indexOf('|', first + 1);
        int third = raw.indexOf('|', second + 1);
        int fourth = raw.indexOf('|', third + 1);
        if (first != 1 || second < 0 || third < 0 || fourth < 0) {
            throw new IllegalArgumentException("not a herdlab cache entry");
        }
        char kind = raw.charAt(0);
        if (kind == 'T') {
            return null;
        }
        return new CacheEntry(kind == 'V' ? raw.substring(fourth + 1) : null, Long.parseLong(raw, 2, second, 10),
                Long.parseLong(raw, second + 1, third, 10), Long.parseLong(raw, third + 1, fourth, 10));
    }
}
