package io.herdlab.guard;

import io.herdlab.DbDeadlines;
import io.herdlab.Mitigation;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GuardConfiguration {

    @Bean
    DbGuard dbGuard(Mitigation mitigation, DbDeadlines deadlines, MeterRegistry registry) {
        return new DbGuard(mitigation, deadlines, registry);
    }
}
