package io.herdlab.lab.run;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A database of its own on an existing PostgreSQL for one run of the burst harness, created here
 * and dropped on close, so that PostgreSQL's count of user look-ups in it is the run's alone.
 */
public final class ScratchDatabase implements AutoCloseable {

    /** One index scan of users per user look-up the database executed (the lab's sampler counts the same). */
    static final String USER_READS = """
            SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_tables WHERE relname = 'users'""";

    private final String server;
    private final String name;

    private ScratchDatabase(String server, String name) {
        this.server = server;
        this.name = name;
    }

    /** Creates database {@code name} on the server of {@code jdbcUrl} (a {@code jdbc:postgresql://host:port/…} URL). */
    public static ScratchDatabase create(String jdbcUrl, String name) throws SQLException {
        URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
        ScratchDatabase db = new ScratchDatabase("postgresql://" + uri.getHost() + ":"
                + (uri.getPort() < 0 ? 5432 : uri.getPort()) + "/", name);
        try (Connection c = db.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return db;
    }

    public String r2dbcUrl() {
        return "r2dbc:" + server + name;
    }

    /** User look-ups PostgreSQL has counted so far: what its backends reported (idle ones within 10 s). */
    public long userReads() throws SQLException {
        try (Connection c = connect(name); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(USER_READS)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * User look-ups once no other connection to the database is left (at most 15 s): a backend
     * reports what it did when it exits. Call it after the replicas stopped.
     */
    public long userReadsOnceClosed() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        try (Connection c = connect(name); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(100);
            }
        }
        return userReads();
    }

    private Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("ApplicationName", Backends.LAB_APPLICATION_NAME);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:" + server + database, props);
    }

    /** Drops the database, closing whatever is still connected to it. */
    @Override
    public void close() throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
