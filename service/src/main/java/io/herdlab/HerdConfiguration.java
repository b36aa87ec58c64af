package io.herdlab;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
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
    DbDeadlines dbDeadlines(R2dbcProperties r2dbc, HerdProperties herd) {
        return new DbDeadlines(r2dbc.getPool().getMaxAcquireTime(), herd.db().statementTimeout());
    }

    @Bean
    Mitigation mitigation(MitigationProperties properties, HerdProperties herd, DbDeadlines deadlines) {
        Mitigation mitigation = Mitigation.resolve(properties, deadlines);
        log.info("herdlab replica '{}' runs mitigation {}", herd.instanceId(), mitigation);
        return mitigation;
    }
}
