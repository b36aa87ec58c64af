package io.herdlab.coalesce;

import java.util.ArrayList;
import java.util.List;

import io.herdlab.Mitigation;
import io.herdlab.cache.UserCache;
import io.herdlab.metrics.HerdMetrics;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Builds the coalescer the mitigation names, and owns what it needs (pub/sub, Redisson). */
@Configuration(proxyBeanMethods = false)
class CoalesceConfiguration {

    /** Closes whatever the chosen coalescer opened, when the context closes. */
    static final class Resources implements DisposableBean {
        final List<AutoCloseable> opened = new ArrayList<>();

        @Override
        public void destroy() throws Exception {
            for (int i = opened.size() - 1; i >= 0; i--) {
                opened.get(i).close();
            }
        }
    }

    @Bean
    Resources coalescerResources() {
        return new Resources();
    }

    @Bean
    Coalescer coalescer(Mitigation mitigation, UserCache cache, HerdMetrics metrics, RedisClient redisClient,
            StatefulRedisConnection<String, String> connection, Environment environment, Resources resources) {
        NoCoalescer none = new NoCoalescer(cache);
        return switch (mitigation.coalescer()) {
            case NONE -> none;
            case LOCAL -> new LocalSingleFlight(none, mitigation.waitTimeout(), metrics);
            case LUA -> luaLease(mitigation, cache, metrics, redisClient, connection, resources);
            case TIERED -> new LocalSingleFlight(luaLease(mitigation, cache, metrics, redisClient, connection,
                    resources), mitigation.waitTimeout(), metrics);
            case REDISSON -> {
                Config config = new Config();
                config.useSingleServer().setAddress(environment.getRequiredProperty("spring.data.redis.url"))
                        .setConnectionMinimumIdleSize(4)
                        .setConnectionPoolSize(32);
                RedissonClient redisson = Redisson.create(config);
                resources.opened.add(redisson::shutdown);
                yield new RedissonLease(redisson.reactive(), cache, notices(cache, redisClient, resources), metrics,
                        mitigation.leaseTime(), mitigation.waitTimeout());
            }
        };
    }

    private static LuaLease luaLease(Mitigation mitigation, UserCache cache, HerdMetrics metrics,
            RedisClient redisClient, StatefulRedisConnection<String, String> connection, Resources resources) {
        return new LuaLease(connection.reactive(), cache, notices(cache, redisClient, resources), metrics,
                mitigation.leaseTime(), mitigation.waitTimeout());
    }

    private static FillNotices notices(UserCache cache, RedisClient redisClient, Resources resources) {
        FillNotices notices = new FillNotices(redisClient.connectPubSub(), cache.filledChannel());
        resources.opened.add(notices);
        return notices;
    }
}
