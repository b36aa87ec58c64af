package io.herdlab.metrics;

import java.time.Clock;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.ConnectionFactory;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    MeterRegistryCustomizer<MeterRegistry> replicaTag(HerdProperties herd) {
        return registry -> registry.config().commonTags("replica", herd.instanceId());
    }

    @Bean
    HerdMetrics herdMetrics(MeterRegistry registry, HerdProperties herd, Clock clock, Mitigation mitigation) {
        Gauge.builder("herd.mitigation.info", () -> 1).tag("preset", mitigation.preset().id()).register(registry);
        return new HerdMetrics(registry, herd.metrics().duplicateWindow(), herd.metrics().maxTrackedKeys(), clock);
    }

    @Bean
    RedisCommandCounter redisCommandCounter(MeterRegistry registry) {
        return new RedisCommandCounter(registry);
    }

    @Bean(destroyMethod = "close")
    PoolWatcher poolWatcher(ConnectionFactory connectionFactory, MeterRegistry registry) {
        PoolWatcher watcher = new PoolWatcher(connectionFactory);
        watcher.bindTo(registry);
        return watcher;
    }

    @Bean
    RequestLatencyFilter requestLatencyFilter(HerdMetrics metrics) {
        return new RequestLatencyFilter(metrics);
    }
}
