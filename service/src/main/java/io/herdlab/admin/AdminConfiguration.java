package io.herdlab.admin;

import java.time.Clock;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.cache.RedisConnections;
import io.herdlab.guard.DbGuard;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.PoolWatcher;
import io.herdlab.problem.Problems;
import io.herdlab.users.UserService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin operations' state lives in the application context; their routes are added to the
 * management server's context by {@link AdminRoutes}, so they never appear on the traffic port.
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AdminConfiguration.class);

    @Bean
    HerdAdmin herdAdmin(UserService users, RedisConnections redis, HerdMetrics metrics,
            PoolWatcher pool, DbGuard guard, Mitigation mitigation, HerdProperties herd, AdminProperties admin,
            JsonMapper json, Problems problems, Clock clock) {
        if (admin.open()) {
            log.info("Admin operations (POST /actuator/herd/*) are open: no herd.admin.token (HERD_ADMIN_TOKEN) is set."
                    + " Fine on your own machine, where the management port is yours alone; the Helm chart always"
                    + " sets one.");
        }
        return new HerdAdmin(users, new CacheFlush(redis, herd.cache().keyPrefix()), metrics, pool, guard,
                mitigation, herd, admin, json, problems, clock);
    }
}
