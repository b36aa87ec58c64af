package io.herdlab.lab.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.herdlab.lab.analysis.Histograms;
import io.herdlab.lab.data.AdminClient;

/**
 * scripts/burst.mjs: {@code requests} GETs of one path, round-robin over the bases, each on the
 * wire as soon as one of at most {@code concurrency} connections is free (never one first and the
 * rest after its answer, as {@code ab} does).
 */
final class BurstClient {

    /**
     * What scripts/burst.mjs prints: status counts and the client's latency quantiles, nearest
     * rank of the requests' own latencies (the rule of {@link Histograms#exact}).
     */
    record Summary(int requests, int ok, Map<String, Integer> codes, long elapsedMs, double p50Ms, double p99Ms,
            double p999Ms, double maxMs) {
    }

    private BurstClient() {
    }

    static Summary fire(Path script, List<String> bases, String path, int requests, int concurrency)
            throws IOException, InterruptedException {
        Process node = new ProcessBuilder("node", script.toString(), String.join(",", bases), path,
                Integer.toString(requests), Integer.toString(concurrency))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String printed = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int exit = node.waitFor();
        if (exit != 0 || printed.isEmpty()) {
            throw new IOException(script.getFileName() + " exited with " + exit + ": " + printed);
        }
        return AdminClient.JSON.readValue(printed.substring(printed.lastIndexOf('\n') + 1), Summary.class);
    }
}
