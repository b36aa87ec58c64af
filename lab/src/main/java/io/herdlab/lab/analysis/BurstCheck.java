package io.herdlab.lab.analysis;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.herdlab.lab.data.RunData;

/**
 * Whether the spike arrived as a burst, from the client's own send times: every planned request
 * written to its connection, the first within a second of the planned instant, and 99 % of them
 * within {@link #MAX_SPREAD_MS} of the first. A run that fails this is flagged, not compared.
 *
 * @param spreadP50Ms how long after the first send half of the requests were sent
 * @param lateMs      the first send after the planned instant
 */
public record BurstCheck(int planned, int sent, double spreadP50Ms, double spreadP99Ms, double spreadMaxMs, double lateMs,
        long lastResponseEpochMs) {

    public static final double MAX_SPREAD_MS = 1000;

    static final BurstCheck NONE = new BurstCheck(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);

    static BurstCheck of(List<RunData.SpikeRequest> spike, long plannedAtMs) {
        if (spike.isEmpty()) {
            return NONE;
        }
        double[] sends = spike.stream().filter(RunData.SpikeRequest::sent).mapToDouble(RunData.SpikeRequest::sendEpochMs)
                .sorted().toArray();
        if (sends.length == 0) {
            return new BurstCheck(spike.size(), 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double first = sends[0];
        double[] offsets = Arrays.stream(sends).map(s -> s - first).toArray();
        long lastResponse = Math.round(spike.stream().filter(r -> r.sent() && !Double.isNaN(r.latencyMs()))
                .mapToDouble(r -> r.sendEpochMs() + r.latencyMs()).max().orElse(first));
        return new BurstCheck(spike.size(), sends.length, Histograms.exact(offsets, 0.50), Histograms.exact(offsets, 0.99),
                offsets[offsets.length - 1], first - plannedAtMs, lastResponse);
    }

    public boolean ran() {
        return planned > 0;
    }

    public boolean isBurst() {
        return ran() && sent == planned && spreadP99Ms <= MAX_SPREAD_MS && lateMs <= 1000;
    }

    /** Why the spike was not a burst, or empty. */
    public String why() {
        if (!ran()) {
            return "no spike was sent";
        }
        if (sent < planned) {
            return (planned - sent) + " of " + planned + " requests were never sent (their connections did not open)";
        }
        if (lateMs > 1000) {
            return String.format(Locale.ROOT, "the first request left %.1f s late", lateMs / 1000);
        }
        if (spreadP99Ms > MAX_SPREAD_MS) {
            return String.format(Locale.ROOT, "99 %% of the requests took %.2f s to leave", spreadP99Ms / 1000);
        }
        return "";
    }
}
