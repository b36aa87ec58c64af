package io.herdlab;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line's start for a JVM a test runs the service in (a replica process, a start-up
 * that must fail, {@code make run}'s service with its embedded servers): this JVM's java, C1
 * only and the serial collector. These JVMs live seconds to a minute and serve a few requests:
 * C2's compilations cost them more CPU than they win back (a replica process comes up on about
 * half the CPU time), and on a 2-core machine shared by two test JVMs that CPU is the test's.
 */
public final class TestJvm {

    private TestJvm() {
    }

    /** {@code java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}, then {@code more}. */
    public static List<String> java(String... more) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        command.addAll(List.of(more));
        return command;
    }
}
