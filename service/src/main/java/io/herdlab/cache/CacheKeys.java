package io.herdlab.cache;

import io.herdlab.contract.UserKey;
import io.lettuce.core.cluster.SlotHash;

/**
 * The Redis names of one replica's key space. Every key of one user carries the hash tag
 * {@code {user:<id>}}, so a script touching the value and its lease stays in one slot of a
 * Redis Cluster. The fills channel is not a key (scripts take it as an argument): on one server
 * it is one channel for all users; on a cluster there is one per slot, tagged to hash to that
 * slot, so a script publishes its notice ({@code SPUBLISH}) on the slot of the keys it touched.
 */
public record CacheKeys(String prefix) {

    /** The key of user {@code id}'s cached value ({@link UserKey}, as the lab reads it). */
    public String value(long id) {
        return UserKey.value(prefix, id);
    }

    /** The pub/sub channel on which fills and lease hand-overs are announced (one server). */
    public String fillsChannel() {
        return prefix + "fills";
    }

    /** The sharded channel of user {@code id}'s slot (a cluster): {@link #shardChannel(int)}. */
    public String fillsChannel(long id) {
        return shardChannel(SlotHash.getSlot(value(id)));
    }

    /** The sharded channel whose name hashes to {@code slot}: {@code <prefix>fills{<tag>}}. */
    public String shardChannel(int slot) {
        return prefix + "fills{" + SlotTags.TAGS[slot] + "}";
    }

    /** For every slot, the shortest decimal number that hashes to it (CRC16 mod 16384). */
    private static final class SlotTags {
        static final String[] TAGS = new String[SlotHash.SLOT_COUNT];

        static {
            int found = 0;
            for (int n = 0; found < TAGS.length; n++) {
                String tag = Integer.toString(n);
                int slot = SlotHash.getSlot(tag);
                if (TAGS[slot] == null) {
                    TAGS[slot] = tag;
                    found++;
                }
            }
        }
    }
}
