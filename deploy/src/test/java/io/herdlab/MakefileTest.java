package io.herdlab;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Makefile's General and Service sections, run as make runs them (stdout not a terminal). */
class MakefileTest {

    static String make(String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "make";
        command[1] = "--no-print-directory";
        System.arraycopy(args, 0, command, 2, args.length);
        Process process = new ProcessBuilder(command).directory(RepositoryRoot.path().toFile())
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void helpHasNoEscapeCodesWhenNotOnATerminal() throws Exception {
        String help = make("help");
        assertThat(help).doesNotContain("\u001b").contains("check").contains("test").contains("run");
    }

    @Test
    void runTakesPortsAndPreset() throws Exception {
        String run = make("-n", "run", "PRESET=lua", "PORT=9080", "ADMIN_PORT=9081");
        assertThat(run).contains("scripts/run.sh service/target/herdlab.jar --herd.mitigation.preset=lua --server.port=9080"
                + " --management.server.port=9081");
    }

    @Test
    void labRunsTheLabsOwnJarWithReplicasOfTheServiceJar() throws Exception {
        String lab = make("-n", "lab", "PROFILE=quick");
        assertThat(lab).contains("java -jar lab/target/herdlab-lab.jar --jar=service/target/herdlab.jar --profile=quick");
    }

    @Test
    void checkIsTheFullSuiteWithoutTheSlowSuites() throws Exception {
        String test = make("-n", "test");
        String check = make("-n", "check");
        assertThat(test).contains("mvn -B --no-transfer-progress verify").doesNotContain("-Dtest");
        assertThat(check).contains("mvn -B -T 2 --no-transfer-progress verify -Dtest='!LabQuickProfileTest,!LeaseUnderStressTest,");
    }
}
