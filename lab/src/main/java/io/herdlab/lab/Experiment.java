package io.herdlab.lab;

import java.util.List;
import java.util.Locale;

import io.herdlab.contract.Preset;

/**
 * One cell of the matrix: a mitigation preset under a key distribution on a number of replicas.
 * The {@code scaling} set runs the coalescers with jitter off, so every key expires in the same
 * instant and only the coalescer decides how many loads reach PostgreSQL. The {@code cluster} set
 * runs local and both leases the same way on one Redis node and on a Redis Cluster.
 *
 * @param scaling      part of the scaling set: its id names the replica count, and jitter is off
 * @param clusterSet   part of the cluster set: its id names the Redis it ran on, and jitter is off
 * @param redisCluster the replicas ran on a Redis Cluster ({@code spring.data.redis.cluster.nodes}), not one node
 */
public record Experiment(Preset preset, String distribution, int replicas, boolean scaling, boolean clusterSet,
        boolean redisCluster) {

    /** The presets the cluster set compares on one node and on a cluster: per replica, and the two leases. */
    public static final List<Preset> CLUSTER_PRESETS = List.of(Preset.LOCAL, Preset.LUA, Preset.REDISSON);

    public static final List<String> DISTRIBUTIONS = List.of("uniform", "zipf");
    /** The coalescers the scaling set compares, and its key distribution (hot keys are where they differ). */
    public static final List<Preset> SCALING_PRESETS = List.of(Preset.LOCAL, Preset.LUA, Preset.TIERED, Preset.REDISSON,
            Preset.OWNER);
    static final String SCALING_DISTRIBUTION = "zipf";
    /** What turns jitter off in a replica: the property the service reads. */
    static final String JITTER_OFF = "--herd.mitigation.jitter-max=0s";

    /** A matrix or scaling experiment on one Redis node (what every run recorded before the cluster set was). */
    public Experiment(Preset preset, String distribution, int replicas, boolean scaling) {
        this(preset, distribution, replicas, scaling, false, false);
    }

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

    /**
     * The cluster set: every cluster preset on one Redis node, then at once on a Redis Cluster, on the same
     * zipf ids (each pair side by side, so that a change of the machine's load falls on both halves alike).
     */
    static List<Experiment> clusterSet(int replicas) {
        return CLUSTER_PRESETS.stream()
                .flatMap(p -> java.util.stream.Stream.of(false, true)
                        .map(cluster -> new Experiment(p, SCALING_DISTRIBUTION, replicas, false, true, cluster)))
                .toList();
    }

    /** The same experiment on a Redis Cluster ({@code --redis-cluster}). */
    Experiment onCluster() {
        return new Experiment(preset, distribution, replicas, scaling, clusterSet, true);
    }

    /** Part of the preset × distribution matrix (neither the scaling nor the cluster set). */
    public boolean inMatrix() {
        return !scaling && !clusterSet;
    }

    /** Extra replica properties this experiment needs. */
    public List<String> replicaArgs() {
        return scaling || clusterSet ? List.of(JITTER_OFF) : List.of();
    }

    /** Whether the keys expire with the preset's jitter (every preset but baseline has some). */
    boolean jittered() {
        return inMatrix() && preset != Preset.BASELINE;
    }

    /**
     * File-name friendly, e.g. {@code baseline-uniform}, {@code scaling-lua-3r}, {@code cluster-lua-node},
     * {@code cluster-lua-cluster}; another experiment on a Redis Cluster ends in {@code -rc}.
     */
    public String id() {
        if (clusterSet) {
            return "cluster-" + preset.id() + (redisCluster ? "-cluster" : "-node");
        }
        String id = scaling ? "scaling-" + preset.id() + "-" + replicas + "r" : preset.id() + "-" + distribution;
        return redisCluster ? id + "-rc" : id;
    }

    @Override
    public String toString() {
        String redis = redisCluster ? " · Redis Cluster" : clusterSet ? " · one Redis node" : "";
        return scaling || clusterSet ? preset.id() + " · " + distribution + " · " + replicas + " replicas · no jitter" + redis
                : preset.id() + " · " + distribution + redis;
    }
}
