package io.herdlab.lease;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.herdlab.Mitigation;
import io.herdlab.cache.RedisConnections;
import io.herdlab.cache.RedisSettings;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.metrics.CoalesceScope;
import io.herdlab.metrics.RedisCommandCounter;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.BaseConfig;
import org.redisson.config.ClusterServersConfig;
import org.redisson.config.Config;
import org.redisson.config.ConstantDelay;
import org.redisson.config.EqualJitterDelay;
import org.redisson.config.ReadMode;
import org.redisson.config.SingleServerConfig;
import org.redisson.config.SslVerificationMode;
import org.redisson.config.SubscriptionMode;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds a lease coalescer (herdlab's own SET NX lease, {@code lua}, or a Redisson lock) and owns
 * what it opened: the fills subscription and, for Redisson, its client, configured from the same
 * Redis settings as the cache's Lettuce client and checked at start-up to see the same database.
 */
public final class Leases implements AutoCloseable {

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
    private final NoticeChannels channels;
    private final Coalescer coalescer;

    /** What a lease needs from the rest of the service; {@code wakeups}: where followers are woken. */
    public record Context(RedisConnections redis, RedisSettings settings, UserCache cache, Mitigation mitigation, Clock clock, CoalesceEvents events,
            RedisCommandCounter commands, Scheduler wakeups) {
    }

    private Leases(Context context, boolean redisson) {
        Scheduler timers = Schedulers.parallel();
        LongSupplier now = () -> timers.now(TimeUnit.MILLISECONDS);
        Mitigation m = context.mitigation();
        RedisConnections redis = context.redis();
        Notices notices = new Notices(now);
        channels = NoticeChannels.open(redis, context.cache().keys(), notices::dispatch, timers);
        opened.add(channels);
        LeaseScripts scripts = new LeaseScripts(redis.reactive(), context.cache().keys(), m.leaseTime(),
                channels.sharded());
        LeaseStore store;
        if (redisson) {
            RedissonClient client = Redisson.create(redissonConfig(context.settings()));
            opened.add(client::shutdown);
            checkSameDatabase(redis.sync(), client, context.cache().keys().prefix(), context.settings());
            store = new RedissonLeaseStore(client.reactive(), scripts, context.cache(), context.commands(), now);
            scripts.preload().onErrorResume(error -> Mono.empty()).block(Duration.ofSeconds(10));
        }
        else {
            SetNxLeaseStore setNx = new SetNxLeaseStore(scripts, context.cache(), context.clock(), now);
            setNx.preload().onErrorResume(error -> Mono.empty()).block(Duration.ofSeconds(10));
            store = setNx;
        }
        coalescer = new LeaseCoalescer(redisson ? CoalesceScope.REDISSON : CoalesceScope.LUA, store, context.cache(), notices, m.leaseTime(),
                m.waitTimeout(), redis::isOpen, redis.clustered(), new LeaseThreads(timers, context.wakeups()),
                context.events());
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

    /** Slots whose notices were subscribed again on a new master (a failover or migration moved them). */
    public int noticeSlotsResubscribed() {
        return channels.resubscribed();
    }

    /** Redisson's config from the same settings as the Lettuce client's: one server, or the cluster. */
    static Config redissonConfig(RedisSettings settings) {
        RedisURI uri = settings.toUri();
        Config config = new Config();
        config.setCodec(StringCodec.INSTANCE);
        config.setNettyThreads(4);
        if (uri.getUsername() != null) {
            config.setUsername(uri.getUsername());
        }
        if (uri.getPassword() != null && uri.getPassword().length > 0) {
            config.setPassword(new String(uri.getPassword()));
        }
        String scheme = uri.isSsl() ? "rediss://" : "redis://";
        if (settings.clustered()) {
            ClusterServersConfig cluster = config.useClusterServers()
                    // the lock is asked for and read on the masters only: a replica's copy may lag
                    .setReadMode(ReadMode.MASTER)
                    .setSubscriptionMode(SubscriptionMode.MASTER)
                    .setScanInterval(1000)
                    .setMasterConnectionMinimumIdleSize(4)
                    .setMasterConnectionPoolSize(32);
            settings.clusterUris()
                    .forEach(node -> cluster.addNodeAddress(scheme + node.getHost() + ":" + node.getPort()));
            common(cluster, settings, uri);
        }
        else {
            SingleServerConfig server = config.useSingleServer()
                    .setAddress(scheme + uri.getHost() + ":" + uri.getPort())
                    .setDatabase(uri.getDatabase())
                    .setConnectionMinimumIdleSize(4)
                    .setConnectionPoolSize(32);
            common(server, settings, uri);
        }
        return config;
    }

    /** What one server and a cluster are told the same way: Redisson's own timeouts, client name, TLS. */
    private static void common(BaseConfig<?> server, RedisSettings settings, RedisURI uri) {
        server.setConnectTimeout((int) settings.connectTimeout().toMillis());
        server.setTimeout(REDISSON_TIMEOUT_MS);
        server.setRetryAttempts(REDISSON_RETRY_ATTEMPTS);
        server.setRetryDelay(new ConstantDelay(REDISSON_RETRY_DELAY));
        server.setReconnectionDelay(new EqualJitterDelay(Duration.ofMillis(100), Duration.ofSeconds(2)));
        server.setPingConnectionInterval(1000);
        if (uri.getClientName() != null) {
            server.setClientName(uri.getClientName());
        }
        if (uri.isSsl() && !uri.isVerifyPeer()) {
            server.setSslVerificationMode(SslVerificationMode.NONE);
        }
    }

    /**
     * Writes a probe key through Lettuce and reads it through Redisson: a lease in one Redis
     * database and the cache in another would fence every fill and fail every follower.
     */
    static void checkSameDatabase(RedisClusterCommands<String, String> lettuce, RedissonClient redisson,
            String prefix, RedisSettings settings) {
        String key = prefix + "{probe}:" + UUID.randomUUID();
        String value = UUID.randomUUID().toString();
        lettuce.set(key, value, SetArgs.Builder.px(30_000));
        try {
            Object seen = redisson.getBucket(key, StringCodec.INSTANCE).get();
            if (!value.equals(seen)) {
                throw new IllegalStateException("the Redisson lease and the Lettuce cache do not see the same "
                        + "Redis database (" + settings.describe() + "): a key written by "
                        + "one is not there for the other; check spring.data.redis.*");
            }
        }
        finally {
            lettuce.del(key);
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }
}
