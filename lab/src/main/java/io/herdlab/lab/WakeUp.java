package io.herdlab.lab;

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
final class WakeUp {

    /**
     * The follower's whole wait for the leader's value, per coalescing mode. Switch to the
     * fill-to-follower histogram here once the service exports one.
     */
    static final String METRIC = "herd_coalesce_wait_seconds";

    private static final Pattern BUCKET = Pattern.compile("^(\\w+)_bucket\\{([^}]*)}\\s+(\\S+)");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

    private WakeUp() {
    }

    /** The histogram between two scrapes of each replica ({@code before.get(i)} and {@code after.get(i)}). */
    static RunData.Histogram between(List<String> before, List<String> after) {
        Map<Double, Long> delta = new TreeMap<>();
        after.forEach(text -> buckets(text).forEach((le, n) -> delta.merge(le, n, Long::sum)));
        before.forEach(text -> buckets(text).forEach((le, n) -> delta.merge(le, -n, Long::sum)));
        double[] bounds = delta.keySet().stream().mapToDouble(Double::doubleValue).toArray();
        long[] counts = delta.values().stream().mapToLong(Long::longValue).toArray();
        return bounds.length == 0 ? RunData.Histogram.EMPTY : new RunData.Histogram(bounds, counts);
    }

    /** Upper bound (s) → cumulative count of {@link #METRIC}, summed over its label sets. */
    static Map<Double, Long> buckets(String prometheusText) {
        Map<Double, Long> out = new TreeMap<>();
        for (String line : prometheusText.split("\n")) {
            Matcher m = BUCKET.matcher(line);
            if (m.find() && m.group(1).equals(METRIC)) {
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
