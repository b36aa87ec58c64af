package io.herdlab.lab.data;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follower wake-up latency from the replicas' Prometheus histograms: the bucket counts of
 * {@link #METRIC} (every label set, every replica) at the end of the run minus those at its
 * start. Which histogram is the wake-up is decided here alone.
 */
public final class WakeUp {

    /**
     * The follower's whole wait for the leader's value, per coalescing mode. Switch to the
     * fill-to-follower histogram here once the service exports one.
     */
    public static final String METRIC = "herd_coalesce_wait_seconds";

    /**
     * From the leader's fill to the follower's answer, per coalescing mode: what the burst harness
     * reports as the wake-up.
     */
    public static final String FILL_TO_ANSWER = "herd_coalesce_wakeup_seconds";

    private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private WakeUp() {
    }

    /** The histogram of {@link #METRIC} between two scrapes of each replica ({@code before.get(i)} and {@code after.get(i)}). */
    public static RunData.Histogram between(List<String> before, List<String> after) {
        return between(before, after, METRIC);
    }

    /** The histogram of {@code metric} between two scrapes of each replica. */
    public static RunData.Histogram between(List<String> before, List<String> after, String metric) {
        Map<Double, Long> delta = new TreeMap<>();
        after.forEach(text -> buckets(text, metric).forEach((le, n) -> delta.merge(le, n, Long::sum)));
        before.forEach(text -> buckets(text, metric).forEach((le, n) -> delta.merge(le, -n, Long::sum)));
        double[] bounds = delta.keySet().stream().mapToDouble(Double::doubleValue).toArray();
        long[] counts = delta.values().stream().mapToLong(Long::longValue).toArray();
        return bounds.length == 0 ? RunData.Histogram.EMPTY : new RunData.Histogram(bounds, counts);
    }

    /** Upper bound (s) → cumulative count of {@code metric}, summed over its label sets. */
    static Map<Double, Long> buckets(String prometheusText, String metric) {
        Map<Double, Long> out = new TreeMap<>();
        for (String line : prometheusText.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (m.find() && m.group(1).equals(metric)) {
                Matcher le = LE.matcher(m.group(2));
                if (le.find()) {
                    double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                    out.merge(bound, Math.round(Double.parseDouble(m.group(3))), Long::sum);
                }
            }
        }
        return out;
    }
}
