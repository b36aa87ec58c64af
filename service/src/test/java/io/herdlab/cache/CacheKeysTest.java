package io.herdlab.cache;

import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The names a Redis Cluster needs to keep one user's keys and notices on one slot. */
class CacheKeysTest {

    final CacheKeys keys = new CacheKeys("herd:");

    @Test
    void everySlotHasAChannelThatHashesToIt() {
        assertThat(IntStream.range(0, SlotHash.SLOT_COUNT)
                .filter(slot -> SlotHash.getSlot(keys.shardChannel(slot)) != slot)).isEmpty();
    }

    @Test
    void aUsersNoticesShareTheSlotOfItsValueAndLease() {
        assertThat(LongStream.rangeClosed(1, 10_000)
                .filter(id -> SlotHash.getSlot(keys.fillsChannel(id)) != SlotHash.getSlot(keys.value(id))
                        || SlotHash.getSlot(keys.value(id) + ":lease") != SlotHash.getSlot(keys.value(id))))
                .isEmpty();
        assertThat(keys.fillsChannel()).as("one server: one channel").isEqualTo("herd:fills");
    }
}
