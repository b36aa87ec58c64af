package io.herdlab.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The two sizes of the lab. Artillery drives the low-rate phases of
 * {@code artillery/scenarios/herd.yml} (its {@code lab} and {@code lab-quick} environments: warm,
 * then tail); the lab reads the warm phase's length from Artillery's output, makes every key
 * expire one second before that phase ends and fires the spike ({@code artillery/spike.mjs})
 * when it ends.
 *
 * @param artilleryEnvironment the {@code -e} passed to Artillery
 * @param cacheTtl             the replicas' {@code herd.cache.ttl} for fills during the run
 * @param spikeRequests        requests the spike puts on the wire at once
 * @param experiments          presets of the matrix, and {@code scaling} for the scaling set
 * @param expectedRunSeconds   the scenario's phases added up, for the progress line only
 */
public enum Profile {

    DEFAULT("lab", Duration.ofSeconds(60), 3, 5000,
            List.of("baseline", "jitter", "full", "local", "redisson", "lua", "owner", "scaling"), List.of("uniform", "zipf"),
            92),
    QUICK("lab-quick", Duration.ofSeconds(15), 2, 1000, List.of("baseline", "jitter", "full"), List.of("uniform"), 27);

    public final String artilleryEnvironment;
    public final Duration cacheTtl;
    final int replicas;
    final int spikeRequests;
    final List<String> experiments;
    final List<String> distributions;
    final int expectedRunSeconds;

    Profile(String artilleryEnvironment, Duration cacheTtl, int replicas, int spikeRequests, List<String> experiments,
            List<String> distributions, int expectedRunSeconds) {
        this.artilleryEnvironment = artilleryEnvironment;
        this.cacheTtl = cacheTtl;
        this.replicas = replicas;
        this.spikeRequests = spikeRequests;
        this.experiments = experiments;
        this.distributions = distributions;
        this.expectedRunSeconds = expectedRunSeconds;
    }

    static Profile parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "", "default", "full-matrix" -> DEFAULT;
            case "quick" -> QUICK;
            default -> throw new LabOptions.UsageException("profile must be default or quick, not '" + name + "'");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
