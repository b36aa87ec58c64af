package io.herdlab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.herdlab.contract.ReplicaCommandLine;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One herdlab replica in this JVM: a full application context on random ports, pointed at a
 * test database and a Redis key prefix. Several share them as replicas share a cluster.
 */
public final class Replica implements AutoCloseable {

    private static final ConnectionProvider CONNECTIONS = ConnectionProvider.builder("test-burst")
            .maxConnections(2000)
            .pendingAcquireMaxCount(-1)
            .pendingAcquireTimeout(Duration.ofSeconds(60))
            .build();

    private final ConfigurableApplicationContext context;
    private final String id;
    private final WebClient client;
    private final WebClient admin;

    private Replica(ConfigurableApplicationContext context, String id) {
        this.context = context;
        this.id = id;
        this.client = client(port());
        this.admin = client(managementPort());
    }

    /** A replica's command line: the one every driver starts a replica with, quiet logs, then {@code args}. */
    static List<String> arguments(int port, int managementPort, String id, String r2dbcUrl, String redisUrl,
            String keyPrefix, String... args) {
        List<String> all = new ArrayList<>(
                ReplicaCommandLine.arguments(port, managementPort, id, r2dbcUrl, redisUrl, keyPrefix));
        all.addAll(List.of("--logging.level.root=WARN", "--logging.level.io.herdlab=INFO"));
        all.addAll(List.of(args));
        return all;
    }

    /** Starts a replica; {@code args} are extra {@code --key=value} properties. */
    public static Replica start(String id, String r2dbcUrl, String redisUrl, String keyPrefix, String... args) {
        List<String> all = arguments(0, 0, id, r2dbcUrl, redisUrl, keyPrefix, args);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(HerdlabApplication.class)
                // Netty resources of its own: closing one replica must not stop another's server. No
                // quiet period: Netty's default (2 s) made every close wait 2 s for tasks that never come
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean(ReactorResourceFactory.class,
                        () -> {
                            ReactorResourceFactory resources = new ReactorResourceFactory();
                            resources.setUseGlobalResources(false);
                            resources.setShutdownQuietPeriod(Duration.ZERO);
                            return resources;
                        }))
                .run(all.toArray(String[]::new));
        return new Replica(context, id);
    }

    public static Replica start(String id, TestDatabase db, String keyPrefix, String... args) {
        return start(id, db.r2dbcUrl(), TestDatabase.REDIS_URL, keyPrefix, args);
    }

    public String id() {
        return id;
    }

    public int port() {
        return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    }

    public int managementPort() {
        return context.getEnvironment().getRequiredProperty("local.management.port", Integer.class);
    }

    /**
     * A database of its own for {@code owner} with users 1..{@code users} in it, seeded by a
     * replica that runs the service's own schema and seed.
     */
    public static TestDatabase seededDatabase(Class<?> owner, int users) {
        TestDatabase db = TestDatabase.create(owner);
        try (Replica seeder = start("seeder", db, TestDatabase.keyPrefix(owner), "--herd.db.query-delay=0")) {
            seeder.adminPost("seed", Map.of("users", users));
        }
        return db;
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** A client for the traffic port, sized for bursts of concurrent requests. */
    public WebClient client() {
        return client;
    }

    /** A client for the management port (actuator, admin operations). */
    public WebClient admin() {
        return admin;
    }

    private static WebClient client(int port) {
        return WebClient.builder()
                .baseUrl("http://127.0.0.1:" + port)
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(CONNECTIONS)
                        .responseTimeout(Duration.ofSeconds(60))))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
                .build();
    }

    /** POST /actuator/herd/{action} with a JSON body; the response as a map. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> adminPost(String action, Map<String, Object> body) {
        return admin().post().uri("/actuator/herd/" + action).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(60));
    }

    /** GET /users/{id} on the traffic port, whatever its status. */
    public ResponseEntity<String> getUser(long id) {
        return client.get().uri("/users/" + id).exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(60));
    }

    /** One counter of the snapshot, e.g. {@code count("db", "queries")}. */
    @SuppressWarnings("unchecked")
    public long count(String section, String field) {
        return ((Number) ((Map<String, Object>) snapshot().get(section)).get(field)).longValue();
    }

    /** GET /actuator/herd: the snapshot. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> snapshot() {
        return admin().get().uri("/actuator/herd").retrieve().bodyToMono(Map.class).block(Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        context.close();
    }
}
