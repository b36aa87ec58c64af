package io.herdlab.lab;

import java.io.PrintStream;

/**
 * {@code java -jar lab/target/herdlab-lab.jar [--name=value ...]}: the local multi-replica lab. A plain
 * Java program (no Spring context of its own): it starts PostgreSQL and Redis, the replicas as
 * separate JVMs, and Artillery, samples once a second and writes reports/&lt;timestamp&gt;/.
 */
public final class LabCommand {

    private LabCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the lab; 0 when every experiment ran, 1 when one failed, 2 on a bad command line. */
    public static int run(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintStream out = System.out;
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
}
