package io.herdlab;

/** A test class's own Redis Cluster and database, started together and closed together. */
public record ClusterBackends(LocalRedisCluster cluster, TestDatabase db) implements AutoCloseable {

    /** A cluster (its nodes asking for {@code password}; null: none) and a database with users 1..{@code users}. */
    public static ClusterBackends start(Class<?> owner, int users, String password) {
        LocalRedisCluster cluster = LocalRedisCluster.start(owner, password);
        try {
            return new ClusterBackends(cluster, Replica.seededDatabase(owner, users));
        }
        catch (RuntimeException ex) {
            cluster.close();
            throw ex;
        }
    }

    /** The first node as a URL: a replica is given one, though a cluster client connects to the nodes. */
    public String seedUrl() {
        return "redis://" + cluster.nodes().split(",")[0];
    }

    @Override
    public void close() {
        try {
            db.close();
        }
        finally {
            cluster.close();
        }
    }
}
