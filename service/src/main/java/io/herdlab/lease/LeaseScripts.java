package io.herdlab.lease;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.herdlab.cache.CacheKeys;
import io.herdlab.cache.RedisScript;
import io.herdlab.cache.UserCache.Prepared;
import io.herdlab.contract.LeaseOutcome;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The scripts both lease stores share, over the cache's Lettuce connection: the keys of a user's
 * lease, and the fenced fill, renewal and release (each prefixed by {@code holds.lua}, which
 * knows a string lease from a Redisson lock). Every script touches the keys of one user only
 * (one hash slot); the fills channel is an argument. On a Redis Cluster ({@code sharded}) the
 * notices go out with {@code SPUBLISH} on the channel of the user's slot, and a renewal of many
 * leases is one call per slot (a script's keys must share one).
 */
final class LeaseScripts {

    /** What a fenced fill did; see {@code fenced-fill.lua}. */
    enum Fill {
        WRITTEN(null), FENCED(LeaseOutcome.FENCED), LOST(LeaseOutcome.LOST), REFUSED(LeaseOutcome.REFUSED);

        private final LeaseOutcome outcome;

        Fill(LeaseOutcome outcome) {
            this.outcome = outcome;
        }

        /** The lease event a fill that was not written counts as (null: written). */
        LeaseOutcome outcome() {
            return outcome;
        }
    }

    /**
     * How long "no such user" is kept (without negative caching) for a caller whose look-up
     * comes right after the holder's fill.
     */
    static final Duration OUTCOME_TTL = Duration.ofSeconds(2);

    final RedisClusterReactiveCommands<String, String> redis;
    private final CacheKeys keys;
    final Duration leaseTime;
    private final boolean sharded;
    private final RedisScript fillScript;
    private final RedisScript renewScript;
    private final RedisScript releaseScript;

    /** The scripts on one Redis server. */
    LeaseScripts(RedisClusterReactiveCommands<String, String> redis, CacheKeys keys, Duration leaseTime) {
        this(redis, keys, leaseTime, false);
    }

    /** @param sharded a Redis Cluster: sharded notices, one renewal call per slot */
    LeaseScripts(RedisClusterReactiveCommands<String, String> redis, CacheKeys keys, Duration leaseTime,
            boolean sharded) {
        this.redis = redis;
        this.keys = keys;
        this.leaseTime = leaseTime;
        this.sharded = sharded;
        String publish = sharded ? "lease/spublish.lua" : "lease/publish.lua";
        this.fillScript = RedisScript.load("lease/fenced-fill.lua", publish, "lease/holds.lua");
        this.renewScript = RedisScript.load("lease/renew.lua", publish, "lease/holds.lua");
        this.releaseScript = RedisScript.load("lease/release.lua", publish, "lease/holds.lua");
    }

    /** Teaches Redis every lease script now, so the first herd does not meet NOSCRIPT (see {@link RedisScript}). */
    Mono<Void> preload() {
        return Mono.when(fillScript.preload(redis), renewScript.preload(redis), releaseScript.preload(redis));
    }

    String valueKey(long id) {
        return keys.value(id);
    }

    String leaseKey(long id) {
        return keys.value(id) + Leases.LEASE_KEY_SUFFIX;
    }

    String outcomeKey(long id) {
        return keys.value(id) + ":outcome";
    }

    /** Where the notices about user {@code id} are published. */
    String channel(long id) {
        return sharded ? keys.fillsChannel(id) : keys.fillsChannel();
    }

    Mono<Fill> fill(Lease lease, Prepared prepared, boolean absent) {
        return fillScript.<Long>run(redis, ScriptOutputType.INTEGER,
                        new String[] {leaseKey(lease.id()), valueKey(lease.id()), outcomeKey(lease.id())},
                        lease.token(), lease.field(), prepared.cacheable() ? prepared.value() : "",
                        Long.toString(prepared.expiresAtMs()), Long.toString(prepared.version()), channel(lease.id()),
                        Long.toString(lease.id()), absent ? "A" : "F", Long.toString(OUTCOME_TTL.toMillis()))
                .map(result -> switch (result.intValue()) {
                    case 1 -> Fill.WRITTEN;
                    case 0 -> Fill.FENCED;
                    case -1 -> Fill.LOST;
                    default -> Fill.REFUSED;
                });
    }

    /**
     * Renews {@code leases}, in one call (one per slot on a cluster): per lease, in order, whether
     * it is still held (and now extended).
     */
    Mono<List<Boolean>> renew(List<Lease> leases) {
        if (!sharded) {
            return renewInOneSlot(leases);
        }
        Map<Integer, List<Lease>> bySlot = new LinkedHashMap<>();
        for (Lease lease : leases) {
            bySlot.computeIfAbsent(SlotHash.getSlot(leaseKey(lease.id())), slot -> new ArrayList<>()).add(lease);
        }
        if (bySlot.size() == 1) {
            return renewInOneSlot(leases);
        }
        return Flux.fromIterable(bySlot.values())
                .flatMap(group -> renewInOneSlot(group).map(held -> zip(group, held)))
                .collectList()
                .map(answers -> {
                    Map<Lease, Boolean> held = new HashMap<>();
                    answers.forEach(held::putAll);
                    return leases.stream().map(held::get).toList();
                });
    }

    private static Map<Lease, Boolean> zip(List<Lease> leases, List<Boolean> held) {
        Map<Lease, Boolean> out = new HashMap<>();
        for (int i = 0; i < leases.size(); i++) {
            out.put(leases.get(i), held.get(i));
        }
        return out;
    }

    /** One {@code renew.lua} call for leases whose keys share one slot (all of them, on one server). */
    private Mono<List<Boolean>> renewInOneSlot(List<Lease> leases) {
        String[] keys = new String[leases.size()];
        String[] args = new String[2 + 3 * leases.size()];
        args[0] = Long.toString(leaseTime.toMillis());
        args[1] = channel(leases.get(0).id());
        for (int i = 0; i < leases.size(); i++) {
            Lease lease = leases.get(i);
            keys[i] = leaseKey(lease.id());
            args[2 + 3 * i] = lease.token();
            args[3 + 3 * i] = lease.field();
            args[4 + 3 * i] = Long.toString(lease.id());
        }
        return renewScript.<List<Long>>run(redis, ScriptOutputType.MULTI, keys, args)
                .map(held -> held.stream().map(h -> h == 1L).toList());
    }

    Mono<Void> release(Lease lease, Notices.Kind why) {
        return releaseScript.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {leaseKey(lease.id())},
                lease.token(), lease.field(), channel(lease.id()), Long.toString(lease.id()), String.valueOf(why.code)).then();
    }
}
