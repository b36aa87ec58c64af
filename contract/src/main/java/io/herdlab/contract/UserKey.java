package io.herdlab.contract;

/**
 * The Redis key of one user's cached value under a key prefix: {@code <prefix>{user:<id>}}. The
 * hash tag keeps a user's value and its lease in one Redis Cluster slot; the lab reads the keys
 * by this name to see which are still cached.
 */
public final class UserKey {

    /** What comes between the prefix and the id. */
    public static final String BEFORE_ID = "{user:";
    /** What follows the id. */
    public static final String AFTER_ID = "}";

    private UserKey() {
    }

    public static String value(String prefix, long id) {
        return prefix + BEFORE_ID + id + AFTER_ID;
    }
}
