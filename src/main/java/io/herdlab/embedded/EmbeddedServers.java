package io.herdlab.embedded;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real PostgreSQL and a real Redis started from binaries shipped in Maven artifacts, for a
 * machine that runs neither. Used by the service when no connection URL is configured and by
 * the lab runner; {@link #close()} stops both.
 */
public final class EmbeddedServers implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedServers.class);

    private final EmbeddedPostgres postgres;
    private final RedisServer redis;
    private final int redisPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedServers(EmbeddedPostgres postgres, RedisServer redis, int redisPort) {
        this.postgres = postgres;
        this.redis = redis;
        this.redisPort = redisPort;
    }

    /** Starts whichever of the two servers is asked for; the other stays null. */
    public static EmbeddedServers start(boolean withPostgres, boolean withRedis, Consumer<String> progress) {
        EmbeddedPostgres postgres = null;
        RedisServer redis = null;
        int redisPort = 0;
        try {
            if (withPostgres) {
                progress.accept("Starting embedded PostgreSQL (no spring.r2dbc.url configured)");
                // no JVM shutdown hooks of their own: the owner stops them after its clients
                // (the service when its context closes, the lab when it ends or is interrupted)
                postgres = EmbeddedPostgres.builder()
                        .setRegisterShutdownHook(false)
                        .setServerConfig("max_connections", "200")
                        .start();
                progress.accept("Embedded PostgreSQL listening on 127.0.0.1:" + postgres.getPort());
            }
            if (withRedis) {
                redisPort = freePort();
                progress.accept("Starting embedded Redis (no spring.data.redis.url configured)");
                redis = RedisServer.newRedisServer()
                        .port(redisPort)
                        .bind("127.0.0.1")
                        .setting("save \"\"")
                        .setting("appendonly no")
                        .onShutdownForceStop(false)
                        .build();
                redis.start();
                progress.accept("Embedded Redis listening on 127.0.0.1:" + redisPort);
            }
            return new EmbeddedServers(postgres, redis, redisPort);
        }
        catch (IOException | RuntimeException ex) {
            new EmbeddedServers(postgres, redis, redisPort).close();
            throw new IllegalStateException("Could not start the embedded servers: " + ex.getMessage(), ex);
        }
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    public boolean hasPostgres() {
        return postgres != null;
    }

    public boolean hasRedis() {
        return redis != null;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (redis != null) {
            try {
                redis.stop();
            }
            catch (IOException | RuntimeException ex) {
                log.warn("Embedded Redis did not stop cleanly: {}", ex.getMessage());
            }
        }
        if (postgres != null) {
            try {
                postgres.close();
            }
            catch (IOException | RuntimeException ex) {
                log.warn("Embedded PostgreSQL did not stop cleanly: {}", ex.getMessage());
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
