package io.herdlab.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    private final Process redis;
    private final int redisPort;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedServers(EmbeddedPostgres postgres, Process redis, int redisPort) {
        this.postgres = postgres;
        this.redis = redis;
        this.redisPort = redisPort;
    }

    /** Starts whichever of the two servers is asked for; the other stays null. */
    public static EmbeddedServers start(boolean withPostgres, boolean withRedis, Consumer<String> progress) {
        OrphanRegistry.stopOrphans(progress);
        EmbeddedPostgres postgres = null;
        Process redis = null;
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
                redis = startRedis(redisPort);
                progress.accept("Embedded Redis listening on 127.0.0.1:" + redisPort);
            }
            EmbeddedServers servers = new EmbeddedServers(postgres, redis, redisPort);
            OrphanRegistry.record(servers.serverPids());
            return servers;
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
            redis.destroy();
            try {
                if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                    log.warn("Embedded Redis did not stop within 10 s; killing it");
                    redis.destroyForcibly();
                }
            }
            catch (InterruptedException ex) {
                redis.destroyForcibly();
                Thread.currentThread().interrupt();
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
        OrphanRegistry.forget();
    }

    /** The operating-system pids of the servers (PostgreSQL's postmaster, redis-server), where known. */
    private List<Long> serverPids() {
        List<Long> pids = new ArrayList<>();
        if (postgres != null) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW data_directory")) {
                rs.next();
                pids.add(Long.parseLong(Files.readAllLines(Path.of(rs.getString(1), "postmaster.pid")).get(0).strip()));
            }
            catch (SQLException | IOException | RuntimeException ex) {
                log.debug("PostgreSQL's pid is unknown: {}", ex.toString());
            }
        }
        if (redis != null) {
            pids.add(redis.pid());
        }
        return pids;
    }

    /**
     * redis-server from embedded-redis's binary, as a process of ours: embedded-redis's own
     * start registers a JVM shutdown hook that stops Redis while the application's Redis client
     * is still open (a reconnect WARN on every stop); here the owner stops it after its clients.
     */
    private static Process startRedis(int port) throws IOException {
        List<String> command = RedisServer.newRedisServer()
                .port(port)
                .bind("127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .buildCommandArgs();
        Process process = new ProcessBuilder(command).directory(new File(command.get(0)).getParentFile())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.contains("Ready to accept connections")) {
                Thread drain = new Thread(() -> {
                    try {
                        out.transferTo(Writer.nullWriter());
                    }
                    catch (IOException ex) {
                        // Redis stopped
                    }
                }, "embedded-redis-output");
                drain.setDaemon(true);
                drain.start();
                return process;
            }
            seen.add(line);
        }
        throw new IOException("redis-server exited before it was ready: " + String.join(" | ", seen));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
