package io.herdlab.guard;

import io.herdlab.Mitigation;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class GuardConfiguration {

    @Bean
    DbGuard dbGuard(Mitigation mitigation, MeterRegistry registry) {
        return new DbGuard(mitigation, registry);
    }
}
