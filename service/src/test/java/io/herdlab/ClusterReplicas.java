package io.herdlab;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

/**
 * Replica processes on a {@link LocalRedisCluster} (and one test database), started together,
 * and bursts of GETs spread over them.
 */
public final class ClusterReplicas implements AutoCloseable {

    private final List<ProcessReplica> replicas;

    private ClusterReplicas(List<ProcessReplica> replicas) {
        this.replicas = replicas;
    }

    /** {@code n} replicas named {@code <name>-<i>} on {@code cluster}, with {@code args} added to each. */
    public static ClusterReplicas start(int n, String name, LocalRedisCluster cluster, TestDatabase db, String prefix,
            String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.data.redis.cluster.nodes=" + cluster.nodes());
        String[] withNodes = all.toArray(String[]::new);
        // the URL is not where a cluster client connects (the nodes are); it must only not name the embedded one
        String url = "redis://" + cluster.nodes().split(",")[0];
        List<CompletableFuture<ProcessReplica>> starting = IntStream.rangeClosed(1, n)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> ProcessReplica.start(name + "-" + i,
                        db.r2dbcUrl(), url, prefix, withNodes)))
                .toList();
        List<ProcessReplica> started = new ArrayList<>();
        RuntimeException failed = null;
        for (CompletableFuture<ProcessReplica> replica : starting) {
            try {
                started.add(replica.join());
            }
            catch (RuntimeException ex) {
                failed = ex;
            }
        }
        if (failed != null) {
            started.forEach(ProcessReplica::close);
            throw failed;
        }
        return new ClusterReplicas(started);
    }

    public List<ProcessReplica> all() {
        return replicas;
    }

    public ProcessReplica first() {
        return replicas.get(0);
    }

    /** {@code requests} concurrent GETs of {@code /users/{id}}, round-robin over the replicas; the responses. */
    public List<HttpResponse<String>> burst(int requests, long id) {
        List<CompletableFuture<HttpResponse<String>>> sent = IntStream.range(0, requests)
                .mapToObj(i -> replicas.get(i % replicas.size()).getAsync("/users/" + id)).toList();
        return sent.stream().map(CompletableFuture::join).toList();
    }

    /** A counter of the snapshot summed over the replicas. */
    public long count(String section, String field) {
        return replicas.stream().mapToLong(r -> r.count(section, field)).sum();
    }

    @Override
    public void close() {
        replicas.parallelStream().forEach(ProcessReplica::close);
    }
}
