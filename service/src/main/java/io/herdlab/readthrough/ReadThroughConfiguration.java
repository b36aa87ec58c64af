package io.herdlab.readthrough;

import java.time.Clock;
import java.time.Duration;

import io.herdlab.Mitigation;
import io.herdlab.cache.RedisConnections;
import io.herdlab.cache.RedisSettings;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.coalesce.LocalSingleFlight;
import io.herdlab.coalesce.NoCoalescer;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.contract.MembershipChange;
import io.herdlab.contract.OwnerOutcome;
import io.herdlab.guard.DbGuard;
import io.herdlab.lease.Leases;
import io.herdlab.metrics.CoalesceRole;
import io.herdlab.metrics.CoalesceScope;
import io.herdlab.metrics.HerdMetrics;
import io.herdlab.metrics.RedisCommandCounter;
import io.herdlab.owner.OwnerCoalescer;
import io.herdlab.owner.OwnerEvents;
import io.herdlab.owner.OwnerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Picks the coalescer the mitigation names and builds the read-through cache around it. */
@Configuration(proxyBeanMethods = false)
class ReadThroughConfiguration {

    /** A local follower in front of a lease outlives its leader's own bounded wait. */
    private static final Duration TIERED_MARGIN = Duration.ofSeconds(1);

    /**
     * Where the callers that waited on another's load are answered: off the Redis client's
     * threads (a hot key's hundreds of answers there held up every other reply) and off the
     * lease's timers (a renewal tick would wait behind them).
     */
    @Bean(destroyMethod = "dispose")
    Scheduler wakeups() {
        return Schedulers.newParallel("herd-wakeup", Schedulers.DEFAULT_POOL_SIZE, true);
    }

    @Bean(destroyMethod = "close")
    Coalescers coalescers(Mitigation mitigation, UserCache cache, HerdMetrics metrics, RedisConnections redis,
            RedisSettings settings, Clock clock, RedisCommandCounter commands, Scheduler wakeups,
            OwnerProperties owner, Environment environment) {
        MeteredEvents events = new MeteredEvents(metrics);
        Leases.Context lease = new Leases.Context(redis, settings, cache, mitigation, clock, events,
                commands, wakeups);
        return switch (mitigation.coalescer()) {
            case NONE -> new Coalescers(new NoCoalescer(cache), null, null);
            case LOCAL -> new Coalescers(new LocalSingleFlight(NoCoalescer.rechecking(cache), mitigation.waitTimeout(),
                    events, wakeups), null, null);
            case LUA -> Coalescers.of(Leases.lua(lease));
            case REDISSON -> Coalescers.of(Leases.redisson(lease));
            case TIERED -> {
                Leases leases = Leases.lua(lease);
                yield new Coalescers(new LocalSingleFlight(leases.coalescer(),
                        mitigation.waitTimeout().plus(TIERED_MARGIN), events, wakeups), null, leases);
            }
            case OWNER -> owner(mitigation, cache, events, wakeups, owner,
                    environment.getProperty("management.server.port", Integer.class, 8081));
        };
    }

    /**
     * Owner routing: the owner's own single-flight loads (for this replica's requests and for the
     * reads forwarded to it alike, so the two share one load), and a single-flight in front of the
     * routing, so this replica's concurrent misses of a key make one forward. The front flight's
     * followers outlive a forward and the fallback load after it.
     */
    private static Coalescers owner(Mitigation mitigation, UserCache cache, MeteredEvents events, Scheduler wakeups,
            OwnerProperties properties, int managementPort) {
        Coalescer ownerFlight = new LocalSingleFlight(CoalesceScope.OWNER, NoCoalescer.rechecking(cache), mitigation.waitTimeout(),
                events, wakeups);
        OwnerCoalescer routing = OwnerCoalescer.start(properties, managementPort, mitigation.waitTimeout(),
                ownerFlight, events);
        events.metrics().ownerMembers(() -> routing.live().size());
        Coalescer front = new LocalSingleFlight(routing,
                routing.forwardTimeout().plus(mitigation.waitTimeout()).plus(TIERED_MARGIN),
                events, wakeups);
        return new Coalescers(front, routing.forwarded(), routing);
    }

    /** The coalescer in use, on its own: tests look inside it after a burst. */
    @Bean
    Coalescer coalescer(Coalescers coalescers) {
        return coalescers.coalescer();
    }

    @Bean
    ReadThrough readThrough(UserCache cache, Coalescers coalescers, RowSource source, DbGuard guard,
            HerdMetrics metrics, Mitigation mitigation) {
        return new ReadThrough(cache, coalescers.coalescer(), coalescers.forwarded(), source, guard, metrics,
                mitigation);
    }

    /** Coalescing events as herdlab's metrics. */
    private record MeteredEvents(HerdMetrics metrics) implements CoalesceEvents, OwnerEvents {
        @Override
        public void forwarded(Duration took) {
            metrics.ownerForward(took);
        }

        @Override
        public void fallback() {
            metrics.ownerFallback();
        }

        @Override
        public void servedAsOwner(boolean forwarded) {
            metrics.ownerServed(forwarded);
        }

        @Override
        public void membershipChanged(MembershipChange reason) {
            metrics.ownerMembershipChange(reason);
        }

        @Override
        public void loaded(OwnerOutcome outcome, long id) {
            metrics.ownerLoad(outcome, id);
        }

        @Override
        public void role(CoalesceScope scope, CoalesceRole role) {
            metrics.coalesceRole(scope, role);
        }

        @Override
        public void followerWaited(CoalesceScope scope, Duration waited) {
            metrics.coalesceWait(scope, waited);
        }

        @Override
        public void followerTimedOut(CoalesceScope scope) {
            metrics.coalesceTimeout(scope);
        }

        @Override
        public void lease(CoalesceScope scope, LeaseOutcome outcome, long id) {
            metrics.lease(scope, outcome, id);
        }

        @Override
        public void wokeUp(CoalesceScope scope, Duration sinceFill) {
            metrics.wakeUp(scope, sinceFill);
        }
    }

    /**
     * The coalescer in use, the one that serves reads forwarded here (owner routing; null: none),
     * and the resources to close with the context (leases, owner routing; null: none).
     */
    record Coalescers(Coalescer coalescer, Coalescer forwarded, AutoCloseable resources) implements AutoCloseable {
        static Coalescers of(Leases leases) {
            return new Coalescers(leases.coalescer(), null, leases);
        }

        @Override
        public void close() throws Exception {
            if (resources != null) {
                resources.close();
            }
        }
    }
}
