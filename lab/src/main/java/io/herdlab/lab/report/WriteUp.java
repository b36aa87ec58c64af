package io.herdlab.lab.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.herdlab.contract.Preset;
import io.herdlab.lab.Experiment;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.analysis.Deferral;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.Scaling;

/**
 * The report's prose across experiments: the setup, what the baseline did and why, what each
 * preset changed, what jitter deferred, and the scaling answer. Every number comes from the
 * results; a spike that was not a burst is said so and left out of comparisons.
 */
final class WriteUp {

    static final String LEGEND = """
            *Columns.* Spike on the wire: requests the spike stage wrote / planned, within how long of the first \
            (P99 of the send offsets); a burst means all sent, P99 ≤ 1 s, on time. Requests and errors: Artillery's \
            (warm, tail) and the spike's. DB queries: user loads the replicas started (counted when queued for a \
            connection); DB peak /s: user look-ups PostgreSQL executed (index scans of users) between two 1-s polls. \
            Queries per key: summed over the replicas from `/actuator/herd/keys`; cluster duplicates = Σ(queries − 1) \
            per key. pg active: the replicas' connections in state `active` in pg_stat_activity (1-s poll). Pool \
            peaks: R2DBC acquired / pending sampled every 10 ms inside each replica (highest replica), and pending \
            summed over replicas at the 1-s poll. Warm = t = 2 s to the expiry; spike = from the spike's second to \
            the second its last response ended. Server P50/P95/P99: all replicas' histograms merged; client P99: \
            the spike's own requests, from write to the end of the response.""";

    private static final Map<Preset, String> HOW = Map.of(
            Preset.JITTER, "adds a uniform random 0–10 min to every TTL, the warm included, so the keys no longer "
                    + "expire in the same second",
            Preset.LOCAL, "adds, to jitter, single-flight inside each replica: one load per key per replica",
            Preset.REDISSON, "adds, to jitter, a Redisson lock per key as a cluster-wide lease: one load per key",
            Preset.LUA, "adds, to jitter, a Lua lease on Redis (SET NX PX + fenced fill + pub/sub): one load per key",
            Preset.TIERED, "adds, to jitter, single-flight inside each replica in front of the Lua lease: one lease "
                    + "request per key per replica, one load per key",
            Preset.FULL, "combines jitter, local single-flight in front of the Lua lease, stale-while-revalidate, a "
                    + "negative cache and a circuit breaker",
            Preset.OWNER, "adds, to jitter, owner routing: each key is loaded by its owner replica (rendezvous hashing "
                    + "over the members), the others forward their miss to it: one load per key, no Redis lock");

    private final LabOptions options;
    private final List<ExperimentResult> results;

    WriteUp(LabOptions options, List<ExperimentResult> results) {
        this.options = options;
        this.results = results;
    }

    String setup() {
        return String.format(Locale.ROOT, """
                Profile **%s**: %d users seeded in PostgreSQL and warmed in Redis to expire together one second \
                before Artillery's warm phase ends (`artillery/scenarios/herd.yml`, environment `%s`: warm, then \
                tail, at a low rate); when the warm phase ends, the spike stage (`artillery/spike.mjs`) writes %d \
                GETs at once on connections it opened beforehand, one per request, each to a random replica as \
                kube-proxy picks one per connection. The replicas run as separate JVMs on one PostgreSQL and one \
                Redis, each with an R2DBC pool and a simulated query cost (pg_sleep inside the SELECT, so the \
                connection is held). Zipf exponent for hot keys: %.2f. Everything shares one machine with %d \
                cores: the figures are this machine's; compare presets within one report.""",
                options.profile().id(), options.users(), options.profile().artilleryEnvironment,
                options.spikeRequests(), options.zipfExponent(), Runtime.getRuntime().availableProcessors())
                + (options.replicaArgs().isEmpty() ? "" : " Replica overrides: `" + String.join(" ", options.replicaArgs())
                        + "`.");
    }

    String findings() {
        StringBuilder f = new StringBuilder("## What happened\n\n");
        if (Experiment.DISTRIBUTIONS.stream().noneMatch(dist -> find(Preset.BASELINE, dist).isPresent())) {
            f.append(withoutBaseline()).append("\n\n");
        }
        for (String dist : Experiment.DISTRIBUTIONS) {
            Optional<ExperimentResult> baseline = find(Preset.BASELINE, dist);
            if (baseline.isEmpty()) {
                continue;
            }
            f.append("### Baseline (").append(dist).append(")\n\n").append(baselineStory(baseline.get())).append("\n\n");
            List<ExperimentResult> others = matrix().filter(r -> r.experiment().distribution().equals(dist)
                    && r.experiment().preset() != Preset.BASELINE).toList();
            if (!others.isEmpty()) {
                f.append("### What each fix changed (").append(dist).append(")\n\n");
                others.forEach(r -> f.append("- ").append(fixStory(baseline.get(), r)).append('\n'));
                f.append('\n');
            }
        }
        List<ExperimentResult> jittered = matrix().filter(r -> r.deferral().jittered()).toList();
        if (!jittered.isEmpty()) {
            f.append("## Jitter defers the reloads, it does not remove them\n\n").append(Table.deferral(jittered))
                    .append('\n').append(jitterStory(jittered)).append("\n\n");
        }
        return f.toString();
    }

    /** "What happened" when no baseline ran to compare with: each experiment, or the scaling set, in brief. */
    private String withoutBaseline() {
        List<ExperimentResult> matrix = matrix().toList();
        Scaling scaling = Scaling.of(results);
        StringBuilder w = new StringBuilder();
        if (!matrix.isEmpty()) {
            w.append("No baseline ran, so there is nothing to measure the fixes against; each experiment in brief:\n\n");
            matrix.forEach(r -> w.append("- **").append(r.experiment()).append("**: ")
                    .append(Prose.oneLine(r).replaceFirst("^done: ", "")).append("; ")
                    .append(r.duplicates().brief()).append('\n'));
        }
        if (!scaling.isEmpty()) {
            w.append(matrix.isEmpty() ? "Only the scaling set ran" : "\nThe scaling set ran as well")
                    .append(": the coalescers with jitter off on Zipf ids, so every key expired in one instant and only "
                            + "the coalescer decided how many loads reached PostgreSQL. Per coalescer, from the fewest "
                            + "replicas to the most:\n\n");
            scaling.curves().forEach((preset, points) -> w.append("- ").append(scalingStory(preset, points))
                    .append('\n'));
            w.append("\nThe answer, the tables and the curves follow.");
        }
        if (w.isEmpty()) {
            w.append("No experiment ran to the end: the table above says why.");
        }
        return w.toString().stripTrailing();
    }

    /** One coalescer's curve in a line: its first and last point (one point when it ran at one count). */
    private static String scalingStory(Preset preset, List<Scaling.Point> points) {
        Scaling.Point a = points.get(0);
        Scaling.Point b = points.get(points.size() - 1);
        boolean one = points.size() == 1;
        return String.format(Locale.ROOT, "**%s** (%s replica%s): DB reads per hot key per expiry %s, cluster "
                + "duplicates %s, spike P99 %s, Redis commands sent per miss %s; at %d replica%s, %s.", preset.id(),
                one ? a.replicas() : a.replicas() + " → " + b.replicas(), b.replicas() == 1 ? "" : "s",
                span(one, Fmt.ratio(a.hotKeyReadsPerExpiry()), Fmt.ratio(b.hotKeyReadsPerExpiry())),
                span(one, Long.toString(a.clusterDuplicates()), Long.toString(b.clusterDuplicates())),
                span(one, Fmt.ms(a.spikeP99Ms()), Fmt.ms(b.spikeP99Ms())),
                span(one, Fmt.sentPerMiss(a.lease()), Fmt.sentPerMiss(b.lease())), b.replicas(),
                b.replicas() == 1 ? "" : "s", b.duplicates().brief());
    }

    private static String span(boolean one, String first, String last) {
        return one ? first : first + " → " + last;
    }

    private Stream<ExperimentResult> matrix() {
        return results.stream().filter(r -> r.ok() && r.experiment().inMatrix());
    }

    private String baselineStory(ExperimentResult b) {
        if (!b.burst().isBurst()) {
            return "The spike did not arrive as a burst (" + b.burst().why() + "), so this run shows no herd; "
                    + "run it again on a quieter machine. Its figures are in the table, not compared here.";
        }
        int replicas = b.experiment().replicas();
        long delay = Math.max(1, b.data().settings().queryDelayMs());
        long capacity = (long) b.server().poolMaxSize() * replicas * 1000 / delay;
        return String.format(Locale.ROOT, """
                Every key expired in the same instant, and one second later %d requests were on the wire within %s. \
                The cache was empty: the hit ratio went from %s in the warm phase to %s after the expiry. Each miss \
                went to PostgreSQL on its own — nothing coordinates the replicas or even two requests in one — so \
                the replicas started %d loads for %d distinct keys (%d cluster-wide duplicates); PostgreSQL executed up \
                to %d a second. \
                %d replicas × %d connections, each held %d ms per query, drain at most %d misses a second, so %d \
                distinct misses need at least %.1f s: the pools saturated (acquired peak %d of %d), up to %d requests \
                waited for a connection in one replica, and the queue became latency — server P99 %s during the \
                spike against %s warm (%.0f×), the spike's own requests P99 %s client-side (max %s)%s.""",
                b.burst().sent(), Fmt.ms(b.burst().spreadMaxMs()), Fmt.percent(b.server().hitRatioWarm()),
                Fmt.percent(b.server().hitRatioAfterExpiry()), b.server().dbQueries(), b.keys().keysQueried(),
                b.keys().clusterDuplicates(), b.server().dbPeakPerSecond(), replicas, b.server().poolMaxSize(), delay,
                capacity, b.keys().keysQueried(), (double) b.keys().keysQueried() / Math.max(1, capacity),
                b.server().poolAcquiredPeak(), b.server().poolMaxSize(), b.server().poolPendingPeak(),
                Fmt.ms(b.latency().spikeP99()), Fmt.ms(b.latency().serverWarm()[2]), b.latency().spikeOverWarm(),
                Fmt.ms(b.latency().clientSpike()[2]), Fmt.ms(b.latency().clientSpikeMaxMs()),
                b.traffic().errors() == 0 ? ", with no errors" : ", with " + b.traffic().errors() + " errors "
                        + b.traffic().errorKinds());
    }

    private static String fixStory(ExperimentResult b, ExperimentResult r) {
        String flag = r.burst().isBurst() && b.burst().isBurst() ? "" : " (a spike was not a burst: not comparable)";
        return String.format(Locale.ROOT, """
                **%s** %s%s. DB queries %d → %d, peak %d → %d /s, queries per key max %d → %d, pool pending peak \
                %d → %d; hit ratio after the expiry %s → %s; server P99 during the spike %s → %s; errors %d → %d.%s""",
                r.experiment().preset().id(), HOW.getOrDefault(r.experiment().preset(), ""), flag, b.server().dbQueries(),
                r.server().dbQueries(), b.server().dbPeakPerSecond(), r.server().dbPeakPerSecond(), b.keys().maxPerKey(),
                r.keys().maxPerKey(), b.server().poolPendingPeak(), r.server().poolPendingPeak(),
                Fmt.percent(b.server().hitRatioAfterExpiry()), Fmt.percent(r.server().hitRatioAfterExpiry()),
                Fmt.ms(b.latency().spikeP99()), Fmt.ms(r.latency().spikeP99()), b.traffic().errors(),
                r.traffic().errors(), r.deferral().jittered() ? String.format(Locale.ROOT, " Of the %d keys, %d were "
                        + "deferred past the run (see below).", r.deferral().keysWarmed(), r.deferral().deferred()) : "");
    }

    private static String jitterStory(List<ExperimentResult> jittered) {
        ExperimentResult r = jittered.get(0);
        Deferral d = r.deferral();
        return String.format(Locale.ROOT, """
                With a jitter window of %s, each key's expiry lands at a uniform random point of the window after \
                the aligned instant. In **%s** the run ended at t = %.0f s, %s the window closes at t = %.0f s: \
                %d keys were reloaded during the run and %d (%s) still held their warm value at the end — their \
                reloads were deferred past the run, not removed. Once every key is in demand they arrive at about \
                %.1f a second (keys / window) for the whole window, against a pool that drains %d a second; what \
                jitter removes is the synchronized peak (DB peak %d /s here), not the work.%s""",
                Fmt.ms(d.jitterMaxMs()), r.experiment(), d.runEndT(), d.runEndedFirst() ? "before" : "after",
                d.windowEndT(), d.reloaded(), d.deferred(), Fmt.percent(d.deferredShare()), d.projectedReloadsPerSecond(),
                (long) r.server().poolMaxSize() * r.experiment().replicas() * 1000
                        / Math.max(1, r.data().settings().queryDelayMs()), r.server().dbPeakPerSecond(),
                d.runEndedFirst() ? " The run ended first: this lab does not watch the whole window." : "")
                + " (Deferred counts keys still in Redis that were never reloaded; a preset with stale-while-revalidate "
                + "keeps an expired key there for its stale window, so its figure includes keys that expired unrequested.)";
    }

    private Optional<ExperimentResult> find(Preset preset, String dist) {
        return matrix().filter(r -> r.experiment().preset() == preset && r.experiment().distribution().equals(dist))
                .findFirst();
    }
}
