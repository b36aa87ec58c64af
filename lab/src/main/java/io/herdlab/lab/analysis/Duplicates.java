package io.herdlab.lab.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import io.herdlab.contract.LeaseOutcome;
import io.herdlab.contract.OwnerOutcome;
import io.herdlab.lab.data.Prometheus;
import io.herdlab.lab.data.RunData;

/**
 * Every cluster-wide duplicate load, explained. A key the replicas loaded n &gt; 1 times (their
 * per-key counts summed) has n − 1 duplicates. Without a lease (coalescer none or local) nothing
 * coordinates the replicas, so they are the design. Under a lease each is attributed to one of
 * the key's recorded lease events ({@code /actuator/herd/lease-events}), each event explaining at
 * most one duplicate, in the order of {@link Cause}; what no event explains is unexplained, and
 * the report names those keys. Under owner routing the same, with the loads the replicas noted
 * per key where another replica may load the key too (a fallback, a key moved by a member counted
 * down, a forwarded read loaded by a replica that does not own the key).
 *
 * @param coalescer          who coordinated a miss (none, local, lua, redisson, tiered, owner)
 * @param coordination       whether a lease coordinated the misses, and whether its events were recorded
 * @param total              Σ (loads − 1) over the keys loaded more than once
 * @param byCause            duplicates per cause (under a lease with events recorded; empty otherwise)
 * @param unexplained        duplicates no recorded event explains
 * @param unexplainedKeys    up to {@value #KEYS_NAMED} of their keys, most unexplained first
 * @param unexplainedKeyCount how many keys had an unexplained duplicate
 * @param ttlRanOut          the run outlived the TTL: some loads may be reloads of a key that expired again
 */
public record Duplicates(String coalescer, Coordination coordination, long total, Map<Cause, Long> byCause, long unexplained,
        List<Long> unexplainedKeys, int unexplainedKeyCount, boolean ttlRanOut) {

    public static final int KEYS_NAMED = 10;

    /** What can have coordinated the misses. */
    public enum Coordination {
        /** A lease, and the replicas recorded its events per key. */
        LEASE,
        /** Owner routing, and the replicas recorded per key the loads that may be a second one. */
        OWNER,
        /**
         * No per-key events to attribute with: no cluster-wide coordination (coalescer none or local:
         * duplicates across replicas are the design), or owner routing on replicas that did not record
         * its loads per key (before membership changes were counted).
         */
        NONE,
        /** A lease, but no per-key events were recorded (the replicas predate them): not attributed. */
        UNRECORDED
    }

    /**
     * Why a key was loaded again, in the order events are used to explain duplicates: the lease's
     * causes, then owner routing's.
     */
    public enum Cause {
        LEASE_LOST("lease lost while loading", LeaseOutcome.LOST, LeaseOutcome.FENCED),
        REFUSED("fill refused (a newer version was cached)", LeaseOutcome.REFUSED),
        RELEASED("holder gave the lease up (local rejection or failed load)", LeaseOutcome.RELEASED),
        DIRECT("Redis unreachable", LeaseOutcome.DIRECT),
        TAKEOVER("a follower took over after its wait ran out", LeaseOutcome.BACKSTOP, LeaseOutcome.TAKEOVER),
        FALLBACK("owner: a forward fell back to a local load", OwnerOutcome.FALLBACK),
        MEMBER_DROPPED("owner: a member dropped (under load, or dead) moved the key", OwnerOutcome.MOVED),
        VIEWS_DISAGREE("owner: members' views disagreed (a forwarded read loaded by a non-owner)",
                OwnerOutcome.NOT_OWNER);

        public final String label;
        /** The per-key event tags that explain it. */
        final List<String> tags;
        /** Owner routing's cause, not a lease's. */
        public final boolean owner;

        Cause(String label, LeaseOutcome... outcomes) {
            this.label = label;
            this.tags = java.util.Arrays.stream(outcomes).map(LeaseOutcome::tag).toList();
            this.owner = false;
        }

        Cause(String label, OwnerOutcome outcome) {
            this.label = label;
            this.tags = List.of(outcome.tag());
            this.owner = true;
        }
    }

    public static Duplicates of(RunData d) {
        long total = d.queriesPerKey().values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
        boolean ttlRanOut = KeyLoad.expiries(d) > 1;
        boolean owner = "owner".equals(d.coalescer());
        // owner routing's replicas record its loads per key since they count membership changes
        boolean ownerRecorded = owner && d.leaseEvents() != null && Prometheus.membershipCounted(d.ownerForwards());
        if (owner ? !ownerRecorded : !d.leased() || d.leaseEvents() == null) {
            return new Duplicates(d.coalescer(), d.leased() ? Coordination.UNRECORDED : Coordination.NONE, total,
                    new EnumMap<>(Cause.class), 0, List.of(), 0, ttlRanOut);
        }
        Map<Cause, Long> byCause = new EnumMap<>(Cause.class);
        Map<Long, Long> unexplainedByKey = new HashMap<>();
        d.queriesPerKey().forEach((id, loads) -> {
            long left = loads - 1L;
            Map<String, Long> events = d.leaseEvents().getOrDefault(id, Map.of());
            for (Cause cause : Cause.values()) {
                if (cause.owner != owner) {
                    continue;
                }
                long available = cause.tags.stream().mapToLong(tag -> events.getOrDefault(tag, 0L)).sum();
                long used = Math.min(Math.max(0, left), available);
                if (used > 0) {
                    byCause.merge(cause, used, Long::sum);
                    left -= used;
                }
            }
            if (left > 0) {
                unexplainedByKey.put(id, left);
            }
        });
        List<Long> named = unexplainedByKey.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue(Comparator.reverseOrder())
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(KEYS_NAMED).map(Map.Entry::getKey).toList();
        return new Duplicates(d.coalescer(), owner ? Coordination.OWNER : Coordination.LEASE, total, byCause,
                unexplainedByKey.values().stream().mapToLong(Long::longValue).sum(), named, unexplainedByKey.size(),
                ttlRanOut);
    }

    /** Duplicates explained by {@code cause}, 0 if none. */
    public long count(Cause cause) {
        return byCause.getOrDefault(cause, 0L);
    }

    /** The named unexplained keys, with "…" when there were more. */
    public String unexplainedIds() {
        return unexplainedKeys.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + (unexplainedKeyCount > unexplainedKeys.size() ? ", … (" + unexplainedKeyCount + " keys)" : "");
    }

    /** Why there is no attribution, or null when there is one. */
    public String noAttribution() {
        return switch (coordination) {
            case NONE -> coalescer.equals("owner")
                    ? "these replicas kept no per-key owner events: a key loaded again was a fallback after a "
                            + "forward's bound, or a change of members (see the fallbacks column)"
                    : "no cluster-wide coordination: " + (coalescer.equals("local")
                            ? "single-flight loads a key once per replica" : "every request that misses loads")
                            + ", by design";
            case UNRECORDED -> "n/a: the replicas recorded no lease events per key (a run from before "
                    + "/actuator/herd/lease-events)";
            case LEASE, OWNER -> null;
        };
    }

    /** The attribution in one sentence's worth of words. */
    public String brief() {
        if (total == 0) {
            return "no duplicate loads";
        }
        String head = String.format(Locale.ROOT, "%d duplicate load%s", total, total == 1 ? "" : "s");
        if (noAttribution() != null) {
            return head + ", " + noAttribution();
        }
        List<String> parts = new ArrayList<>();
        byCause.forEach((cause, n) -> parts.add(n + " " + cause.label));
        if (unexplained > 0) {
            parts.add(unexplained + " **unexplained** (ids " + unexplainedIds() + ")");
        }
        return head + ": " + String.join(", ", parts);
    }

    /** What the unexplained figure may hold besides a defect, when the run outlived the TTL. */
    public String caveat() {
        return ttlRanOut && unexplained > 0 ? " The run outlived the cache TTL, so some unexplained loads may be "
                + "reloads of a key that expired again, not duplicates." : "";
    }
}
