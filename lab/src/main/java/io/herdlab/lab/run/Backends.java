package io.herdlab.lab.run;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;

import io.herdlab.lab.LabOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import redis.embedded.RedisServer;

/**
 * The PostgreSQL and Redis every replica of a run shares: the ones given on the command line,
 * else embedded ones (real server binaries shipped in Maven artifacts) that live as long as the lab.
 */
public final class Backends implements AutoCloseable {

    static final String LAB_APPLICATION_NAME = "herdlab-lab";

    private final String jdbcUrl;
    private final String redisUrl;
    private final EmbeddedPostgres postgres;
    private final RedisServer redis;

    private Backends(String jdbcUrl, String redisUrl, EmbeddedPostgres postgres, RedisServer redis) {
        this.jdbcUrl = jdbcUrl;
        this.redisUrl = redisUrl;
        this.postgres = postgres;
        this.redis = redis;
    }

    public static Backends start(LabOptions options, Consumer<String> progress) throws IOException {
        EmbeddedPostgres postgres = null;
        RedisServer redis = null;
        try {
            String jdbcUrl = options.postgresJdbc();
            if (jdbcUrl == null) {
                progress.accept("Starting embedded PostgreSQL (no --postgres given)");
                postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false)
                        .setServerConfig("max_connections", "200").start();
                jdbcUrl = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
            }
            String redisUrl = options.redisUrl();
            if (redisUrl == null) {
                int port = freePort();
                progress.accept("Starting embedded Redis (no --redis given)");
                redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"")
                        .setting("appendonly no").onShutdownForceStop(false).build();
                redis.start();
                redisUrl = "redis://127.0.0.1:" + port;
            }
            return new Backends(jdbcUrl, redisUrl, postgres, redis);
        }
        catch (IOException | RuntimeException ex) {
            new Backends(null, null, postgres, redis).close();
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
