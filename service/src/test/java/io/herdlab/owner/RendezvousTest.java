package io.herdlab.owner;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RendezvousTest {

    static final List<String> THREE = List.of("http://10.0.0.1:8081", "http://10.0.0.2:8081", "http://10.0.0.3:8081");
    static final int KEYS = 30_000;

    @Test
    void theOwnerDoesNotDependOnTheOrderOfTheList() {
        List<String> reversed = new ArrayList<>(THREE);
        java.util.Collections.reverse(reversed);
        for (long key = 1; key <= 1000; key++) {
            assertThat(Rendezvous.owner(key, reversed)).isEqualTo(Rendezvous.owner(key, THREE));
        }
    }

    @Test
    void keysSpreadEvenlyOverTheMembers() {
        Map<String, Integer> owned = new HashMap<>();
        for (long key = 1; key <= KEYS; key++) {
            owned.merge(Rendezvous.owner(key, THREE), 1, Integer::sum);
        }
        assertThat(owned).hasSize(3);
        // a third each, within 3 %
        owned.values().forEach(n -> assertThat(n).isBetween(KEYS / 3 - KEYS / 33, KEYS / 3 + KEYS / 33));
    }

    @Test
    void aMemberLeavingMovesOnlyItsOwnKeysAndOneJoiningTakesOnlyWhatItNowOwns() {
        List<String> two = THREE.subList(0, 2);
        int moved = 0;
        for (long key = 1; key <= KEYS; key++) {
            String before = Rendezvous.owner(key, THREE);
            String after = Rendezvous.owner(key, two);
            if (!before.equals(after)) {
                moved++;
                assertThat(before).as("only the leaver's keys move").isEqualTo(THREE.get(2));
            }
            else {
                assertThat(before).isNotEqualTo(THREE.get(2));
            }
        }
        assertThat(moved).isBetween(KEYS / 3 - KEYS / 33, KEYS / 3 + KEYS / 33);
    }

    @Test
    void noMembersNoOwnerOneMemberOwnsAll() {
        assertThat(Rendezvous.owner(1, List.of())).isNull();
        assertThat(Rendezvous.owner(7, List.of("a"))).isEqualTo("a");
    }
}
