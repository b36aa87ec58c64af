package io.herdlab.lab.data;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.herdlab.contract.MembershipChange;

/**
 * Counters from the replicas' Prometheus text ({@code /actuator/prometheus}): one metric's samples
 * summed by one of its labels, and how much they grew between two scrapes of every replica.
 */
public final class Prometheus {

    /** Commands each replica sent to Redis, counted where they are sent: {@code client}, {@code command}. */
    public static final String REDIS_COMMANDS = "herd_redis_commands_total";
    /** Lease attempts, renewals and fill outcomes: {@code mode}, {@code outcome}. */
    public static final String LEASE = "herd_lease_total";
    /** Owner routing: misses forwarded to their owner and answered, and forwards that fell back to a local load. */
    public static final String OWNER_FORWARDS = "herd_owner_forward_seconds_count";
    public static final String OWNER_FALLBACKS = "herd_owner_fallbacks_total";
    static final String OWNER_MEMBERSHIP = "herd_owner_membership_changes_total";
    /** The prefix of the membership changes' keys in {@link #ownerForwards}. */
    public static final String MEMBERSHIP = "membership-";

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private Prometheus() {
    }

    /**
     * Value of {@code label} → the samples of {@code metric} that carry it, summed over their other
     * labels; null when the text has no sample of {@code metric} at all.
     */
    static Map<String, Long> sumBy(String text, String metric, String label) {
        Map<String, Long> out = null;
        for (String line : text.split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!m.find() || !m.group(1).equals(metric)) {
                continue;
            }
            String value = "";
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                if (l.group(1).equals(label)) {
                    value = l.group(2);
                }
            }
            if (out == null) {
                out = new TreeMap<>();
            }
            out.merge(value, Math.round(Double.parseDouble(m.group(3))), Long::sum);
        }
        return out;
    }

    /**
     * How much {@code metric} grew per value of {@code label} between {@code before.get(i)} and
     * {@code after.get(i)} (replica i's scrapes), summed over the replicas; values that did not grow
     * are left out.
     *
     * @param inEveryReplica the metric must be in every replica's later scrape: when one has none,
     *                       the answer is null (not counted there), never a silent 0
     */
    public static Map<String, Long> growth(List<String> before, List<String> after, String metric, String label,
            boolean inEveryReplica) {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < after.size(); i++) {
            Map<String, Long> end = sumBy(after.get(i), metric, label);
            if (end == null) {
                if (inEveryReplica) {
                    return null;
                }
                continue;
            }
            Map<String, Long> start = i < before.size() ? sumBy(before.get(i), metric, label) : null;
            end.forEach((value, n) -> out.merge(value, n - (start == null ? 0 : start.getOrDefault(value, 0L)),
                    Long::sum));
        }
        out.values().removeIf(n -> n <= 0);
        return out;
    }

    /**
     * Owner routing's {@code forwards} and {@code fallbacks} between the two scrapes, summed over
     * the replicas (every app metric carries {@code replica}), and its changes of the live members
     * by reason ({@code membership-<reason>}, where the replicas count them); null where no replica
     * routes by owner.
     */
    /** Whether {@code ownerForwards} (as {@link #ownerForwards} made it) holds membership changes: newer replicas count them. */
    public static boolean membershipCounted(Map<String, Long> ownerForwards) {
        return ownerForwards != null && ownerForwards.keySet().stream().anyMatch(k -> k.startsWith(MEMBERSHIP));
    }

    public static Map<String, Long> ownerForwards(List<String> before, List<String> after) {
        Map<String, Long> forwards = growth(before, after, OWNER_FORWARDS, "replica", false);
        Map<String, Long> fallbacks = growth(before, after, OWNER_FALLBACKS, "replica", false);
        if (after.stream().noneMatch(scrape -> scrape.contains(OWNER_FALLBACKS))) {
            return null;
        }
        Map<String, Long> out = new TreeMap<>();
        out.put("forwards", forwards.values().stream().mapToLong(Long::longValue).sum());
        out.put("fallbacks", fallbacks.values().stream().mapToLong(Long::longValue).sum());
        if (after.stream().allMatch(scrape -> scrape.contains(OWNER_MEMBERSHIP))) {
            Map<String, Long> changes = growth(before, after, OWNER_MEMBERSHIP, "reason", false);
            for (MembershipChange reason : MembershipChange.values()) {
                out.put(MEMBERSHIP + reason.tag(), changes.getOrDefault(reason.tag(), 0L));
            }
        }
        return out;
    }
}
