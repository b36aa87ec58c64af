package io.herdlab.lab;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.herdlab.contract.Preset;

/**
 * The user's question in one paragraph: in-process single-flight against the distributed lease
 * as replicas are added — where the lease starts to pay, and what it costs when it does not.
 */
final class ScalingAnswer {

    /** Reads per hot key per expiry the lease must save before it counts as paying. */
    static final double PAYS_BY = 0.5;

    private ScalingAnswer() {
    }

    static String paragraph(Scaling s) {
        List<Scaling.Point> local = s.curves().getOrDefault(Preset.LOCAL, List.of());
        Preset lease = s.curves().containsKey(Preset.LUA) ? Preset.LUA : Preset.REDISSON;
        List<Scaling.Point> leased = s.curves().getOrDefault(lease, List.of());
        if (local.isEmpty() || leased.isEmpty()) {
            return "The scaling set needs `local` and a lease (`lua` or `redisson`) to answer the question.";
        }
        StringBuilder p = new StringBuilder();
        if (s.curves().values().stream().flatMap(List::stream).anyMatch(x -> !x.burst())) {
            p.append("**Some spikes were not bursts** (marked in the table): those points understate the herd. ");
        }
        Optional<Scaling.Point> pays = local.stream()
                .filter(l -> s.at(lease, l.replicas()).map(x -> l.hotKeyReadsPerExpiry() - x.hotKeyReadsPerExpiry()
                        >= PAYS_BY).orElse(false))
                .findFirst();
        if (pays.isPresent()) {
            Scaling.Point l = pays.get();
            Scaling.Point x = s.at(lease, l.replicas()).orElseThrow();
            p.append(String.format(Locale.ROOT, "The lease starts to pay at **%d replicas**: in-process single-flight read "
                    + "each hot key %.2f times per expiry (about one per replica), the %s lease %.2f. ", l.replicas(),
                    l.hotKeyReadsPerExpiry(), lease.id(), x.hotKeyReadsPerExpiry()));
            Scaling.Point lMax = local.get(local.size() - 1);
            s.at(lease, lMax.replicas()).ifPresent(xMax -> p.append(String.format(Locale.ROOT, "At %d replicas: %.2f "
                    + "against %.2f reads, %d against %d cluster-wide duplicates, spike P99 %s against %s. ",
                    lMax.replicas(), lMax.hotKeyReadsPerExpiry(), xMax.hotKeyReadsPerExpiry(), lMax.clusterDuplicates(),
                    xMax.clusterDuplicates(), Fmt.ms(lMax.spikeP99Ms()), Fmt.ms(xMax.spikeP99Ms()))));
        }
        else {
            p.append(String.format(Locale.ROOT, "The lease never saved %.1f reads per hot key per expiry over local "
                    + "single-flight at the replica counts run here. ", PAYS_BY));
        }
        Scaling.Point l1 = local.get(0);
        boolean paysEverywhere = pays.isPresent() && pays.get().replicas() == l1.replicas();
        s.at(lease, l1.replicas()).ifPresent(x1 -> p.append(String.format(Locale.ROOT, "%s %d replica%s it costs %.2f "
                + "Redis commands per miss against %.2f, and a follower wake-up of %s P50 / %s P99 against %s / %s in "
                + "process; spike P99 %s against %s.", paysEverywhere ? "What it costs: at" : "Where it does not pay, at",
                l1.replicas(), l1.replicas() == 1 ? "" : "s", x1.redisCallsPerMiss(), l1.redisCallsPerMiss(),
                Fmt.ms(x1.wakeUpP50Ms()), Fmt.ms(x1.wakeUpP99Ms()), Fmt.ms(l1.wakeUpP50Ms()), Fmt.ms(l1.wakeUpP99Ms()),
                Fmt.ms(x1.spikeP99Ms()), Fmt.ms(l1.spikeP99Ms()))));
        return p.toString();
    }
}
