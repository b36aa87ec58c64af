package io.herdlab.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The report's prose, written from the measurements: what the baseline did and why, what each
 * preset changed against it, and what to recommend. Every number in it comes from the table.
 */
final class WriteUp {

    static final String LEGEND = """
            *Columns.* Requests and errors as Artillery counted them (timeouts, resets, non-2xx). DB queries: user \
            SELECTs all replicas sent; max in 1 s from the once-a-second poll. Queries per key: summed over the \
            replicas from `/actuator/herd/keys`, over the keys queried at all; cluster duplicates = Σ(queries − 1) \
            per key. pg active: connections of the replicas' application_names in state `active` in \
            pg_stat_activity (polled once a second). Pool peaks: R2DBC pool acquired / pending, sampled every 10 ms \
            inside each replica (highest replica), and pending summed over replicas at the 1-s poll. Before = the \
            warm phase from t = 2 s to the expiry; during = from the expiry to the end (spike and tail). \
            P50/P95/P99 are server-side (all replicas' histograms merged); client P99 is Artillery's view, \
            including connection set-up and the client's own queueing.""";

    private static final Map<String, String> HOW = Map.of(
            "jitter", "adds a uniform random 0–10 min to every TTL, the warm included, so the keys no longer expire in "
                    + "the same second",
            "local", "adds, to jitter, single-flight inside each replica: one load per key per replica, the other "
                    + "requests wait for it",
            "redisson", "adds, to jitter, a Redisson lock per key as a cluster-wide lease: one load per key in the "
                    + "cluster, waiters read the filled value",
            "lua", "adds, to jitter, a Lua lease on Redis (SET NX PX + fenced fill + pub/sub): one load per key in "
                    + "the cluster",
            "full", "combines jitter, local single-flight in front of the Lua lease, stale-while-revalidate, a "
                    + "negative cache and a circuit breaker");

    private final LabOptions options;
    private final List<ExperimentResult> results;

    WriteUp(LabOptions options, List<ExperimentResult> results) {
        this.options = options;
        this.results = results;
    }

    String command() {
        StringBuilder c = new StringBuilder("java -jar target/herdlab.jar lab --profile=")
                .append(options.profile().id());
        c.append(" --experiments=").append(String.join(",",
                options.experiments().stream().map(Experiment::preset).distinct().toList()));
        c.append(" --dist=").append(String.join(",",
                options.experiments().stream().map(Experiment::distribution).distinct().toList()));
        c.append(" --replicas=").append(options.replicas());
        if (options.queryDelay() != null) {
            c.append(" --query-delay=").append(options.queryDelay());
        }
        if (!options.replicaArgs().isEmpty()) {
            c.append(" --replica-args=").append(String.join(",", options.replicaArgs()));
        }
        if (!options.spread().equals("connection")) {
            c.append(" --spread=").append(options.spread());
        }
        return c.toString();
    }

    String setup() {
        return String.format(Locale.ROOT, """
                Profile **%s**: %d users seeded in PostgreSQL and warmed in Redis to expire together one second \
                before Artillery's warm phase ends; then Artillery's spike phase (`artillery/scenarios/herd.yml`%s). \
                %d replicas as separate JVMs share one PostgreSQL and one Redis; Artillery spreads its virtual users \
                over them at random per %s, as a Kubernetes Service does. Each replica has an R2DBC pool of 10 and a \
                simulated query cost of %s (pg_sleep inside the SELECT, so the connection is held). Zipf exponent \
                for the hot-key runs: %.2f. Everything (replicas, PostgreSQL, Redis, Artillery, this lab) shares one \
                machine with %d cores, so the client and the servers compete for CPU: the figures are this machine's, \
                and the comparison between presets is the point, not the absolute numbers.""",
                options.profile().id(), options.users(),
                options.profile().artilleryEnvironment.isEmpty() ? "" : ", environment `" + options.profile().artilleryEnvironment + "`",
                options.replicas(), options.spread(), options.queryDelay() == null ? "50ms" : options.queryDelay(),
                options.zipfExponent(), Runtime.getRuntime().availableProcessors())
                + (options.replicaArgs().isEmpty() ? "" : " Replica overrides: `" + String.join(" ", options.replicaArgs())
                        + "`.");
    }

    String findings() {
        StringBuilder f = new StringBuilder("## What happened\n\n");
        for (String dist : Experiment.DISTRIBUTIONS) {
            Optional<ExperimentResult> baseline = find("baseline", dist);
            if (baseline.isEmpty()) {
                continue;
            }
            f.append("### Baseline (").append(dist).append(")\n\n").append(baselineStory(baseline.get())).append("\n\n");
            List<ExperimentResult> others = results.stream()
                    .filter(r -> r.ok() && r.experiment.distribution().equals(dist)
                            && !r.experiment.preset().equals("baseline"))
                    .toList();
            if (!others.isEmpty()) {
                f.append("### What each fix changed (").append(dist).append(")\n\n");
                for (ExperimentResult r : others) {
                    f.append("- ").append(fixStory(baseline.get(), r)).append('\n');
                }
                f.append('\n');
            }
        }
        f.append("### Recommendations\n\n").append(recommendations()).append('\n');
        return f.toString();
    }

    private String baselineStory(ExperimentResult b) {
        boolean saturated = b.poolAcquiredPeak >= b.poolMaxSize && b.poolMaxSize > 0;
        return String.format(Locale.ROOT, """
                Every key expired in the same instant (absolute expiry, no jitter), so the spike found an empty \
                cache: the hit ratio went from %s before to %s during. Each miss went to PostgreSQL on its own — \
                nothing coordinates the replicas or even two requests in one replica — so the replicas sent %d \
                SELECTs, up to %d in one second, for %d distinct keys (mean %.2f queries per key, max %d; %d \
                duplicates cluster-wide). The pools %s (acquired peak %d of %d) and up to %d requests in one \
                replica waited for a connection; pg_stat_activity showed up to %d active connections. With at most \
                %d connections, each held %d ms per query, the cluster drains at most %d misses a second (the \
                shared CPU made it %d at best), so the queue became latency: server P99 went from %s before the \
                expiry to %s during (P95 %s), and Artillery saw P99 %s (max %s)%s.""",
                Report.percent(b.hitRatioBefore), Report.percent(b.hitRatioDuring), b.dbQueries, b.dbMaxPerSecond,
                b.keysQueried, b.queriesPerKeyMean, b.queriesPerKeyMax, b.clusterDuplicates,
                saturated ? "saturated" : "did not saturate", b.poolAcquiredPeak, b.poolMaxSize, b.poolPendingPeak,
                b.pgActiveMax, b.poolMaxSize * options.replicas(), queryDelayMs(),
                b.poolMaxSize * options.replicas() * 1000L / Math.max(1, queryDelayMs()), b.dbMaxPerSecond,
                Report.ms(b.serverBefore[2]),
                Report.ms(b.serverDuring[2]), Report.ms(b.serverDuring[1]), Report.ms(b.clientDuring[2]),
                Report.ms(b.clientMaxMs), b.errors == 0 ? ", with no errors" : ", with " + b.errors + " errors " + b.errorKinds);
    }

    /** The replicas' simulated query cost in ms: the service's 50 ms unless --query-delay says otherwise. */
    private long queryDelayMs() {
        String d = options.queryDelay();
        if (d == null) {
            return 50;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s)?").matcher(d.trim());
        if (!m.matches()) {
            return 50;
        }
        long n = Long.parseLong(m.group(1));
        return "s".equals(m.group(2)) ? n * 1000 : n;
    }

    private static String fixStory(ExperimentResult b, ExperimentResult r) {
        return String.format(Locale.ROOT, """
                **%s** %s. DB queries %d → %d (%s), max in 1 s %d → %d, queries per key max %d → %d, pool pending \
                peak %d → %d, pg active max %d → %d; hit ratio during %s → %s; server P99 during %s → %s, client \
                P99 during %s → %s; errors %d → %d.""",
                r.experiment.preset(), HOW.getOrDefault(r.experiment.preset(), ""), b.dbQueries, r.dbQueries,
                change(b.dbQueries, r.dbQueries), b.dbMaxPerSecond, r.dbMaxPerSecond, b.queriesPerKeyMax,
                r.queriesPerKeyMax, b.poolPendingPeak, r.poolPendingPeak, b.pgActiveMax, r.pgActiveMax,
                Report.percent(b.hitRatioDuring), Report.percent(r.hitRatioDuring), Report.ms(b.serverDuring[2]),
                Report.ms(r.serverDuring[2]), Report.ms(b.clientDuring[2]), Report.ms(r.clientDuring[2]), b.errors,
                r.errors);
    }

    private static String change(long from, long to) {
        if (from == 0) {
            return "no baseline queries";
        }
        return String.format(Locale.ROOT, "%+.0f%%", 100.0 * (to - from) / from);
    }

    private String recommendations() {
        List<String> lines = new ArrayList<>();
        for (String dist : Experiment.DISTRIBUTIONS) {
            List<ExperimentResult> ok = results.stream()
                    .filter(r -> r.ok() && r.experiment.distribution().equals(dist) && !Double.isNaN(r.serverDuring[2]))
                    .toList();
            if (ok.size() < 2) {
                continue;
            }
            ExperimentResult best = ok.stream().min(Comparator.comparingDouble(r -> r.serverDuring[2])).get();
            ExperimentResult fewest = ok.stream().min(Comparator.comparingLong(r -> r.dbQueries)).get();
            lines.add(String.format(Locale.ROOT,
                    "- %s keys: the lowest spike P99 was **%s** (%s); the fewest DB queries **%s** (%d).", dist,
                    best.experiment.preset(), Report.ms(best.serverDuring[2]), fewest.experiment.preset(),
                    fewest.dbQueries));
        }
        find("local", "zipf").ifPresent(local -> find("lua", "zipf").ifPresent(lua -> lines.add(
                local.queriesPerKeyMax > lua.queriesPerKeyMax
                        ? String.format(Locale.ROOT, "- Hot keys across %d replicas: in-process single-flight still "
                                + "let every replica load a key (max %d queries for one key), the Redis lease let one "
                                + "(max %d): coalesce at cluster scope when replicas are many or the key is costly.",
                                options.replicas(), local.queriesPerKeyMax, lua.queriesPerKeyMax)
                        : String.format(Locale.ROOT, "- Hot keys: local single-flight and the Lua lease both kept "
                                + "every key to at most %d queries in this run, so it does not separate them; with "
                                + "jitter on, few keys expire at once. Run them with `--replica-args=--herd.mitigation."
                                + "jitter-max=0s` to compare the coalescers alone.",
                                Math.max(local.queriesPerKeyMax, lua.queriesPerKeyMax)))));
        lines.add("- Never let a whole key space expire together: jitter every TTL (and the initial warm) over a "
                + "window long compared with the refill time; it is one line and removes the synchronized herd.");
        lines.add("- Put a coalescer in front of the loader for the keys that stay hot (single-flight in-process, "
                + "a lease when several replicas share the database), with a bounded follower wait that fails fast.");
        lines.add("- Serve stale while one request revalidates, and keep the DB pool small with a bounded acquire "
                + "wait and a breaker, so an overload turns into quick errors instead of a queue of seconds.");
        return String.join("\n", lines) + "\n";
    }

    private Optional<ExperimentResult> find(String preset, String dist) {
        return results.stream()
                .filter(r -> r.ok() && r.experiment.preset().equals(preset) && r.experiment.distribution().equals(dist))
                .findFirst();
    }
}
