package io.herdlab.lab;

import java.util.List;
import java.util.Locale;

/** One cell of the matrix: a mitigation preset under a key distribution. */
record Experiment(String preset, String distribution) {

    static final List<String> PRESETS = List.of("baseline", "jitter", "local", "redisson", "lua", "full");
    static final List<String> DISTRIBUTIONS = List.of("uniform", "zipf");

    static Experiment of(String preset, String distribution) {
        String p = preset.toLowerCase(Locale.ROOT);
        String d = distribution.toLowerCase(Locale.ROOT);
        if (!PRESETS.contains(p)) {
            throw new LabOptions.UsageException("unknown experiment '" + preset + "': one of " + PRESETS);
        }
        if (!DISTRIBUTIONS.contains(d)) {
            throw new LabOptions.UsageException("unknown distribution '" + distribution + "': one of " + DISTRIBUTIONS);
        }
        return new Experiment(p, d);
    }

    /** File-name friendly, e.g. {@code baseline-uniform}. */
    String id() {
        return preset + "-" + distribution;
    }

    @Override
    public String toString() {
        return preset + " · " + distribution;
    }
}
