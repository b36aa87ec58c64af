package io.herdlab.lease;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.herdlab.Mitigation;
import io.herdlab.cache.RedisSettings;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.metrics.RedisCommandCounter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.EqualJitterDelay;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SslVerificationMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds a lease coalescer (herdlab's own SET NX lease, {@code lua}, or a Redisson lock) and owns
 * what it opened: the fills subscription and, for Redisson, its client, configured from the same
 * Redis settings as the cache's Lettuce client and checked at start-up to see the same database.
 */
public final class Leases implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Leases.class);

    /** A user's lease key is its value key plus this suffix (same hash tag, same slot). */
    public static final String LEASE_KEY_SUFFIX = ":lease";

    /**
     * Redisson's own timeouts, set explicitly: one attempt and a short wait, because a caller
     * that cannot ask for a lease falls back to waiting (Redis slow) or loading directly (Redis
     * gone) rather than being held up by retries.
     */
    private static final int REDISSON_TIMEOUT_MS = 1000;
    private static final int REDISSON_RETRY_ATTEMPTS = 1;
    private static final Duration REDISSON_RETRY_DELAY = Duration.ofMillis(100);

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final Coalescer coalescer;

    /** What a lease needs from the rest of the service; {@code wakeups}: where followers are woken. */
    public record Context(RedisClient client, StatefulRedisConnection<String, String> connection,
            RedisSettings settings, UserCache cache, Mitigation mitigation, Clock clock, CoalesceEvents events,
            RedisCommandCounter commands, Scheduler wakeups) {
    }

    private Leases(Context context, boolean redisson) {
        Scheduler timers = Schedulers.parallel();
        LongSupplier now = () -> timers.now(TimeUnit.MILLISECONDS);
        Mitigation m = context.mitigation();
        StatefulRedisConnection<String, String> connection = context.connection();
        LeaseScripts scripts = new LeaseScripts(connection.reactive(), context.cache().keys(), m.leaseTime());
        Notices notices = new Notices(now);
        StatefulRedisPubSubConnection<String, String> pubSub = context.client().connectPubSub();
        opened.add(pubSub::close);
        Disposable subscription = pubSub.reactive().observeChannels()
                .subscribe(message -> notices.dispatch(message.getMessage()),
                        error -> log.warn("fill notices stopped: {}", error.toString()));
        opened.add(subscription::dispose);
        pubSub.reactive().subscribe(scripts.channel()).block(Duration.ofSeconds(10));
        LeaseStore store;
        if (redisson) {
            RedissonClient client = Redisson.create(redissonConfig(context.settings()));
            opened.add(client::shutdown);
            checkSameDatabase(connection, client, context.cache().keys().prefix(), context.settings());
            store = new RedissonLeaseStore(client.reactive(), scripts, context.cache(), context.commands(), now);
            scripts.preload().onErrorResume(error -> Mono.empty()).block(Duration.ofSeconds(10));
        }
        else {
            SetNxLeaseStore setNx = new SetNxLeaseStore(scripts, context.cache(), context.clock(), now);
            setNx.preload().onErrorResume(error -> Mono.empty()).block(Duration.ofSeconds(10));
            store = setNx;
        }
        coalescer = new LeaseCoalescer(redisson ? "redisson" : "lua", store, context.cache(), notices, m.leaseTime(),
                m.waitTimeout(), connection::isOpen, new LeaseThreads(timers, context.wakeups()), context.events());
    }

    public static Leases lua(Context context) {
        return new Leases(context, false);
    }

    public static Leases redisson(Context context) {
        return new Leases(context, true);
    }

    public Coalescer coalescer() {
        return coalescer;
    }

    /** Redisson's config from the one Redis URI both clients use. */
    static Config redissonConfig(RedisSettings settings) {
        RedisURI uri = settings.toUri();
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setNettyThreads(4);
        SingleServerConfig server = config.useSingleServer()
                .setAddress((uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort())
                .setDatabase(uri.getDatabase())
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTimeout(REDISSON_TIMEOUT_MS)
                .setRetryAttempts(REDISSON_RETRY_ATTEMPTS)
                .setRetryDelay(new ConstantDelay(REDISSON_RETRY_DELAY))
                .setReconnectionDelay(new EqualJitterDelay(Duration.ofMillis(100), Duration.ofSeconds(2)))
                .setPingConnectionInterval(1000)
                .setConnectionMinimumIdleSize(4)
                .setConnectionPoolSize(32);
        if (uri.getUsername() != null) {
            config.setUsername(uri.getUsername());
        }
        if (uri.getPassword() != null && uri.getPassword().length > 0) {
            config.setPassword(new String(uri.getPassword()));
        }
        if (uri.getClientName() != null) {
            server.setClientName(uri.getClientName());
        }
        if (uri.isSsl() && !uri.isVerifyPeer()) {
            server.setSslVerificationMode(SslVerificationMode.NONE);
        }
        return config;
    }

    /**
     * Writes a probe key through Lettuce and reads it through Redisson: a lease in one Redis
     * database and the cache in another would fence every fill and fail every follower.
     */
    static void checkSameDatabase(StatefulRedisConnection<String, String> lettuce, RedissonClient redisson,
            String prefix, RedisSettings settings) {
        String key = prefix + "{probe}:" + UUID.randomUUID();
        String value = UUID.randomUUID().toString();
        lettuce.sync().set(key, value, SetArgs.Builder.px(30_000));
        try {
            Object seen = redisson.getBucket(key, StringCodec.INSTANCE).get();
            if (!value.equals(seen)) {
                throw new IllegalStateException("the Redisson lease and the Lettuce cache do not see the same "
                        + "Redis database (" + RedisSettings.describe(settings.toUri()) + "): a key written by "
                        + "one is not there for the other; check spring.data.redis.*");
            }
        }
        finally {
            lettuce.sync().del(key);
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
