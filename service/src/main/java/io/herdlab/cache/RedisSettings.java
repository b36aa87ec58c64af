package io.herdlab.cache;

import java.time.Duration;
import java.util.List;

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
 *
 * <p>With {@code spring.data.redis.cluster.nodes} set (env {@code SPRING_DATA_REDIS_CLUSTER_NODES},
 * {@code host:port,host:port,…}) both clients talk to a Redis Cluster instead: the nodes are where
 * they learn its topology; credentials, TLS, timeouts and client name come from the same
 * properties (the URL's, if one is set), the database index is always 0.
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
        @DefaultValue Ssl ssl,
        @DefaultValue Cluster cluster) {

    public record Ssl(@DefaultValue("false") boolean enabled) {
    }

    /** Spring Boot's {@code spring.data.redis.cluster.*}: seed nodes and how many redirects a command follows. */
    public record Cluster(List<String> nodes, @DefaultValue("5") int maxRedirects) {
    }

    /** Whether cluster nodes are configured (a Redis Cluster rather than one server). */
    public boolean clustered() {
        return cluster.nodes() != null && !cluster.nodes().isEmpty();
    }

    /**
     * One URI per seed node of the cluster, each with the credentials, TLS, timeout and client
     * name of {@link #toUri()}.
     */
    public List<RedisURI> clusterUris() {
        RedisURI template = toUri();
        return cluster.nodes().stream().map(String::trim).filter(node -> !node.isEmpty()).map(node -> {
            int colon = node.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("spring.data.redis.cluster.nodes: '" + node
                        + "' is not host:port");
            }
            return RedisURI.builder(template).withHost(node.substring(0, colon))
                    .withPort(Integer.parseInt(node.substring(colon + 1))).withDatabase(0).build();
        }).toList();
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

    /** Where Redis is, without credentials, for messages. */
    public String describe() {
        return clustered() ? "the Redis Cluster at " + String.join(",", cluster.nodes()) : describe(toUri());
    }

    /** The address without credentials, for messages. */
    public static String describe(RedisURI uri) {
        return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
    }
}
