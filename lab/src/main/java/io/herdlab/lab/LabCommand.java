package io.herdlab.lab;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import io.herdlab.lab.harness.BenchTable;
import io.herdlab.lab.harness.ColdBurst;
import io.herdlab.lab.harness.HarnessOptions;
import io.herdlab.lab.harness.HitTargets;
import io.herdlab.lab.report.Report;

/**
 * {@code java -jar lab/target/herdlab-lab.jar [--name=value ...]}: the local multi-replica lab. A plain
 * Java program (no Spring context of its own): it starts PostgreSQL and Redis, the replicas as
 * separate JVMs, and Artillery, samples once a second and writes reports/&lt;timestamp&gt;/.
 * {@code … burst|serve|bench-table [--name=value ...]}: the burst harness make bench and
 * scripts/hot-key-burst.sh run, on the same replica processes.
 */
public final class LabCommand {

    /** The burst harness's commands (make bench, scripts/hot-key-burst.sh): see {@link HarnessOptions#USAGE}. */
    private static final List<String> HARNESS = List.of("burst", "serve", "bench-table");

    private LabCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the lab; 0 when every experiment ran, 1 when one failed, 2 on a bad command line. */
    public static int run(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintStream out = System.out;
        if (args.length > 0 && HARNESS.contains(args[0])) {
            return harness(args[0], Arrays.copyOfRange(args, 1, args.length), out);
        }
        LabOptions options;
        try {
            options = LabOptions.parse(args);
        }
        catch (IllegalArgumentException ex) {
            if (ex.getMessage() != null) {
                System.err.println("lab: " + ex.getMessage());
            }
            System.err.print(LabOptions.USAGE);
            return ex.getMessage() == null ? 0 : 2;
        }
        try {
            if (options.reportFrom() != null) {
                Report report = Lab.rerender(options);
                out.println("report: " + report.dir().resolve("report.md"));
                return 0;
            }
            Report report = new Lab(options, out, System.console() != null).run();
            return report.allRan() ? 0 : 1;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            System.err.println("lab: interrupted");
            return 1;
        }
        catch (Exception ex) {
            System.err.println("lab: " + ex.getMessage());
            return 1;
        }
    }

    /** One of the burst harness's commands; 0 when it did its work, 1 when it failed, 2 on a bad command line. */
    private static int harness(String command, String[] args, PrintStream out) {
        try {
            LabOptions.Option options = LabOptions.Option.parse(args);
            switch (command) {
                case "burst" -> ColdBurst.run(options, out);
                case "serve" -> HitTargets.run(options, out);
                default -> BenchTable.run(options, out);
            }
            return 0;
        }
        catch (LabOptions.UsageException ex) {
            if (ex.getMessage() != null) {
                System.err.println(command + ": " + ex.getMessage());
            }
            System.err.print(HarnessOptions.USAGE);
            return ex.getMessage() == null ? 0 : 2;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            System.err.println(command + ": interrupted");
            return 1;
        }
        catch (Exception ex) {
            System.err.println(command + ": " + ex);
            return 1;
        }
    }
}
