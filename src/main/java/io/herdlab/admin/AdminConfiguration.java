package io.herdlab.admin;

import java.time.Clock;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.cache.UserCache;
import io.herdlab.guard.DbGuard;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.PoolWatcher;
import io.herdlab.users.UserService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    HerdEndpoint herdEndpoint(UserService users, UserCache cache, HerdMetrics metrics, PoolWatcher pool,
            DbGuard guard, Mitigation mitigation, HerdProperties herd, Clock clock) {
        return new HerdEndpoint(users, cache, metrics, pool, guard, mitigation, herd, clock);
    }
}
