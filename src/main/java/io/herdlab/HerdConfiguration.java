package io.herdlab;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class HerdConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HerdConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    Mitigation mitigation(MitigationProperties properties, HerdProperties herd) {
        Mitigation mitigation = Mitigation.resolve(properties);
        log.info("herdlab replica '{}' runs mitigation {}", herd.instanceId(), mitigation);
        return mitigation;
    }
}
