package io.herdlab.lab.run;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;

import io.herdlab.LocalRedisCluster;
import io.herdlab.lab.LabOptions;
import io.herdlab.lab.data.RedisProbe;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

/**
 * The PostgreSQL and Redis every replica of a run shares: the ones given on the command line,
 * else embedded ones (real server binaries shipped in Maven artifacts) that live as long as the lab;
 * and, when an experiment runs on a Redis Cluster, that cluster: the one {@code --redis-cluster}
 * names, or a {@link LocalRedisCluster} started here (3 masters, 3 replicas from the machine's
 * redis-server) and torn down on close, or by a shutdown hook on Ctrl-C.
 */
public final class Backends implements AutoCloseable {

    static final String LAB_APPLICATION_NAME = "herdlab-lab";

    private final String jdbcUrl;
    private final String redisUrl;
    private final EmbeddedPostgres postgres;
    private final RedisServer redis;
    /** {@code host:port,…} of the Redis Cluster, or null when no experiment runs on one. */
    private final String clusterNodes;
    /** The one node of the cluster's binary the lab started (null: embedded or given). */
    private final LocalRedisCluster node;
    private final LocalRedisCluster cluster;
    private final Thread stopRedis;

    private Backends(String jdbcUrl, String redisUrl, EmbeddedPostgres postgres, RedisServer redis,
            String clusterNodes, LocalRedisCluster node, LocalRedisCluster cluster) {
        this.jdbcUrl = jdbcUrl;
        this.redisUrl = redisUrl;
        this.postgres = postgres;
        this.redis = redis;
        this.clusterNodes = clusterNodes;
        this.node = node;
        this.cluster = cluster;
        this.stopRedis = node == null && cluster == null ? null : new Thread(this::closeRedis, "lab-stop-redis");
        if (stopRedis != null) {
            Runtime.getRuntime().addShutdownHook(stopRedis);
        }
    }

    private void closeRedis() {
        if (node != null) {
            node.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    public static Backends start(LabOptions options, Consumer<String> progress) throws IOException {
        EmbeddedPostgres postgres = null;
        RedisServer redis = null;
        LocalRedisCluster node = null;
        LocalRedisCluster cluster = null;
        try {
            String jdbcUrl = options.postgresJdbc();
            if (jdbcUrl == null) {
                progress.accept("Starting embedded PostgreSQL (no --postgres given)");
                postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false)
                        .setServerConfig("max_connections", "200").start();
                jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            }
            String redisUrl = options.redisUrl();
            if (redisUrl == null && LabOptions.LOCAL_CLUSTER.equals(options.redisCluster())) {
                // one node of the cluster's own redis-server binary, so that one node and the cluster differ by
                // the cluster alone (the embedded Redis is another version)
                progress.accept("Starting a redis-server of the cluster's binary for the one-node runs (no --redis given)");
                node = LocalRedisCluster.standalone(Backends.class);
                redisUrl = "redis://" + node.nodes();
            }
            if (redisUrl == null) {
                int port = freePort();
                progress.accept("Starting embedded Redis (no --redis given)");
                redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                        .setting("appendonly no").onShutdownForceStop(false).build();
                redis.start();
                redisUrl = "redis://127.0.0.1:" + port;
            }
            String clusterNodes = options.redisCluster();
            if (LabOptions.LOCAL_CLUSTER.equals(clusterNodes)) {
                progress.accept("Starting a local Redis Cluster (3 masters, 3 replicas)");
                cluster = LocalRedisCluster.start(Backends.class);
                clusterNodes = cluster.nodes();
            }
            return new Backends(jdbcUrl, redisUrl, postgres, redis, clusterNodes, node, cluster);
        }
        catch (IOException | RuntimeException ex) {
            new Backends(null, null, postgres, redis, null, node, cluster).close();
            throw new IOException("could not start the embedded servers: " + ex.getMessage(), ex);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The same database for R2DBC: {@code jdbc:postgresql://…} becomes {@code r2dbc:postgresql://…}. */
    String r2dbcUrl() {
        return "r2dbc:" + jdbcUrl.substring("jdbc:".length());
    }

    public String redisUrl() {
        return redisUrl;
    }

    /** {@code host:port,…} of the Redis Cluster, or null when no experiment runs on one. */
    public String clusterNodes() {
        return clusterNodes;
    }

    /** Whether the lab started that cluster itself (its command counts are then the replicas' own). */
    boolean ownCluster() {
        return cluster != null;
    }

    /** A probe of the Redis the replicas of an experiment use: the one node, or every master of the cluster. */
    RedisProbe probe(boolean onCluster) throws IOException {
        if (onCluster && clusterNodes == null) {
            throw new IOException("no Redis Cluster to probe");
        }
        return onCluster ? RedisProbe.cluster(clusterNodes) : new RedisProbe(redisUrl);
    }

    /** A JDBC connection for the lab's own reads; its application_name keeps it out of the replicas' rows. */
    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("ApplicationName", LAB_APPLICATION_NAME);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "5");
        return DriverManager.getConnection(jdbcUrl, props);
    }

    @Override
    public void close() {
        if (stopRedis != null) {
            closeRedis();
            try {
                Runtime.getRuntime().removeShutdownHook(stopRedis);
            }
            catch (IllegalStateException shuttingDown) {
                // the hook runs anyway; closing twice is harmless
            }
        }
        try {
            if (redis != null) {
                redis.stop();
            }
            if (postgres != null) {
                postgres.close();
            }
        }
        catch (IOException | RuntimeException ex) {
            System.err.println("lab: an embedded server did not stop cleanly: " + ex.getMessage());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
