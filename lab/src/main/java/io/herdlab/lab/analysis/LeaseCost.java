package io.herdlab.lab.analysis;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.herdlab.contract.LeaseOutcome;
import io.herdlab.contract.MembershipChange;
import io.herdlab.lab.data.Prometheus;
import io.herdlab.lab.data.RunData;

/**
 * What coalescing costs, between the reset after the aligned warm and the end of the run: the
 * Redis commands the replicas sent per cache miss, Redis's own count of the commands it served,
 * what the lease did (its outcomes), and how long followers waited to be woken with the leader's
 * value.
 *
 * <p>Commands sent per miss, as issue 16 defines it: every command the replicas sent, less one per
 * look-up answered from the cache (a hit's one read), over the misses. Counted by the replicas
 * where they send ({@code herd_redis_commands_total}), so a script is one command. Redis's INFO
 * commandstats counts the commands run inside a script as well, so its figure is higher; it is
 * kept, labelled as Redis-side.
 *
 * @param hits                     look-ups answered from the cache (fresh, stale or negative)
 * @param sent                     commands the replicas sent; null where they do not count them (n/a)
 * @param sentPerMiss              (sent − hits) / misses; NaN when n/a or without a miss
 * @param sentPerCommandPerMiss    command → sent per miss, most frequent first (before the hits are taken off;
 *                                 {@link #hitsPerMiss} is what they take off); null when n/a
 * @param redisServed              commands Redis served (INFO commandstats, script internals included)
 * @param redisServedPerCommandPerMiss command → served per miss, most frequent first
 * @param redisIsOwn               Redis served this lab alone; otherwise other clients' commands are in its counts
 * @param outcomes                 lease outcome → events, {@link #OUTCOMES} first; null where not recorded (n/a)
 * @param wakeUps                  follower waits observed
 * @param forwardsPerMiss          owner routing's coordination cost: forwards to a key's owner (answered or fallen
 *                                 back) per miss; NaN where no replica routed by owner
 * @param ownerFallbacks           forwards that found no owner in time and were loaded locally; -1 where n/a
 * @param membershipChanges        owner routing: changes of a replica's live view of the members, summed over the
 *                                 replicas (a member dropped by three replicas is three); -1 where not counted
 * @param membersDropped           of them, members dropped (silent past the bound, or refused); -1 where not counted
 */
public record LeaseCost(long misses, long hits, Long sent, double sentPerMiss, Map<String, Double> sentPerCommandPerMiss,
        long redisServed, double redisServedPerMiss, Map<String, Double> redisServedPerCommandPerMiss,
        boolean redisIsOwn, Map<String, Long> outcomes, long wakeUps, double wakeUpP50Ms, double wakeUpP99Ms,
        double forwardsPerMiss, long ownerFallbacks, long membershipChanges, long membersDropped) {

    /** The lease outcomes the report shows, in this order (others the replicas report follow them). */
    public static final List<String> OUTCOMES = Arrays.stream(LeaseOutcome.values()).map(LeaseOutcome::tag).toList();

    public static LeaseCost of(RunData d, ServerLoad server) {
        long misses = server.misses();
        long hits = server.lookups() - misses;
        Long sent = d.redisSent() == null ? null : total(d.redisSent());
        long served = total(d.redisCalls());
        Map<String, Long> outcomes = null;
        if (d.leaseOutcomes() != null) {
            outcomes = new LinkedHashMap<>();
            for (String outcome : OUTCOMES) {
                outcomes.put(outcome, d.leaseOutcomes().getOrDefault(outcome, 0L));
            }
            for (Map.Entry<String, Long> e : d.leaseOutcomes().entrySet()) {
                outcomes.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        return new LeaseCost(misses, hits, sent, sent == null ? Double.NaN : perMiss(sent - hits, misses),
                d.redisSent() == null ? null : perCommand(d.redisSent(), misses), served, perMiss(served, misses),
                perCommand(d.redisCalls(), misses), d.settings().redisIsOwn(), outcomes, d.wakeUp().total(),
                1000 * Histograms.cumulativePercentile(d.wakeUp(), 0.50),
                1000 * Histograms.cumulativePercentile(d.wakeUp(), 0.99),
                d.ownerForwards() == null ? Double.NaN : perMiss(d.ownerForwards().getOrDefault("forwards", 0L)
                        + d.ownerForwards().getOrDefault("fallbacks", 0L), misses),
                d.ownerForwards() == null ? -1 : d.ownerForwards().getOrDefault("fallbacks", 0L),
                membership(d, reason -> true), membership(d, MembershipChange::drop));
    }

    /** Owner routing's membership changes for the reasons {@code counted} takes, summed; -1 where not counted. */
    private static long membership(RunData d, Predicate<MembershipChange> counted) {
        if (!Prometheus.membershipCounted(d.ownerForwards())) {
            return -1;
        }
        return Arrays.stream(MembershipChange.values()).filter(counted)
                .mapToLong(r -> d.ownerForwards().getOrDefault(Prometheus.MEMBERSHIP + r.tag(), 0L)).sum();
    }

    /** Whether the replicas counted the commands they sent. */
    public boolean sentKnown() {
        return sent != null;
    }

    /** The one read of each look-up answered from the cache, per miss: what the commands sent per miss leave out. */
    public double hitsPerMiss() {
        return perMiss(hits, misses);
    }

    /** Follower waits that ran out and asked Redis again; -1 where the outcomes were not recorded. */
    public long backstops() {
        return outcomes == null ? -1 : outcomes.getOrDefault(LeaseOutcome.BACKSTOP.tag(), 0L);
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static double perMiss(long n, long misses) {
        return misses == 0 ? Double.NaN : (double) n / misses;
    }

    private static Map<String, Double> perCommand(Map<String, Long> counts, long misses) {
        Map<String, Double> out = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), perMiss(e.getValue(), misses)));
        return out;
    }
}
