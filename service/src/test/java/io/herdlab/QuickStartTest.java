package io.herdlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the README's quick start, as written there, against a started service under each preset
 * its {@code make run} line names, and checks that the summary shows what the README promises:
 * hundreds of DB queries for one hot key under baseline, one under lua.
 */
class QuickStartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static List<String> commands;
    static List<String> presets;

    /** The first code block of the README's "Quick start" section: its make run line, and the rest. */
    @BeforeAll
    static void readTheReadme() throws IOException {
        String readme = Files.readString(RepositoryRoot.path("README.md"));
        int section = readme.indexOf("\n## Quick start");
        assertThat(section).as("README has a Quick start section").isPositive();
        int open = readme.indexOf("```\n", section) + 4;
        String block = readme.substring(open, readme.indexOf("```", open));
        commands = new ArrayList<>();
        presets = new ArrayList<>();
        for (String line : block.split("\n")) {
            if (line.startsWith("make run")) {
                Matcher preset = Pattern.compile("PRESET=(\\w+)").matcher(line);
                while (preset.find()) {
                    presets.add(preset.group(1));
                }
            }
            else if (!line.isBlank() && !line.startsWith("#")) {
                commands.add(line);
            }
        }
        assertThat(presets).containsExactly("baseline", "lua");
        assertThat(commands).anyMatch(c -> c.contains("/summary"));
    }

    @Test
    void baselineSendsHundredsOfQueriesForOneHotKey() throws Exception {
        JsonNode summary = quickStart("baseline");
        // 400 on a quiet machine (every connection on the wire before the first answer); a busy one
        // (the other test JVM, a build) spreads the burst, and still dozens reach the database
        assertThat(summary.get("dbQueries").asLong()).isBetween(20L, 2000L);
        assertThat(summary.get("duplicateQueries").asLong()).isEqualTo(summary.get("dbQueries").asLong() - 1);
        assertThat(summary.get("poolPeakPending").asLong()).isPositive();
    }

    @Test
    void luaSendsOneQueryAndTheRestFollow() throws Exception {
        JsonNode summary = quickStart("lua");
        assertThat(summary.get("dbQueries").asLong()).isEqualTo(1);
        assertThat(summary.get("duplicateQueries").asLong()).isZero();
        assertThat(summary.get("leaders").asLong()).isPositive();
        // how many of the 400 arrive while the one load runs depends on the machine (the lease answers
        // in two round trips; a burst spread by a busy machine finds the value cached): some do
        assertThat(summary.get("followers").asLong()).isPositive();
    }

    /** Runs the README's commands against a replica with {@code preset}; the summary they print last. */
    static JsonNode quickStart(String preset) throws Exception {
        try (TestDatabase db = TestDatabase.create(QuickStartTest.class);
                Replica replica = Replica.start("quick-" + preset, db, TestDatabase.keyPrefix(QuickStartTest.class),
                        "--herd.mitigation.preset=" + preset)) {
            ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", String.join("\n", commands))
                    .directory(RepositoryRoot.path().toFile()).redirectErrorStream(true);
            bash.environment().put("PORT", Integer.toString(replica.port()));
            bash.environment().put("ADMIN_PORT", Integer.toString(replica.managementPort()));
            Process process = bash.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(out).isZero();

            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.strip().split("\n")) {
                lines.add(JSON.readTree(line));
            }
            // seed, warm, burst, reset, burst, summary: every command answered, every request served
            assertThat(lines).as(out).hasSize((int) commands.stream()
                    .filter(c -> c.startsWith("curl") || c.startsWith("node")).count());
            assertThat(lines.get(1).get("keys").asLong()).isEqualTo(10_000);
            assertThat(lines.get(1).get("jitterMaxMs").asLong()).isZero();
            for (JsonNode burst : lines.stream().filter(l -> l.has("requests") && l.has("codes")).toList()) {
                assertThat(burst.get("ok").asLong()).as(out).isEqualTo(2000);
            }
            JsonNode summary = lines.get(lines.size() - 1);
            System.out.println(preset + ": " + summary);
            assertThat(summary.get("preset").asString()).isEqualTo(preset);
            assertThat(summary.get("requests").asLong()).isEqualTo(2000);
            assertThat(summary.get("hitRatio").asDouble()).isBetween(0.5, 0.9995);
            return summary;
        }
    }
}
