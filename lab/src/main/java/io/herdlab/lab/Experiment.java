package io.herdlab.lab;

import java.util.List;
import java.util.Locale;

import io.herdlab.contract.Preset;

/**
 * One cell of the matrix: a mitigation preset under a key distribution on a number of replicas.
 * The {@code scaling} set runs the coalescers with jitter off, so every key expires in the same
 * instant and only the coalescer decides how many loads reach PostgreSQL.
 *
 * @param scaling part of the scaling set: its id names the replica count, and jitter is off
 */
public record Experiment(Preset preset, String distribution, int replicas, boolean scaling) {

    public static final List<String> DISTRIBUTIONS = List.of("uniform", "zipf");
    /** The coalescers the scaling set compares, and its key distribution (hot keys are where they differ). */
    public static final List<Preset> SCALING_PRESETS = List.of(Preset.LOCAL, Preset.LUA, Preset.TIERED, Preset.REDISSON,
            Preset.OWNER);
    static final String SCALING_DISTRIBUTION = "zipf";
    /** What turns jitter off in a replica: the property the service reads. */
    static final String JITTER_OFF = "--herd.mitigation.jitter-max=0s";

    static Experiment of(String preset, String distribution, int replicas) {
        String d = distribution.toLowerCase(Locale.ROOT);
        if (!DISTRIBUTIONS.contains(d)) {
            throw new LabOptions.UsageException("unknown distribution '" + distribution + "': one of " + DISTRIBUTIONS);
        }
        try {
            return new Experiment(Preset.parse(preset), d, replicas, false);
        }
        catch (IllegalArgumentException ex) {
            throw new LabOptions.UsageException("unknown experiment '" + preset + "': one of " + Preset.ids()
                    + " or scaling");
        }
    }

    /** The scaling set: every scaling preset at every replica count. */
    static List<Experiment> scalingSet(List<Integer> replicaCounts) {
        return SCALING_PRESETS.stream()
                .flatMap(p -> replicaCounts.stream().map(n -> new Experiment(p, SCALING_DISTRIBUTION, n, true)))
                .toList();
    }

    /** Extra replica properties this experiment needs. */
    public List<String> replicaArgs() {
        return scaling ? List.of(JITTER_OFF) : List.of();
    }

    /** Whether the keys expire with the preset's jitter (every preset but baseline has some). */
    boolean jittered() {
        return !scaling && preset != Preset.BASELINE;
    }

    /** File-name friendly, e.g. {@code baseline-uniform} or {@code scaling-lua-3r}. */
    public String id() {
        return scaling ? "scaling-" + preset.id() + "-" + replicas + "r" : preset.id() + "-" + distribution;
    }

    @Override
    public String toString() {
        return scaling ? preset.id() + " · " + distribution + " · " + replicas + " replicas · no jitter"
                : preset.id() + " · " + distribution;
    }
}
