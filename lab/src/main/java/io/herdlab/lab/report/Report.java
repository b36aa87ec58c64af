package io.herdlab.lab.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.herdlab.lab.Experiment;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.analysis.BurstCheck;
import io.herdlab.lab.analysis.ClusterComparison;
import io.herdlab.lab.analysis.Deferral;
import io.herdlab.lab.analysis.Duplicates;
import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.analysis.KeyLoad;
import io.herdlab.lab.analysis.Latencies;
import io.herdlab.lab.analysis.LeaseCost;
import io.herdlab.lab.analysis.Scaling;
import io.herdlab.lab.analysis.ServerLoad;
import io.herdlab.lab.analysis.Traffic;
import io.herdlab.lab.data.AdminClient;
import io.herdlab.lab.data.Prometheus;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.data.WakeUp;

/**
 * reports/&lt;timestamp&gt;/: report.md (the write-up and the tables), report.html (the same with
 * the charts), charts/*.png, summary.json, and per experiment its recorded data (see
 * {@link RecordedRun}), samples.csv, latency.csv and the replicas' logs. It only renders: every
 * figure is a field of an {@link ExperimentResult}.
 */
public final class Report {

    static final String SCALING_LEGEND = "Hot keys: Zipf ids 1–10. Redis commands sent per miss: every command the "
            + "replicas sent to Redis between the reset after the aligned warm and the end (`" + Prometheus.REDIS_COMMANDS
            + "`, counted where sent, so a script is one command), less one read per look-up answered from the cache, "
            + "over the cache misses; n/a where the replicas did not count them. Redis-side commands per miss: every "
            + "command Redis served in the same interval (INFO commandstats), the commands run inside scripts "
            + "included, over the misses. Backstops fired: follower waits that ran out without a notice and asked "
            + "Redis again (`" + Prometheus.LEASE + "{outcome=\"backstop\"}`). Forwards per miss (owner routing's "
            + "coordination cost): misses forwarded to the key's owner replica, answered (`" + Prometheus.OWNER_FORWARDS
            + "`) or fallen back to a local load after the forward's bound (`" + Prometheus.OWNER_FALLBACKS + "`), over "
            + "the misses; – for the other designs. Wake-up: `" + WakeUp.METRIC
            + "`, the followers' wait for the leader's value.";
    static final String DUPLICATES_LEGEND = "A key loaded n times cluster-wide has n − 1 duplicates. Under a lease each "
            + "is explained by one of the key's lease events (`/actuator/herd/lease-events`, every replica), each event "
            + "explaining at most one, in the order of the columns: lost or fenced, refused, released, direct, then "
            + "backstop or takeover; what no event explains is unexplained, and its keys are named. Without a lease "
            + "(none, local) duplicates across replicas are the design.";
    static final String OUTCOMES_LEGEND = "`" + Prometheus.LEASE + "` between the reset after the aligned warm and the "
            + "end, summed over replicas and modes; n/a where the run did not record them.";

    static final String CLUSTER_LEGEND = "The same presets with jitter off on Zipf ids, on one Redis node and on a Redis "
            + "Cluster (3 masters, each with a replica); hot keys: Zipf ids 1–10. Redis-side commands per shard: what each "
            + "master served between the reset after the aligned warm and the end (INFO commandstats on every master, "
            + "the commands run inside scripts included; the lab's own INFO, SCAN and CLUSTER SLOTS left out). The hot "
            + "key's shard: the master of Zipf id 1's slot. Busiest shard ÷ even share: 1 is an even spread, the number "
            + "of masters all on one.";

    private final Path dir;
    private final List<ExperimentResult> results;

    private Report(Path dir, List<ExperimentResult> results) {
        this.dir = dir;
        this.results = results;
    }

    public boolean allRan() {
        return results.stream().allMatch(ExperimentResult::ok);
    }

    public Path dir() {
        return dir;
    }

    public static Report write(Path dir, LabOptions options, List<ExperimentResult> results) throws IOException {
        Path charts = Files.createDirectories(dir.resolve("charts"));
        Map<String, List<String>> chartsByExperiment = new LinkedHashMap<>();
        for (ExperimentResult r : results) {
            if (r.ok()) {
                chartsByExperiment.put(r.experiment().id(), ReportCharts.experiment(charts, r));
            }
        }
        List<String> comparison = ReportCharts.comparison(charts, results);
        Scaling scaling = Scaling.of(results);
        List<String> scalingCharts = scaling.isEmpty() ? List.of() : ReportCharts.scaling(charts, scaling);
        WriteUp writeUp = new WriteUp(options, results);
        StringBuilder md = new StringBuilder("# herdlab report\n\n");
        md.append(writeUp.setup()).append("\n\n");
        md.append("## Results\n\n").append(Table.results(results)).append('\n').append(WriteUp.LEGEND).append("\n\n");
        md.append(writeUp.findings());
        if (!scaling.isEmpty()) {
            md.append("## Single-flight or lease: the answer as a curve over replicas\n\n")
                    .append(ScalingAnswer.paragraph(scaling)).append("\n\n").append(Table.scaling(scaling)).append('\n')
                    .append(SCALING_LEGEND).append("\n\n")
                    .append("### Every duplicate load, explained\n\n")
                    .append(Table.duplicates(Table.scalingRows(scaling, Scaling.Point::duplicates))).append('\n')
                    .append(DUPLICATES_LEGEND).append("\n\n")
                    .append("### Lease outcomes\n\n")
                    .append(Table.outcomes(Table.scalingRows(scaling, Scaling.Point::lease))).append('\n')
                    .append(OUTCOMES_LEGEND).append("\n\n");
            images(md, scalingCharts);
        }
        ClusterComparison cluster = ClusterComparison.of(results);
        if (!cluster.isEmpty()) {
            md.append("## One Redis node or a Redis Cluster\n\n")
                    .append(ClusterAnswer.paragraph(cluster)).append("\n\n").append(Table.cluster(cluster)).append('\n')
                    .append(CLUSTER_LEGEND).append("\n\n");
        }
        if (!comparison.isEmpty()) {
            md.append("## Charts: the presets side by side\n\n");
            images(md, comparison);
        }
        for (ExperimentResult r : results) {
            md.append("## ").append(r.experiment()).append("\n\n");
            if (!r.ok()) {
                md.append("Did not run: \n\n```\n").append(r.failure()).append("\n```\n\n");
                continue;
            }
            String id = r.experiment().id();
            md.append(Prose.details(r)).append("\n\n");
            if (r.data().leased() && r.lease().outcomes() == null) {
                md.append("Lease outcomes (").append(r.data().coalescer()).append("): n/a, this run did not record "
                        + "them.\n\n");
            }
            else if (r.data().leased()) {
                md.append("Lease outcomes (").append(r.data().coalescer()).append("):\n\n")
                        .append(Table.outcomes(Map.of(r.experiment().toString(), r.lease()))).append('\n');
            }
            md.append("Duplicate loads, explained:\n\n")
                    .append(Table.duplicates(Map.of(r.experiment().toString(), r.duplicates()))).append('\n');
            md.append("Recorded data in [").append(id).append("/](").append(id).append("/): run.json, samples.json, "
                    + "keys.json, ").append(r.data().leaseEvents() == null ? "" : RecordedRun.LEASE_EVENTS + ", ")
                    .append("artillery.json, client.csv, spike.csv; tables samples.csv and latency.csv; replica "
                            + "logs.\n\n");
            images(md, chartsByExperiment.getOrDefault(id, List.of()));
        }
        md.append("---\nGenerated ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                .append(" by `").append(command(options, results.stream().map(ExperimentResult::experiment).toList()))
                .append("`.\n");
        Files.writeString(dir.resolve("report.md"), md);
        Files.writeString(dir.resolve("report.html"), Html.render(md.toString()));
        AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("summary.json").toFile(),
                results.stream().map(Summary::of).toList());
        return new Report(dir, results);
    }

    private static void images(StringBuilder md, List<String> files) {
        files.forEach(c -> md.append("![").append(c).append("](charts/").append(c).append(")\n\n"));
    }

    /** The command line that reproduces a report of these experiments. */
    static String command(LabOptions options, List<Experiment> experiments) {
        StringBuilder c = new StringBuilder("java -jar ").append(LabOptions.LAB_JAR).append(" --jar=")
                .append(LabOptions.SERVICE_JAR).append(" --profile=").append(options.profile().id());
        c.append(" --experiments=").append(String.join(",", experiments.stream()
                .map(e -> e.scaling() ? "scaling" : e.clusterSet() ? "cluster" : e.preset().id()).distinct().toList()));
        if (experiments.stream().anyMatch(Experiment::inMatrix)) {
            c.append(" --dist=").append(String.join(",", experiments.stream().filter(Experiment::inMatrix)
                    .map(Experiment::distribution).distinct().toList()));
        }
        c.append(" --replicas=").append(experiments.stream().filter(e -> !e.scaling()).mapToInt(Experiment::replicas)
                .findFirst().orElse(options.replicas()));
        if (experiments.stream().anyMatch(Experiment::scaling)) {
            c.append(" --scaling-replicas=").append(String.join(",", experiments.stream()
                    .filter(Experiment::scaling).map(e -> Integer.toString(e.replicas())).distinct().toList()));
        }
        c.append(" --spike=").append(options.spikeRequests());
        if (options.queryDelay() != null) {
            c.append(" --query-delay=").append(options.queryDelay());
        }
        if (!options.replicaArgs().isEmpty()) {
            c.append(" --replica-args=").append(String.join(",", options.replicaArgs()));
        }
        if (options.redisCluster() != null && experiments.stream().anyMatch(e -> e.redisCluster() && !e.clusterSet())) {
            c.append(" --redis-cluster=").append(options.redisCluster());
        }
        if (!options.spread().equals("connection")) {
            c.append(" --spread=").append(options.spread());
        }
        return c.toString();
    }

    /** Writes a file line by line. */
    static void lines(Path file, Iterable<String> lines) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            lines.forEach(w::println);
        }
    }

    /** One row of summary.json: the experiment's figures without its raw data. */
    record Summary(String experiment, String preset, String distribution, int replicas, boolean scaling,
            boolean redisCluster, boolean ok,
            String failure, boolean spikeIsBurst, Traffic traffic, BurstCheck burst, Latencies latency,
            ServerLoad server, KeyLoad keys, Deferral deferral, LeaseCost lease, Duplicates duplicates) {

        static Summary of(ExperimentResult r) {
            Experiment e = r.experiment();
            return new Summary(e.id(), e.preset().id(), e.distribution(), e.replicas(), e.scaling(), e.redisCluster(),
                    r.ok(), r.failure(),
                    r.ok() && r.burst().isBurst(), r.traffic(), r.burst(), r.latency(), r.server(), r.keys(),
                    r.deferral(), r.lease(), r.duplicates());
        }
    }
}
