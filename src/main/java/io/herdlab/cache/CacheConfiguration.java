package io.herdlab.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.metrics.HerdMetrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/** The one Lettuce client and connection the cache (and the Lua lease) use. */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(org.springframework.core.env.Environment environment) {
        String url = environment.getRequiredProperty("spring.data.redis.url");
        RedisClient client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                // fail fast while Redis is away instead of queueing commands for later
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5)))
                .build());
        return client;
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    UserCache userCache(StatefulRedisConnection<String, String> connection, HerdProperties herd,
            Mitigation mitigation, HerdMetrics metrics, Clock clock) {
        return new UserCache(connection.reactive(), herd.cache().keyPrefix(), herd.cache().ttl(), mitigation,
                metrics, clock, script("redis/fenced-fill.lua"));
    }

    static String script(String path) {
        try {
            return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
