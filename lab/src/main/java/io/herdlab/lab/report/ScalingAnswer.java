package io.herdlab.lab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import io.herdlab.contract.Preset;
import io.herdlab.lab.analysis.Duplicates;
import io.herdlab.lab.analysis.Scaling;

/**
 * The user's question in one paragraph: in-process single-flight against the distributed lease
 * as replicas are added — where the lease starts to pay, what it costs when it does not, and how
 * local, the pure Lua lease and tiered (local single-flight in front of it) compare on reads per
 * hot key, spike P99, Redis commands sent per miss, backstops and attributed duplicates, and what
 * each design does when a replica dies mid-spike.
 */
final class ScalingAnswer {

    /** Reads per hot key per expiry the lease must save before it counts as paying. */
    static final double PAYS_BY = 0.5;
    /** The lease the question is asked of, in order of preference when several ran. */
    static final List<Preset> LEASES = List.of(Preset.LUA, Preset.TIERED, Preset.REDISSON);
    /** The designs compared side by side at the largest replica count: per replica, the leases, owner routing. */
    static final List<Preset> COMPARED = List.of(Preset.LOCAL, Preset.LUA, Preset.TIERED, Preset.OWNER);
    /**
     * What each design does when a replica dies mid-spike: not measured by the lab's run, but what the
     * fault suites prove on replica processes (their assertions, quoted with their bounds).
     */
    static final String REPLICA_DIES = "When a replica dies mid-spike (the fault suites, not this run): single-flight "
            + "has nothing to lose, each replica loads for itself. Under a lease the dead holder's renewals stop and "
            + "its lease expires after the lease time (5 s by default); then one caller takes the key over and loads "
            + "it once more (`LeaseFailureTest`: a holder that goes away mid-load, its lease left in Redis, frees its "
            + "key when its 1 s lease runs out, and the survivor's next read answers 200; `PausedLeaderTest`: a "
            + "holder frozen (`SIGSTOP`) past its 2 s lease is replaced, and its late fill is fenced off). Under owner "
            + "routing each survivor's forward in flight fails and the survivor loads the key itself: no failed "
            + "request to a survivor, at most one extra read per survivor (`OwnerRoutingTest`: the owner killed "
            + "mid-burst over 3 replicas, one fallback per survivor, 1 to 3 PostgreSQL reads); the dead owner's port "
            + "refuses the next probe, so the survivors drop it (both within 5 s in the test) and its keys move to "
            + "new owners; a frozen owner holds the others for the forward bound plus one load (2 s + 1 s in the "
            + "test), and is dropped only after `herd.owner.down-after` of silence (15 s), so that a replica merely "
            + "busy under a spike keeps its keys.";

    private ScalingAnswer() {
    }

    static String paragraph(Scaling s) {
        List<Scaling.Point> local = s.curves().getOrDefault(Preset.LOCAL, List.of());
        Optional<Preset> leaseRun = LEASES.stream().filter(s.curves()::containsKey).findFirst();
        if (local.isEmpty() || leaseRun.isEmpty()) {
            return "The scaling set needs `local` and a lease (`lua`, `tiered` or `redisson`) to answer the question.";
        }
        Preset lease = leaseRun.get();
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
        }
        else {
            p.append(String.format(Locale.ROOT, "The lease never saved %.1f reads per hot key per expiry over local "
                    + "single-flight at the replica counts run here. ", PAYS_BY));
        }
        int most = local.get(local.size() - 1).replicas();
        List<String> compared = new ArrayList<>();
        for (Preset preset : COMPARED) {
            s.at(preset, most).ifPresent(x -> compared.add(describe(preset, x)));
        }
        if (compared.size() > 1) {
            p.append("At ").append(most).append(" replicas: ").append(String.join("; ", compared)).append(". ");
        }
        Scaling.Point l1 = local.get(0);
        boolean paysEverywhere = pays.isPresent() && pays.get().replicas() == l1.replicas();
        s.at(lease, l1.replicas()).ifPresent(x1 -> p.append(String.format(Locale.ROOT, "%s %d replica%s the %s lease "
                + "costs %s, and a follower wake-up of %s P50 / %s P99 against %s / %s in process; spike P99 %s "
                + "against %s.", paysEverywhere ? "What it costs: at" : "Where it does not pay, at", l1.replicas(),
                l1.replicas() == 1 ? "" : "s", lease.id(), x1.lease().sentKnown() || l1.lease().sentKnown()
                        ? Fmt.sentPerMiss(x1.lease()) + " Redis commands sent per miss against " + Fmt.sentPerMiss(l1.lease())
                        : "Redis commands sent per miss that these replicas did not count (n/a)",
                Fmt.ms(x1.wakeUpP50Ms()), Fmt.ms(x1.wakeUpP99Ms()), Fmt.ms(l1.wakeUpP50Ms()), Fmt.ms(l1.wakeUpP99Ms()),
                Fmt.ms(x1.spikeP99Ms()), Fmt.ms(l1.spikeP99Ms()))));
        p.append(' ').append(REPLICA_DIES);
        return p.toString().trim();
    }

    /** One coalescer at one replica count, on the figures the question compares. */
    private static String describe(Preset preset, Scaling.Point x) {
        boolean leased = x.duplicates().coordination() == Duplicates.Coordination.LEASE
                || x.duplicates().coordination() == Duplicates.Coordination.UNRECORDED;
        long backstops = x.lease().backstops();
        String cost = preset == Preset.OWNER
                ? Fmt.ratio(x.lease().forwardsPerMiss()) + " forwards per miss (" + Fmt.count(x.lease().ownerFallbacks())
                        + " fallbacks, " + Fmt.count(x.lease().membershipChanges()) + " membership changes), "
                        + Fmt.sentPerMiss(x.lease()) + " Redis commands"
                : Fmt.sentPerMiss(x.lease()) + " commands";
        return String.format(Locale.ROOT, "**%s** %.2f reads per hot key, spike P99 %s, %s sent per miss%s, %s",
                preset.id(), x.hotKeyReadsPerExpiry(), Fmt.ms(x.spikeP99Ms()), cost,
                !leased ? "" : backstops < 0 ? ", backstops n/a" : ", " + backstops + " backstop"
                        + (backstops == 1 ? "" : "s") + " fired", x.duplicates().brief());
    }
}
