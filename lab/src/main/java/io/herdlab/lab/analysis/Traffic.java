package io.herdlab.lab.analysis;

import java.util.Map;
import java.util.TreeMap;

import io.herdlab.lab.data.RunData;

/**
 * The requests the clients sent and what went wrong: Artillery's (warm and tail) by its
 * counters, the spike's by its per-request log.
 *
 * @param errorKinds errors by kind: Artillery's {@code errors.*}, its non-2xx codes, the spike's non-200 outcomes
 */
public record Traffic(long artilleryRequests, long spikeRequests, long errors, Map<String, Long> errorKinds) {

    static Traffic of(RunData d) {
        Map<String, Long> kinds = new TreeMap<>();
        d.artilleryCounters().forEach((name, n) -> {
            if (name.startsWith("errors.")) {
                kinds.merge(name.substring("errors.".length()), n, Long::sum);
            }
            else if (name.startsWith("http.codes.") && !name.startsWith("http.codes.2")) {
                kinds.merge("HTTP " + name.substring("http.codes.".length()), n, Long::sum);
            }
        });
        for (RunData.SpikeRequest r : d.spike()) {
            if (!r.status().equals("200")) {
                kinds.merge(r.status().matches("\\d{3}") ? "HTTP " + r.status() : "spike " + r.status(), 1L, Long::sum);
            }
        }
        return new Traffic(d.artilleryCounters().getOrDefault("http.requests", 0L), d.spike().size(),
                kinds.values().stream().mapToLong(Long::longValue).sum(), kinds);
    }

    public long requests() {
        return artilleryRequests + spikeRequests;
    }
}
