package io.herdlab.lease;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * How this replica hears the lease notices ({@link Notices}). On one Redis server: one channel,
 * {@code SUBSCRIBE}d once (Lettuce subscribes again after a reconnect). On a Redis Cluster: one
 * sharded channel per slot ({@link CacheKeys#shardChannel(int)}), {@code SSUBSCRIBE}d on the
 * master that owns the slot, so a notice travels only within its key's shard.
 *
 * <p>A sharded subscription lives on one node's connection, and Lettuce (6.8) does not bring it
 * back: when that connection reconnects it sends one {@code SSUBSCRIBE} with the channels of
 * every slot, which Redis refuses (CROSSSLOT), and when the slot moves (a failover, a migration)
 * the new owner never heard of it (Lettuce issues #2940, #3213). So this class keeps, per slot,
 * the node it subscribed it on; every {@link #CHECK_EVERY} it compares that with the slot's owner
 * as the client's last topology refresh sees it, after forgetting the slots of every node a
 * connection reconnected to since the last check, and subscribes each slot that differs again, one
 * slot per command. Until then a follower on that slot hears nothing and waits for its backstop
 * (the holder's lease time): slower, never wrong.
 */
final class NoticeChannels implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NoticeChannels.class);
    static final Duration CHECK_EVERY = Duration.ofMillis(500);
    /** Sharded subscriptions in flight at once (one slot each: SSUBSCRIBE refuses channels of two slots). */
    private static final int IN_FLIGHT = 256;

    private final CacheKeys keys;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    /** Null on one server. */
    private final StatefulRedisClusterPubSubConnection<String, String> cluster;
    /** Per slot, the node its channel is subscribed on (null: not yet); written by the one running check. */
    private final String[] subscribedOn;
    private final Disposable checks;
    private final Disposable reconnects;
    /** Node addresses a connection is reconnecting to (Lettuce's events). */
    private final Set<InetSocketAddress> reconnecting = ConcurrentHashMap.newKeySet();
    /** Nodes a connection came back to since the last check: their slots are subscribed again. */
    private final Queue<InetSocketAddress> cameBack = new ConcurrentLinkedQueue<>();
    /** Whether a check is running. */
    private final AtomicBoolean following = new AtomicBoolean();
    private final AtomicInteger resubscribed = new AtomicInteger();

    private NoticeChannels(CacheKeys keys, StatefulRedisPubSubConnection<String, String> pubSub,
            Flux<Event> events, Consumer<String> dispatch, Scheduler timers) {
        this.keys = keys;
        this.pubSub = pubSub;
        this.cluster = pubSub instanceof StatefulRedisClusterPubSubConnection<String, String> c ? c : null;
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                dispatch.accept(message);
            }

            @Override
            public void smessage(String channel, String message) {
                dispatch.accept(message);
            }
        });
        if (cluster == null) {
            subscribedOn = null;
            pubSub.reactive().subscribe(keys.fillsChannel()).block(Duration.ofSeconds(10));
            checks = () -> { };
            reconnects = () -> { };
        }
        else {
            subscribedOn = new String[SlotHash.SLOT_COUNT];
            reconnects = events.subscribe(this::onConnectionEvent);
            follow().block(Duration.ofSeconds(30));
            checks = Flux.interval(CHECK_EVERY, CHECK_EVERY, timers).onBackpressureDrop()
                    .concatMap(tick -> follow().onErrorResume(error -> {
                        // the checks must outlive any one failure
                        log.warn("sharded notice subscriptions not checked: {}", error.toString());
                        return Mono.just(0);
                    }))
                    .filter(n -> n > 0)
                    .subscribe(n -> {
                        resubscribed.addAndGet(n);
                        log.info("notices of {} slots subscribed again on their new masters", n);
                    });
        }
    }

    /** Subscribes to the notices of {@code keys} and hands each message to {@code dispatch}. */
    static NoticeChannels open(RedisConnections redis, CacheKeys keys, Consumer<String> dispatch, Scheduler timers) {
        return new NoticeChannels(keys, redis.connectPubSub(), redis.events(), dispatch, timers);
    }

    /** Whether the notices are sharded (a cluster). */
    boolean sharded() {
        return cluster != null;
    }

    /** Slots subscribed again on a new owner since the start (a failover or a migration moved them). */
    int resubscribed() {
        return resubscribed.get();
    }

    /**
     * Subscribes every slot whose owner is not where its channel was subscribed (the first time:
     * all 16384 slots, a fraction of a second); emits how many were subscribed. One check at a
     * time: a tick that finds one still running is skipped.
     */
    private Mono<Integer> follow() {
        if (!following.compareAndSet(false, true)) {
            return Mono.just(0);
        }
        Partitions partitions = cluster.getPartitions();
        for (InetSocketAddress node = cameBack.poll(); node != null; node = cameBack.poll()) {
            forgetSlotsOf(node, partitions);
        }
        List<Integer> moved = new ArrayList<>();
        for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
            RedisClusterNode owner = partitions.getMasterBySlot(slot);
            if (owner != null && !owner.getNodeId().equals(subscribedOn[slot])) {
                moved.add(slot);
            }
        }
        AtomicInteger done = new AtomicInteger();
        return Flux.fromIterable(moved)
                .flatMap(slot -> {
                    String owner = partitions.getMasterBySlot(slot).getNodeId();
                    return cluster.reactive().ssubscribe(keys.shardChannel(slot))
                            .doOnSuccess(ok -> {
                                subscribedOn[slot] = owner;
                                done.incrementAndGet();
                            })
                            .onErrorResume(error -> Mono.empty()); // tried again at the next check
                }, IN_FLIGHT)
                .then(Mono.fromSupplier(done::get))
                .doFinally(signal -> following.set(false));
    }

    /**
     * Notes a connection to a node reconnecting, and back once it reconnected: its subscriptions
     * are gone. Only reconnects count (Lettuce's watchdog announces each attempt): the topology
     * refresh's own short-lived connections come and go without one.
     */
    private void onConnectionEvent(Event event) {
        if (event instanceof ReconnectAttemptEvent attempt && attempt.remoteAddress() instanceof InetSocketAddress node) {
            reconnecting.add(node);
        }
        else if (event instanceof ConnectionActivatedEvent up && up.remoteAddress() instanceof InetSocketAddress node
                && reconnecting.remove(node)) {
            cameBack.add(node);
        }
    }

    /** Marks the slots of the master at {@code address} as not subscribed. */
    private void forgetSlotsOf(InetSocketAddress address, Partitions partitions) {
        for (RedisClusterNode node : partitions) {
            if (node.getUri().getPort() == address.getPort()
                    && node.getUri().getHost().equals(address.getHostString())) {
                node.getSlots().forEach(slot -> subscribedOn[slot] = null);
            }
        }
    }

    @Override
    public void close() {
        reconnects.dispose();
        checks.dispose();
        pubSub.close();
    }
}
