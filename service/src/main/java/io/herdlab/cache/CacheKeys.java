package io.herdlab.cache;

import io.herdlab.contract.UserKey;

/**
 * The Redis names of one replica's key space. Every key of one user carries the hash tag
 * {@code {user:<id>}}, so a script touching the value and its lease stays in one slot of a
 * Redis Cluster; the fills channel is not a key (scripts take it as an argument).
 */
public record CacheKeys(String prefix) {

    /** The key of user {@code id}'s cached value ({@link UserKey}, as the lab reads it). */
    public String value(long id) {
        return UserKey.value(prefix, id);
    }

    /** The pub/sub channel on which fills and lease hand-overs are announced. */
    public String fillsChannel() {
        return prefix + "fills";
    }
}
