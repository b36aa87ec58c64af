package io.herdlab.cache;

import java.time.Duration;

import io.herdlab.metrics.RedisCommandCounter;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.event.Event;
import io.lettuce.core.resource.ClientResources;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The one Lettuce client and connection the cache, the Lua lease and the admin operations use:
 * to one Redis server (the default), or to a Redis Cluster when {@code spring.data.redis.cluster.nodes}
 * is set. Both kinds answer the same commands ({@link RedisClusterReactiveCommands}: a cluster
 * connection routes each by its key's slot and follows MOVED/ASK), so callers do not ask which;
 * only the notices (plain or sharded pub/sub) and the admin's per-node work do.
 */
public final class RedisConnections implements AutoCloseable {

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterReactiveCommands<String, String> reactive;
    private final RedisClusterCommands<String, String> sync;
    private volatile boolean closed;

    private RedisConnections(AbstractRedisClient client, StatefulConnection<String, String> connection,
            RedisClusterReactiveCommands<String, String> reactive, RedisClusterCommands<String, String> sync) {
        this.client = client;
        this.connection = connection;
        this.reactive = reactive;
        this.sync = sync;
    }

    /** Connects as {@code settings} say; every command sent is counted by {@code commands}. */
    public static RedisConnections connect(RedisSettings settings, ClientResources resources,
            RedisCommandCounter commands) {
        if (!settings.clustered()) {
            RedisClient client = RedisClient.create(resources, settings.toUri());
            client.addListener(commands);
            ClientOptions.Builder options = ClientOptions.builder();
            client.setOptions(common(options, settings).build());
            StatefulRedisConnection<String, String> connection = client.connect();
            return new RedisConnections(client, connection, connection.reactive(), connection.sync());
        }
        RedisClusterClient client = RedisClusterClient.create(resources, settings.clusterUris());
        client.addListener(commands);
        ClusterClientOptions.Builder options = ClusterClientOptions.builder()
                .maxRedirects(settings.cluster().maxRedirects())
                // a failover is noticed from the redirects and failed reconnects it causes (adaptive),
                // and by the periodic refresh for what causes none
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .refreshTriggersReconnectAttempts(2)
                        .enablePeriodicRefresh(Duration.ofSeconds(5))
                        .build());
        common(options, settings);
        client.setOptions(options.build());
        StatefulRedisClusterConnection<String, String> connection = client.connect();
        return new RedisConnections(client, connection, connection.reactive(), connection.sync());
    }

    /** What both kinds of client are told the same way. */
    private static <B extends ClientOptions.Builder> B common(B options, RedisSettings settings) {
        // fail fast while Redis is away instead of queueing commands for later
        options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        options.socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).build());
        // bounds every command, the hit path's GET included (no second timer per call)
        options.timeoutOptions(TimeoutOptions.enabled(settings.timeout()));
        // replies go on on Lettuce's computation threads: the I/O thread only reads them
        options.publishOnScheduler(true);
        return options;
    }

    /** Whether this is a Redis Cluster (scripts and notices then keep to one slot each). */
    public boolean clustered() {
        return client instanceof RedisClusterClient;
    }

    public RedisClusterReactiveCommands<String, String> reactive() {
        return reactive;
    }

    public RedisClusterCommands<String, String> sync() {
        return sync;
    }

    /**
     * Whether Redis can be reached: one server, while the connection is up; a cluster, until it
     * is closed (a node away is a failover under way, see {@code LeaseCoalescer}; the cluster
     * connection's own flag follows whichever node it happened to connect to first).
     */
    public boolean isOpen() {
        return clustered() ? !closed : connection.isOpen();
    }

    /**
     * A pub/sub connection of its own; for a cluster, one that sends a sharded subscription
     * ({@code SSUBSCRIBE}) to the node that owns its channel's slot.
     */
    public StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return client instanceof RedisClusterClient cluster ? cluster.connectPubSub()
                : ((RedisClient) client).connectPubSub();
    }

    /**
     * {@code SET key value args}; on a cluster, then {@code WAIT 1} on the same node connection
     * when the key's master has a replica, bounded by {@code wait}: a write its replica
     * acknowledged survives a failover (the replica with the latest offset is the one promoted;
     * here every master has one). A master without a live replica cannot fail over to one, and is
     * not waited for. Emits the number of replicas that acknowledged (-1: not waited for).
     */
    public Mono<Long> setReplicated(String key, String value, SetArgs args, Duration wait) {
        if (!(connection instanceof StatefulRedisClusterConnection<String, String> cluster)) {
            return reactive.set(key, value, args).thenReturn(-1L);
        }
        Partitions partitions = cluster.getPartitions();
        RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(key));
        if (master == null || partitions.stream().noneMatch(node -> master.getNodeId().equals(node.getSlaveOf())
                && !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL))) {
            return reactive.set(key, value, args).thenReturn(-1L);
        }
        return Mono.fromCompletionStage(() -> cluster.getConnectionAsync(master.getNodeId()))
                .flatMap(node -> node.reactive().set(key, value, args)
                        .then(node.reactive().waitForReplication(1, wait.toMillis())));
    }

    /** The client's events (connections activated and deactivated, topology changes). */
    public Flux<Event> events() {
        return client.getResources().eventBus().get();
    }

    /**
     * The commands of every master, each on its own connection (for a single server: its one
     * connection); connections not open yet are opened without blocking the caller.
     */
    public Flux<RedisClusterReactiveCommands<String, String>> masters() {
        if (!(connection instanceof StatefulRedisClusterConnection<String, String> cluster)) {
            return Flux.just(reactive);
        }
        return Flux.fromIterable(cluster.getPartitions())
                .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                .concatMap(node -> Mono.fromCompletionStage(() -> cluster.getConnectionAsync(node.getNodeId()))
                        .map(StatefulRedisConnection::reactive));
    }

    @Override
    public void close() {
        closed = true;
        connection.close();
        client.shutdown();
    }
}
