package io.herdlab.cache;

import java.time.Clock;
import java.time.Duration;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.DbDeadlines;
import io.herdlab.metrics.RedisCommandCounter;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one Lettuce client and connection the cache (and the Lua lease) use: see {@link RedisConnections}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RedisSettings.class)
class CacheConfiguration {

    /** How long a PUT waits for its tombstone to reach the replica of its master (a cluster only). */
    private static final Duration TOMBSTONE_REPLICATION = Duration.ofMillis(500);

    @Bean(destroyMethod = "shutdown")
    ClientResources redisResources() {
        // reconnect quickly after a Redis restart (Lettuce's default backs off to 30 s)
        return ClientResources.builder()
                // Lettuce's own per-command latency statistics (on whenever HdrHistogram is on the class
                // path) feed nothing here: herdlab's metrics time what matters
                .commandLatencyRecorder(CommandLatencyRecorder.disabled())
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
                        java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
    }

    @Bean(destroyMethod = "close")
    RedisConnections redisConnections(RedisSettings settings, ClientResources resources,
            RedisCommandCounter commands) {
        return RedisConnections.connect(settings, resources, commands);
    }

    @Bean
    UserCache userCache(RedisConnections connection, HerdProperties herd,
            Mitigation mitigation, Clock clock, DbDeadlines deadlines) {
        RedisScript versionedFill = RedisScript.load("redis/versioned-fill.lua");
        // taught to Redis now, so a herd's first fills are not refused (NOSCRIPT) and sent again;
        // a Redis that is not up yet learns it from the first fill instead
        versionedFill.preload(connection.reactive()).subscribe(loaded -> { }, error -> { });
        return new UserCache(connection.reactive(), new CacheKeys(herd.cache().keyPrefix()), herd.cache().ttl(),
                mitigation, clock, deadlines.longestLoad().plusSeconds(5), versionedFill,
                (key, value, args) -> connection.setReplicated(key, value, args, TOMBSTONE_REPLICATION).then());
    }
}
