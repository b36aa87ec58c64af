package io.herdlab.lab;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Consumer;

import io.herdlab.embedded.EmbeddedServers;

/**
 * The PostgreSQL and Redis every replica of a run shares: the ones given on the command line,
 * else embedded ones that live as long as the lab.
 */
final class Backends implements AutoCloseable {

    static final String LAB_APPLICATION_NAME = "herdlab-lab";

    private final String jdbcUrl;
    private final String redisUrl;
    private final EmbeddedServers embedded;

    private Backends(String jdbcUrl, String redisUrl, EmbeddedServers embedded) {
        this.jdbcUrl = jdbcUrl;
        this.redisUrl = redisUrl;
        this.embedded = embedded;
    }

    static Backends start(LabOptions options, Consumer<String> progress) {
        boolean needPostgres = options.postgresJdbc() == null;
        boolean needRedis = options.redisUrl() == null;
        EmbeddedServers embedded = needPostgres || needRedis
                ? EmbeddedServers.start(needPostgres, needRedis, progress)
                : null;
        return new Backends(needPostgres ? embedded.jdbcUrl() : options.postgresJdbc(),
                needRedis ? embedded.redisUrl() : options.redisUrl(), embedded);
    }

    String jdbcUrl() {
        return jdbcUrl;
    }

    /** The same database for R2DBC: {@code jdbc:postgresql://…} becomes {@code r2dbc:postgresql://…}. */
    String r2dbcUrl() {
        return "r2dbc:" + jdbcUrl.substring("jdbc:".length());
    }

    String redisUrl() {
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
        if (embedded != null) {
            embedded.close();
        }
    }
}
