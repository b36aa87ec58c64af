package io.herdlab.cache;

import java.time.Duration;

import io.lettuce.core.RedisURI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Spring Boot's Redis connection properties ({@code spring.data.redis.*}, env
 * {@code SPRING_DATA_REDIS_URL}, {@code SPRING_DATA_REDIS_PASSWORD}, …), read once and turned
 * into one {@link RedisURI} that both clients, Lettuce (the cache) and Redisson (a lease),
 * connect with: same server, database index, credentials, TLS, timeouts and client name.
 * The URL wins over host/port/database; a password or username set on its own fills in what
 * the URL leaves out.
 */
@ConfigurationProperties("spring.data.redis")
public record RedisSettings(
        String url,
        @DefaultValue("localhost") String host,
        @DefaultValue("6379") int port,
        @DefaultValue("0") int database,
        String username,
        String password,
        @DefaultValue("5s") Duration timeout,
        @DefaultValue("2s") Duration connectTimeout,
        String clientName,
        @DefaultValue Ssl ssl) {

    public record Ssl(@DefaultValue("false") boolean enabled) {
    }

    public RedisURI toUri() {
        RedisURI uri = url != null && !url.isBlank() ? RedisURI.create(url)
                : RedisURI.builder().withHost(host).withPort(port).withDatabase(database).withSsl(ssl.enabled())
                        .build();
        if (uri.getPassword() == null && password != null && !password.isEmpty()) {
            if (username != null && !username.isEmpty()) {
                uri.setUsername(username);
            }
            uri.setPassword(password);
        }
        if (ssl.enabled()) {
            uri.setSsl(true);
        }
        uri.setTimeout(timeout);
        if (clientName != null && !clientName.isBlank()) {
            uri.setClientName(clientName);
        }
        return uri;
    }

    /** The address without credentials, for messages. */
    public static String describe(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }
}
