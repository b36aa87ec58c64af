package io.herdlab.lab;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * reports/&lt;timestamp&gt;/: report.md (the write-up and the table), report.html (the same with the
 * charts), charts/*.png, and per experiment the raw samples (CSV and JSON), the per-key counts,
 * Artillery's JSON report and console, the client's per-response log and the replicas' logs.
 */
final class Report {

    private final Path dir;
    private final List<ExperimentResult> results;

    private Report(Path dir, List<ExperimentResult> results) {
        this.dir = dir;
        this.results = results;
    }

    boolean allRan() {
        return results.stream().allMatch(ExperimentResult::ok);
    }

    Path dir() {
        return dir;
    }

    static Report write(Path dir, LabOptions options, List<ExperimentResult> results) throws IOException {
        Path charts = Files.createDirectories(dir.resolve("charts"));
        Map<String, List<String>> chartsByExperiment = new LinkedHashMap<>();
        for (ExperimentResult r : results) {
            if (r.ok()) {
                chartsByExperiment.put(r.experiment.id(), experimentCharts(charts, r));
                if (!r.rawWritten) {
                    RawData.write(dir.resolve(r.experiment.id()), r);
                    r.rawWritten = true;
                }
            }
        }
        List<String> comparison = comparisonCharts(charts, results);
        WriteUp writeUp = new WriteUp(options, results);
        String table = table(results);
        String md = markdown(options, writeUp, table, results, chartsByExperiment, comparison);
        Files.writeString(dir.resolve("report.md"), md);
        Files.writeString(dir.resolve("report.html"), Html.render(md));
        Files.writeString(dir.resolve("summary.json"),
                AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(RawData.summaries(results)));
        return new Report(dir, results);
    }

    private static List<String> experimentCharts(Path charts, ExperimentResult r) throws IOException {
        String id = r.experiment.id();
        Map<String, Double> markers = new LinkedHashMap<>();
        markers.put("keys expire", r.t(r.data.expiryMs()));
        if (r.data.spikeStartMs() > 0) {
            markers.put("spike", r.t(r.data.spikeStartMs()));
        }
        List<String> files = new ArrayList<>();
        String name = id + "-cache.png";
        Charts.lines(charts.resolve(name), r.experiment + ": cache hits and misses per second", "look-ups/s",
                r.cache, markers, false);
        files.add(name);
        name = id + "-connections.png";
        Charts.lines(charts.resolve(name), r.experiment + ": pg_stat_activity active connections and pool pending, per replica",
                "connections / waiting acquires", r.connections, markers, false);
        files.add(name);
        name = id + "-latency.png";
        Charts.lines(charts.resolve(name), r.experiment + ": request latency P50 / P95 / P99 per second (all replicas)",
                "ms (log scale)", r.latency, markers, true);
        files.add(name);
        name = id + "-db.png";
        Charts.lines(charts.resolve(name), r.experiment + ": DB queries per second", "queries/s", r.db, markers, false);
        files.add(name);
        name = id + "-duplicates.png";
        Charts.bars(charts.resolve(name), r.experiment + ": DB queries per key, cluster-wide (keys with n queries)",
                "queries for one key", "keys (log scale)", Map.of("keys", r.queriesPerKeyHistogram), true);
        files.add(name);
        return files;
    }

    private static List<String> comparisonCharts(Path charts, List<ExperimentResult> results) throws IOException {
        List<String> files = new ArrayList<>();
        for (String dist : Experiment.DISTRIBUTIONS) {
            List<ExperimentResult> ok = results.stream()
                    .filter(r -> r.ok() && r.experiment.distribution().equals(dist)).toList();
            if (ok.isEmpty()) {
                continue;
            }
            Map<String, Double> markers = Map.of("keys expire", ok.get(0).t(ok.get(0).data.expiryMs()));
            List<ExperimentResult.Series> p99 = new ArrayList<>();
            List<ExperimentResult.Series> dbq = new ArrayList<>();
            Map<String, Map<String, ? extends Number>> perKey = new LinkedHashMap<>();
            for (ExperimentResult r : ok) {
                ExperimentResult.Series s = r.latency.get(2);
                p99.add(new ExperimentResult.Series(r.experiment.preset(), s.t(), s.value()));
                ExperimentResult.Series d = r.db.get(0);
                dbq.add(new ExperimentResult.Series(r.experiment.preset(), d.t(), d.value()));
                perKey.put(r.experiment.preset(), r.queriesPerKeyHistogram);
            }
            String name = "compare-" + dist + "-p99.png";
            Charts.lines(charts.resolve(name), "Server P99 per second, every preset (" + dist + ")", "ms (log scale)",
                    p99, markers, true);
            files.add(name);
            name = "compare-" + dist + "-db.png";
            Charts.lines(charts.resolve(name), "DB queries per second, every preset (" + dist + ")", "queries/s", dbq,
                    markers, false);
            files.add(name);
            name = "compare-" + dist + "-duplicates.png";
            Charts.bars(charts.resolve(name), "Keys by DB queries per key, cluster-wide (" + dist + ")",
                    "queries for one key", "keys (log scale)", perKey, true);
            files.add(name);
        }
        return files;
    }

    static String table(List<ExperimentResult> results) {
        StringBuilder t = new StringBuilder();
        t.append("| experiment | requests | errors | DB queries | DB max in 1 s | queries per key, mean / max "
                + "| cluster duplicates | pg active max | pool acquired peak | pool pending peak (1 replica / sum) "
                + "| hit ratio before → during | P50 / P95 / P99 before | P50 / P95 / P99 during | client P99 during |\n");
        t.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (ExperimentResult r : results) {
            if (!r.ok()) {
                t.append("| ").append(r.experiment).append(" | failed: ")
                        .append(r.failure.lines().findFirst().orElse("").replace("|", "\\|"))
                        .append(" |  |  |  |  |  |  |  |  |  |  |  |  |\n");
                continue;
            }
            t.append("| ").append(r.experiment)
                    .append(" | ").append(r.clientRequests)
                    .append(" | ").append(r.errors)
                    .append(" | ").append(r.dbQueries)
                    .append(" | ").append(r.dbMaxPerSecond)
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f / %d", r.queriesPerKeyMean, r.queriesPerKeyMax))
                    .append(" | ").append(r.clusterDuplicates)
                    .append(" | ").append(r.pgActiveMax)
                    .append(" | ").append(r.poolAcquiredPeak).append("/").append(r.poolMaxSize)
                    .append(" | ").append(r.poolPendingPeak).append(" / ").append(r.poolPendingSumMax)
                    .append(" | ").append(percent(r.hitRatioBefore)).append(" → ").append(percent(r.hitRatioDuring))
                    .append(" | ").append(triple(r.serverBefore))
                    .append(" | ").append(triple(r.serverDuring))
                    .append(" | ").append(ms(r.clientDuring[2]))
                    .append(" |\n");
        }
        return t.toString();
    }

    private static String markdown(LabOptions options, WriteUp writeUp, String table, List<ExperimentResult> results,
            Map<String, List<String>> chartsByExperiment, List<String> comparison) {
        StringBuilder md = new StringBuilder();
        md.append("# herdlab report\n\n");
        md.append(writeUp.setup()).append("\n\n");
        md.append("## Results\n\n").append(table).append('\n');
        md.append(WriteUp.LEGEND).append("\n\n");
        md.append(writeUp.findings()).append('\n');
        if (!comparison.isEmpty()) {
            md.append("## Charts: the presets side by side\n\n");
            for (String c : comparison) {
                md.append("![").append(c).append("](charts/").append(c).append(")\n\n");
            }
        }
        for (ExperimentResult r : results) {
            md.append("## ").append(r.experiment).append("\n\n");
            if (!r.ok()) {
                md.append("Did not run: \n\n```\n").append(r.failure).append("\n```\n\n");
                continue;
            }
            md.append(r.details()).append("\n\n");
            md.append("Raw data: [samples.csv](").append(r.experiment.id()).append("/samples.csv), [latency.csv](")
                    .append(r.experiment.id()).append("/latency.csv), [samples.json](").append(r.experiment.id())
                    .append("/samples.json), [keys.json](").append(r.experiment.id()).append("/keys.json), [artillery.json](")
                    .append(r.experiment.id()).append("/artillery.json), [client.csv](").append(r.experiment.id())
                    .append("/client.csv), replica logs in ").append(r.experiment.id()).append("/.\n\n");
            for (String c : chartsByExperiment.getOrDefault(r.experiment.id(), List.of())) {
                md.append("![").append(c).append("](charts/").append(c).append(")\n\n");
            }
        }
        md.append("---\nGenerated ").append(ZonedDateTime.now().format(DateTimeFormatter.RFC_1123_DATE_TIME))
                .append(" by `").append(writeUp.command()).append("`.\n");
        return md.toString();
    }

    static String percent(double ratio) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
    }

    static String ms(double ms) {
        if (Double.isNaN(ms)) {
            return "–";
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", ms / 1000);
        }
        return String.format(Locale.ROOT, ms >= 100 ? "%.0f ms" : "%.1f ms", ms);
    }

    static String triple(double[] p) {
        return ms(p[0]) + " / " + ms(p[1]) + " / " + ms(p[2]);
    }

    /** Writes a file line by line. */
    static void lines(Path file, Iterable<String> lines) throws IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            lines.forEach(w::println);
        }
    }
}
