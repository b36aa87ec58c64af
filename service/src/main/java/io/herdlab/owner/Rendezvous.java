package io.herdlab.owner;

import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Which member owns a key: rendezvous (highest-random-weight) hashing, Thaler and Ravishankar
 * 1996. Every member gets a score for the key, {@code mix(hash(member) ^ key)}, and the highest
 * score owns it.
 *
 * <p>Chosen over groupcache's consistent-hash ring because membership here is a handful of
 * replicas: the O(members) scoring per miss costs nothing next to a database load, the spread is
 * even without virtual nodes, and when a member leaves only its own keys move (each to the member
 * that scored second for it), when one joins it takes only the keys it now scores highest for.
 * Two replicas that hold the same member list agree on every owner without talking; the order of
 * the list does not matter. The hash is fixed (FNV-1a 64 over the member's UTF-8, SplitMix64's
 * finalizer), never {@code String.hashCode} of a JVM-specific seed, so every replica computes it alike.
 */
final class Rendezvous {

    private Rendezvous() {
    }

    /** The member that owns {@code key}; null when there are none. Ties (never seen) go to the smaller name. */
    static String owner(long key, Collection<String> members) {
        String best = null;
        long bestScore = 0;
        for (String member : members) {
            long score = score(member, key);
            if (best == null || Long.compareUnsigned(score, bestScore) > 0
                    || (score == bestScore && member.compareTo(best) < 0)) {
                best = member;
                bestScore = score;
            }
        }
        return best;
    }

    static long score(String member, long key) {
        return mix(fnv1a(member) ^ mix(key));
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finalizer: every input bit moves every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
