package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.List;

import io.herdlab.lab.data.RunData;
import io.herdlab.lab.report.Fmt;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BurstCheckTest {

    private static final long AT = 1_000_000;

    /** {@code n} requests sent evenly over {@code overMs} from {@code AT + lateMs}, each answered in 100 ms. */
    private static List<RunData.SpikeRequest> sent(int n, double overMs, double lateMs) {
        List<RunData.SpikeRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new RunData.SpikeRequest(AT + lateMs + overMs * i / n, 100, "200"));
        }
        return out;
    }

    @Test
    void allRequestsWithinASecondOnTimeIsABurst() {
        BurstCheck b = BurstCheck.of(sent(1000, 70, 2), AT);
        assertThat(b.isBurst()).isTrue();
        assertThat(b.sent()).isEqualTo(1000);
        assertThat(b.spreadP99Ms()).isBetween(68.0, 70.0);
        assertThat(b.lateMs()).isEqualTo(2.0);
        assertThat(b.lastResponseEpochMs()).isBetween(AT + 170, AT + 173);
        assertThat(b.why()).isEmpty();
    }

    @Test
    void aSpikeSpreadOverSecondsIsFlagged() {
        BurstCheck b = BurstCheck.of(sent(5000, 13_000, 0), AT);
        assertThat(b.isBurst()).isFalse();
        assertThat(b.why()).contains("99 % of the requests took 12.87 s to leave");
        assertThat(Fmt.burst(b)).startsWith("**NOT A BURST**");
    }

    @Test
    void unsentRequestsAndALateStartAreFlagged() {
        List<RunData.SpikeRequest> some = new ArrayList<>(sent(900, 50, 0));
        for (int i = 0; i < 100; i++) {
            some.add(new RunData.SpikeRequest(Double.NaN, Double.NaN, "unsent"));
        }
        assertThat(BurstCheck.of(some, AT).why()).isEqualTo("100 of 1000 requests were never sent (their connections "
                + "did not open)");
        assertThat(BurstCheck.of(sent(1000, 50, 2500), AT).why()).isEqualTo("the first request left 2.5 s late");
        assertThat(BurstCheck.of(List.of(), AT).ran()).isFalse();
    }
}
