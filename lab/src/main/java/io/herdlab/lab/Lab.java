package io.herdlab.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.herdlab.lab.analysis.ExperimentResult;
import io.herdlab.lab.data.RecordedRun;
import io.herdlab.lab.data.RunData;
import io.herdlab.lab.report.Prose;
import io.herdlab.lab.report.RawData;
import io.herdlab.lab.report.Report;
import io.herdlab.lab.run.ArtilleryRunner;
import io.herdlab.lab.run.Backends;
import io.herdlab.lab.run.ExperimentRun;
import io.herdlab.lab.run.Progress;

/** The whole matrix: the backends once, every experiment in turn, then the report. */
final class Lab {

    private final LabOptions options;
    private final PrintStream out;
    private final Progress progress;

    Lab(LabOptions options, PrintStream out, boolean terminal) {
        this.options = options;
        this.out = out;
        this.progress = new Progress(out, terminal, options.profile().expectedRunSeconds);
    }

    /** Computes every run recorded in {@code options.reportFrom()} again and rewrites its report. */
    static Report rerender(LabOptions options) throws IOException {
        if (!Files.isDirectory(options.reportFrom())) {
            throw new IOException("no report folder " + options.reportFrom());
        }
        List<RunData> runs = new ArrayList<>();
        try (var dirs = Files.list(options.reportFrom())) {
            for (Path d : dirs.filter(d -> Files.isRegularFile(d.resolve("run.json"))).toList()) {
                runs.add(RecordedRun.read(d));
            }
        }
        if (runs.isEmpty()) {
            throw new IOException("no recorded run (a folder with run.json) in " + options.reportFrom());
        }
        runs.sort(Comparator.comparingLong(d -> d.timeline().warmStartMs()));
        List<ExperimentResult> results = runs.stream().map(ExperimentResult::of).toList();
        return Report.write(options.reportFrom(), options, results);
    }

    /** Runs the matrix and writes the report; returns the report's folder. */
    Report run() throws IOException, InterruptedException {
        Path dir = options.reportsDir()
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        out.println("herdlab lab: profile " + options.profile().id() + ", " + options.experiments().size()
                + " experiments (" + Progress.joinIds(options.experiments()) + "), spike of " + options.spikeRequests()
                + " requests");
        out.println("report: " + dir);
        ArtilleryRunner artillery = new ArtilleryRunner(options.artilleryDir());
        artillery.ensureInstalled(progress::message);
        List<ExperimentResult> results = new ArrayList<>();
        // Ctrl-C: take the replicas and Artillery (this process's children) down with the lab
        Thread stopChildren = new Thread(() -> ProcessHandle.current().children().forEach(ProcessHandle::destroy),
                "lab-stop-children");
        Runtime.getRuntime().addShutdownHook(stopChildren);
        try (Backends backends = Backends.start(options, progress::message)) {
            out.println("PostgreSQL " + backends.jdbcUrl() + ", Redis " + backends.redisUrl()
                    + (backends.clusterNodes() == null ? "" : ", Redis Cluster " + backends.clusterNodes()));
            ExperimentRun runner = new ExperimentRun(options, backends, artillery, progress);
            int k = 0;
            for (Experiment experiment : options.experiments()) {
                progress.experiment(++k, options.experiments().size(), experiment);
                ExperimentResult result;
                try {
                    Path recorded = dir.resolve(experiment.id());
                    RunData data = runner.run(experiment, recorded);
                    RawData.write(recorded, data);
                    result = ExperimentResult.of(data);
                    progress.message(Prose.oneLine(result));
                }
                catch (IOException | RuntimeException ex) {
                    result = ExperimentResult.failed(experiment, String.valueOf(ex.getMessage()));
                    progress.message("FAILED: " + ex.getMessage());
                }
                results.add(result);
                // a report after every experiment, so an interrupted matrix still leaves one; a report that
                // fails to render must not stop the experiments (the recorded runs can be rendered again)
                try {
                    Report.write(dir, options, results);
                }
                catch (IOException | RuntimeException ex) {
                    progress.message("could not write the report so far (" + ex.getMessage() + "); the runs are "
                            + "recorded, --report-from=" + dir + " renders them again");
                }
            }
        }
        Runtime.getRuntime().removeShutdownHook(stopChildren);
        Report report = Report.write(dir, options, results);
        out.println();
        out.println("report: " + dir.resolve("report.md") + " and " + dir.resolve("report.html"));
        return report;
    }
}
