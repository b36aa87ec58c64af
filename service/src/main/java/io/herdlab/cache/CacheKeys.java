package io.herdlab.cache;

/**
 * The Redis names of one replica's key space. Every key of one user carries the hash tag
 * {@code {user:<id>}}, so a script touching the value and its lease stays in one slot of a
 * Redis Cluster; the fills channel is not a key (scripts take it as an argument).
 */
public record CacheKeys(String prefix) {

    public String value(long id) {
        return prefix + "{user:" + id + "}";
    }

    /** The pub/sub channel on which fills and lease hand-overs are announced. */
    public String fillsChannel() {
        return prefix + "fills";
    }
}
