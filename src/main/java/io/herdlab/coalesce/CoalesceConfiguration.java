package io.herdlab.coalesce;

import io.herdlab.Mitigation;
import io.herdlab.cache.UserCache;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class CoalesceConfiguration {

    @Bean
    Coalescer coalescer(Mitigation mitigation, UserCache cache) {
        return switch (mitigation.coalescer()) {
            case NONE -> new NoCoalescer(cache);
            default -> throw new IllegalStateException(
                    "coalescer " + mitigation.coalescer() + " is not available in this build");
        };
    }
}
