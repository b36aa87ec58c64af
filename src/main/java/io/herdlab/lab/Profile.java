package io.herdlab.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The two sizes of the lab. The phase lengths live in {@code artillery/scenarios/herd.yml}
 * (its default config and its {@code quick} environment); the lab reads the warm phase's length
 * from Artillery's output and makes every key expire one second before that phase ends.
 *
 * @param artilleryEnvironment  {@code -e} passed to Artillery, or empty for the scenario's default
 * @param cacheTtl              the replicas' {@code herd.cache.ttl} for fills during the run
 * @param expectedRunSeconds    the scenario's phases added up, for the progress line only
 */
enum Profile {

    DEFAULT("", Duration.ofSeconds(60), 3, List.of("baseline", "jitter", "full", "local", "redisson", "lua"),
            List.of("uniform", "zipf"), 92),
    QUICK("quick", Duration.ofSeconds(15), 2, List.of("baseline", "jitter", "full"), List.of("uniform"), 27);

    final String artilleryEnvironment;
    final Duration cacheTtl;
    final int replicas;
    final List<String> experiments;
    final List<String> distributions;
    final int expectedRunSeconds;

    Profile(String artilleryEnvironment, Duration cacheTtl, int replicas, List<String> experiments,
            List<String> distributions, int expectedRunSeconds) {
        this.artilleryEnvironment = artilleryEnvironment;
        this.cacheTtl = cacheTtl;
        this.replicas = replicas;
        this.experiments = experiments;
        this.distributions = distributions;
        this.expectedRunSeconds = expectedRunSeconds;
    }

    static Profile parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "", "default", "full-matrix" -> DEFAULT;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("profile must be default or quick, not '" + name + "'");
        };
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
