package io.herdlab;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * herdlab's own configuration ({@code herd.*}). Connections use Spring Boot's properties
 * ({@code spring.r2dbc.*}, {@code spring.data.redis.url}).
 *
 * @param instanceId replica id: metric tag {@code replica} and PostgreSQL {@code application_name}
 */
@ConfigurationProperties("herd")
public record HerdProperties(
        String instanceId,
        @DefaultValue Db db,
        @DefaultValue Cache cache,
        @DefaultValue Metrics metrics) {

    public HerdProperties {
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = hostName();
        }
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        }
        catch (java.io.IOException ex) {
            return "herdlab";
        }
    }

    /**
     * @param queryDelay  simulated query cost, slept inside the SELECT so the connection is held
     * @param seedOnStart users 1..N to create at start-up (0: none); the embedded database gets
     *                    10,000, so {@code make run} serves profiles straight away
     * @param statementTimeout PostgreSQL's {@code statement_timeout} on every connection: no
     *                    statement (a query behind a locked table, a hung server) runs longer
     */
    public record Db(@DefaultValue("50ms") Duration queryDelay, @DefaultValue("0") int seedOnStart,
            @DefaultValue("10s") Duration statementTimeout) {
    }

    /**
     * @param ttl       base TTL of a cache fill
     * @param keyPrefix prefix of every Redis key and channel, so runs never collide
     */
    public record Cache(@DefaultValue("60s") Duration ttl, @DefaultValue("herd:") String keyPrefix) {
    }

    /**
     * @param duplicateWindow a second DB query for a key within this window is a duplicate
     * @param maxTrackedKeys  the most distinct ids whose queries are counted per key (a flood of
     *                        distinct ids beyond it is counted in total only, so memory stays bounded)
     */
    public record Metrics(@DefaultValue("5s") Duration duplicateWindow,
            @DefaultValue("200000") int maxTrackedKeys) {
    }
}
