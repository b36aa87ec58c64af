package io.herdlab.owner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import io.herdlab.cache.CacheEntry;
import io.herdlab.cache.UserCache.Lookup;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.contract.OwnerOutcome;
import io.herdlab.guard.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Owner routing, after groupcache: every key has one owner among the live {@link Members}
 * (rendezvous hashing); a miss on the owner loads under {@code ownerFlight}, the owner's own
 * single-flight, and fills; a miss anywhere else is forwarded once to the owner, whose answer
 * (value, "no such user", or its 503) is this replica's. One load per key per cluster, with no
 * lock in Redis: the coordination is one HTTP request per miss per replica (a local single-flight
 * in front makes it one per key per replica).
 *
 * <p>A forwarded read arrives through {@link #forwarded()}, which is {@code ownerFlight} itself:
 * it loads whatever this replica believes about membership, so two replicas that disagree never
 * bounce a read between them. A forward that fails (connection refused, no answer within the
 * forward timeout) falls back to loading here under {@code ownerFlight}: at most one extra load
 * per key per replica while an owner is dead or frozen, until the membership drops it.
 */
public final class OwnerCoalescer implements Coalescer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OwnerCoalescer.class);

    private final Members members;
    private final Forwarder forwarder;
    private final Coalescer ownerFlight;
    private final OwnerEvents events;
    private final Duration forwardTimeout;
    /** Closed with this coalescer, in order: the timers first, the connections last. */
    private final List<AutoCloseable> resources;

    OwnerCoalescer(Members members, Forwarder forwarder, Coalescer ownerFlight, OwnerEvents events,
            Duration forwardTimeout, List<AutoCloseable> resources) {
        this.members = members;
        this.forwardTimeout = forwardTimeout;
        this.forwarder = forwarder;
        this.ownerFlight = ownerFlight;
        this.events = events;
        this.resources = resources;
    }

    /**
     * Owner routing as {@code p} configures it, its members resolved and probed from now on.
     *
     * @param managementPort        this replica's management port: its default {@code self}
     * @param defaultForwardTimeout the forward's bound when {@code p} sets none
     * @param ownerFlight           this replica's single-flight around its own load and fill
     */
    public static OwnerCoalescer start(OwnerProperties p, int managementPort, Duration defaultForwardTimeout,
            Coalescer ownerFlight, OwnerEvents events) {
        String self = p.self() != null && !p.self().isBlank() ? p.self() : "http://127.0.0.1:" + managementPort;
        Duration forwardTimeout = p.forwardTimeout() != null ? p.forwardTimeout() : defaultForwardTimeout;
        Forwarder forwarder = new Forwarder(p.connectTimeout(), forwardTimeout);
        Scheduler timers = Schedulers.newSingle("herd-owner-members", true);
        List<AutoCloseable> resources = new ArrayList<>();
        Supplier<Mono<List<String>>> source;
        Duration refresh;
        if (p.dns() != null && !p.dns().isBlank()) {
            DnsMembers dns = new DnsMembers(p.dns(), p.dnsPort());
            resources.add(dns);
            source = dns;
            refresh = p.dnsRefresh();
        }
        else if (p.membersFile() != null) {
            source = () -> Mono.fromCallable(() -> membersIn(p.membersFile())).subscribeOn(Schedulers.boundedElastic());
            refresh = p.dnsRefresh();
        }
        else {
            source = () -> Mono.just(p.members());
            refresh = Duration.ZERO;
        }
        Members members = new Members(self, source, member -> forwarder.probe(member, p.probeTimeout()), refresh,
                p.probeInterval(), p.downAfter(), timers, (member, reason) -> events.membershipChanged(reason)).start();
        resources.add(0, members);
        resources.add(timers::dispose);
        resources.add(forwarder);
        log.info("owner routing: this replica is {}, live members {}, forward timeout {} ms", self, members.live(),
                forwardTimeout.toMillis());
        return new OwnerCoalescer(members, forwarder, ownerFlight, events, forwardTimeout, resources);
    }

    /** The coalescer a forwarded read goes through: the owner's single-flight, which never forwards. */
    public Coalescer forwarded() {
        return new Coalescer() {
            @Override
            public Mono<Lookup> lookup(long id) {
                events.servedAsOwner(true);
                return ownerFlight.lookup(id);
            }

            @Override
            public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
                return ownerFlight.load(id, lookup, noted(id, false, load));
            }

            @Override
            public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
                return ownerFlight.refresh(id, lookup, load);
            }
        };
    }

    /** The member URLs a members file lists: one a line or comma-separated, {@code #} to the end of a line a comment. */
    static List<String> membersIn(Path file) throws IOException {
        return Files.readAllLines(file).stream()
                .map(line -> line.replaceAll("#.*", ""))
                .flatMap(line -> Arrays.stream(line.split(",")))
                .map(String::trim)
                .filter(member -> !member.isEmpty())
                .distinct()
                .toList();
    }

    @Override
    public Mono<Lookup> lookup(long id) {
        return ownerFlight.lookup(id);
    }

    @Override
    public Mono<CacheEntry> load(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return Mono.defer(() -> {
            String owner = members.ownerOf(id);
            if (owner.equals(members.self())) {
                events.servedAsOwner(false);
                return ownerFlight.load(id, lookup, noted(id, false, load));
            }
            long start = System.nanoTime();
            return forwarder.forward(owner, id)
                    .doOnEach(signal -> {
                        if (signal.isOnNext() || (signal.isOnError()
                                && !(signal.getThrowable() instanceof Forwarder.Unreachable))) {
                            events.forwarded(Duration.ofNanos(System.nanoTime() - start));
                        }
                        if (signal.isOnNext() || signal.getThrowable() instanceof UnavailableException) {
                            members.heard(owner); // it answered: alive, however late its probes are
                        }
                    })
                    .onErrorResume(Forwarder.Unreachable.class, unreachable -> {
                        if (unreachable.refused()) {
                            members.refused(owner);
                        }
                        events.fallback();
                        log.debug("{}; loading user {} here", unreachable.getMessage(), id);
                        return ownerFlight.load(id, lookup, noted(id, true, load));
                    });
        });
    }

    /**
     * {@code load}, which notes, when it runs (a database load, not a request joining one), why
     * another replica may load the key too: a fallback, a key this replica owns only because its
     * owner over the listed members is counted down here, or a forwarded read of a key it does
     * not own (the views disagree). The lab attributes duplicate loads with these.
     */
    private Supplier<Mono<CacheEntry>> noted(long id, boolean fallback, Supplier<Mono<CacheEntry>> load) {
        return () -> {
            OwnerOutcome why = fallback ? OwnerOutcome.FALLBACK
                    : !members.ownerOf(id).equals(members.self()) ? OwnerOutcome.NOT_OWNER
                    : !members.listedOwnerOf(id).equals(members.self()) ? OwnerOutcome.MOVED : null;
            if (why != null) {
                events.loaded(why, id);
            }
            return load.get();
        };
    }

    /** A background refresh runs where the key is owned: here, or (answering nobody) at the owner. */
    @Override
    public Mono<Void> refresh(long id, Lookup lookup, Supplier<Mono<CacheEntry>> load) {
        return members.ownerOf(id).equals(members.self()) ? ownerFlight.refresh(id, lookup, load)
                : load(id, lookup, load).then();
    }

    /** The longest a forward may take, the owner's load included. */
    public Duration forwardTimeout() {
        return forwardTimeout;
    }

    /** The live members, sorted (this replica among them). */
    public List<String> live() {
        return members.live();
    }

    /** Closes every resource, each even when another failed (Netty's loops may be gone at shutdown). */
    @Override
    public void close() {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            }
            catch (Exception ex) {
                log.debug("owner routing: closing {} failed: {}", resource, ex.toString());
            }
        }
    }
}
