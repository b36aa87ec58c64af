package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
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
 * <p>A sharded subscription lives on one node's connection. Lettuce renews it when that connection
 * comes back, but not when the slot moves (a failover, a migration): the old node is gone or no
 * longer serves the slot, and the new owner never heard of the subscription (Lettuce issues #2940,
 * #3213). So every {@link #CHECK_EVERY} the slots' owners, as the client's last topology refresh
 * sees them, are compared with where each slot was subscribed, and a slot that moved is
 * subscribed again on its new owner. Until then a follower on that slot hears nothing and waits
 * for its backstop (the holder's lease time): slower, never wrong.
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
    /** Whether a check is running. */
    private final AtomicBoolean following = new AtomicBoolean();
    private final AtomicInteger resubscribed = new AtomicInteger();

    private NoticeChannels(CacheKeys keys, StatefulRedisPubSubConnection<String, String> pubSub,
            Consumer<String> dispatch, Scheduler timers) {
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
        }
        else {
            subscribedOn = new String[SlotHash.SLOT_COUNT];
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
        return new NoticeChannels(keys, redis.connectPubSub(), dispatch, timers);
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

    @Override
    public void close() {
        checks.dispose();
        pubSub.close();
    }
}
