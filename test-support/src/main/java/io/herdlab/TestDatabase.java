package io.herdlab;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A database of its own on the machine's PostgreSQL (127.0.0.1:5432, trust auth, user
 * postgres) for one test class, dropped on close, so test runs never collide.
 */
public final class TestDatabase implements AutoCloseable {

    public static final String HOST = System.getProperty("herd.test.pg.host", "127.0.0.1");
    public static final int PORT = Integer.getInteger("herd.test.pg.port", 5432);
    public static final String REDIS_URL = System.getProperty("herd.test.redis.url", "redis://127.0.0.1:6379");

    private final String name;

    private TestDatabase(String name) {
        this.name = name;
    }

    public static TestDatabase create(Class<?> owner) {
        String name = ("herd_" + owner.getSimpleName() + "_" + UUID.randomUUID().toString().substring(0, 8))
                .toLowerCase(Locale.ROOT);
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("cannot create test database on " + HOST + ":" + PORT
                    + " (is PostgreSQL running? scripts/ensure-services.sh starts it): " + ex.getMessage(), ex);
        }
        return new TestDatabase(name);
    }

    /** A Redis key prefix of its own for one test class. */
    public static String keyPrefix(Class<?> owner) {
        return "test:" + owner.getSimpleName() + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/postgres", "postgres", "");
    }

    public String name() {
        return name;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + name, "postgres", "");
    }

    /** Runs one query returning a single number. */
    public long queryLong(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public void execute(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Waits until a user query with its simulated cost (pg_sleep) runs in this database. */
    public void awaitSlowQuery() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()") > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the leader's query never started");
    }

    /** Index scans on users: PostgreSQL's own count of user look-ups by id. */
    public long userIndexScans() {
        execute("SELECT pg_stat_clear_snapshot()");
        return queryLong("SELECT coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'users'");
    }

    /**
     * PostgreSQL's count of user look-ups once every other connection to this database has
     * gone: a backend reports its statistics when it exits (while it lives, only every second
     * or, idle, within 10 s). Call it after closing the replicas of a scenario.
     */
    public long userIndexScansAfterClose() {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND pid <> pg_backend_pid()") > 0 && System.nanoTime() < deadline) {
            sleep(100);
        }
        return userIndexScans();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        catch (SQLException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
