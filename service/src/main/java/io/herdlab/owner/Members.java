package io.herdlab.owner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.herdlab.contract.MembershipChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Who the members are, and which of them answer. The list comes from {@code source}
 * (configuration, or a headless Service's DNS name re-resolved every {@code refreshEvery});
 * every {@code probeEvery} each other member is probed. This replica is always a live member: it
 * can always load for itself. All timers run on {@code scheduler}, so the rules are tested on
 * virtual time.
 *
 * <p><b>When a member is dropped.</b> Dropping a member that is alive is not free: its keys move,
 * and until every replica has dropped it (and again when it is back) two replicas may each load
 * a key as its owner. Under a spike every replica is busy, and a probe that waits for a busy
 * member's event loop, or for the prober's own, goes unanswered for seconds (the lab's scaling run
 * at 5 replicas on 2 cores: members dropped for a moment, 26 keys loaded twice). So the rules tell
 * a busy member from a dead one:
 * <ul>
 * <li>any answer is liveness: a probe's, and a forward the member answered (200, 404 or its 503:
 *     a member that serves forwards is alive however late its probes are);</li>
 * <li>a refused connection means nothing listens on the member's port: the process is gone, so it
 *     is dropped at once (its keys move now, instead of costing every replica a fallback);</li>
 * <li>silence (probes and forwards unanswered: a busy or a frozen process) drops it only after
 *     {@code silentFor}, which is longer than a spike keeps a replica's CPUs. A frozen owner costs
 *     the replicas waiting on it the forward bound and one load each meanwhile, as before.</li>
 * </ul>
 * Every change of the live view is logged with its reason and told to {@code changes}.
 */
final class Members implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Members.class);

    /** What a probe of a member found. */
    enum Reply {
        /** It answered in time. */
        ANSWERED,
        /** Its port refused the connection: nothing listens there. */
        REFUSED,
        /** No answer in time (or another failure): busy, frozen, or out of reach. */
        SILENT
    }

    /** Told of every change of the live view. */
    interface Changes {
        void changed(String member, MembershipChange reason);
    }

    /** What is known of one member; replaced whole, read without locks. */
    private record Health(long lastAnswerMs, boolean down) {
    }

    private final String self;
    private final Supplier<Mono<List<String>>> source;
    private final Function<String, Mono<Reply>> probe;
    private final Duration refreshEvery;
    private final Duration probeEvery;
    private final Duration silentFor;
    private final Scheduler scheduler;
    private final Changes changes;
    /** The members the source named last, self included; health by member, for those alone. */
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    /** Whether the source answered once: the first list is the start, not a change. */
    private volatile boolean resolved;
    /** The live members, sorted; recomputed on every change, read on every miss. */
    private volatile List<String> live;
    /** Every listed member, live or not, sorted, self included: who would own a key if all answered. */
    private volatile List<String> listed;
    private final Disposable.Composite timers = Disposables.composite();

    /**
     * @param probe        answers how the member answered (a bounded call that never errors)
     * @param refreshEvery how often the source is asked again (zero: once, at start)
     * @param silentFor    how long a member may answer nothing before it is dropped
     */
    Members(String self, Supplier<Mono<List<String>>> source, Function<String, Mono<Reply>> probe,
            Duration refreshEvery, Duration probeEvery, Duration silentFor, Scheduler scheduler, Changes changes) {
        this.self = self;
        this.source = source;
        this.probe = probe;
        this.refreshEvery = refreshEvery;
        this.probeEvery = probeEvery;
        this.silentFor = silentFor;
        this.scheduler = scheduler;
        this.changes = changes;
        this.live = List.of(self);
        this.listed = List.of(self);
    }

    /** Resolves the members now, then keeps them and their health current until closed. */
    Members start() {
        refresh().block(Duration.ofSeconds(10));
        if (!refreshEvery.isZero()) {
            timers.add(every(refreshEvery, this::refresh));
        }
        timers.add(every(probeEvery, () -> Flux.fromIterable(new ArrayList<>(health.keySet()))
                .filter(member -> !member.equals(self))
                .flatMap(member -> probe.apply(member).doOnNext(reply -> probed(member, reply)))
                .then()));
        return this;
    }

    /**
     * Runs {@code round} every {@code period}, one round at a time, for as long as this lives. A
     * round that outlasts the period (a probe waiting for its timeout, a JVM still cold at start,
     * a replica starved under a spike) skips the ticks it overlaps: {@code Flux.interval} ends with
     * an overflow error when its ticks are not requested in time, and {@code concatMap} requests one
     * at a time, so without the drop one slow round stopped the probes for good (seen in every
     * replica of a lab run: at the first tick, at start, on four of five replicas).
     */
    private Disposable every(Duration period, Supplier<Mono<Void>> round) {
        return Flux.interval(period, period, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> round.get().onErrorResume(error -> {
                    log.warn("owner routing: a membership round failed, the next one runs as usual: {}", error.toString());
                    return Mono.empty();
                }), 0)
                .subscribe();
    }

    private Mono<Void> refresh() {
        return source.get()
                .doOnNext(this::known)
                .onErrorResume(error -> {
                    log.warn("owner routing: the member list could not be read, keeping {}: {}", live, error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** The source named these members: new ones start live, gone ones are forgotten. */
    void known(List<String> members) {
        long now = now();
        boolean first = !resolved;
        resolved = true;
        for (String gone : new ArrayList<>(health.keySet())) {
            if (!members.contains(gone) && health.remove(gone) != null && !first) {
                changed(gone, MembershipChange.REMOVED, "no longer named by the member source");
            }
        }
        for (String member : members) {
            if (health.putIfAbsent(member, new Health(now, false)) == null && !first && !member.equals(self)) {
                changed(member, MembershipChange.ADDED, "named by the member source");
            }
        }
        recompute();
    }

    /** A probe of {@code member} came back with {@code reply}. */
    void probed(String member, Reply reply) {
        switch (reply) {
            case ANSWERED -> heard(member);
            case REFUSED -> refused(member);
            case SILENT -> update(member, h -> h.down() || now() - h.lastAnswerMs() < silentFor.toMillis() ? h
                    : new Health(h.lastAnswerMs(), true), MembershipChange.SILENT,
                    "dropped: no answer for " + silentFor.toMillis() + " ms");
        }
    }

    /** {@code member} answered something (a probe, a forward): it is alive, and back if it was down. */
    void heard(String member) {
        long now = now();
        update(member, h -> new Health(now, false), MembershipChange.BACK, "back: it answered again");
    }

    /** {@code member}'s port refused a connection: nothing listens there, so it is dropped at once. */
    void refused(String member) {
        update(member, h -> h.down() ? h : new Health(h.lastAnswerMs(), true), MembershipChange.REFUSED,
                "dropped: connection refused (nothing listens on its port)");
    }

    /** Applies {@code rule} to {@code member}'s health; a flip of its down flag is a change for {@code reason}. */
    private void update(String member, UnaryOperator<Health> rule, MembershipChange reason, String why) {
        while (true) {
            Health before = health.get(member);
            if (before == null) {
                return; // not listed (or forgotten meanwhile)
            }
            Health after = rule.apply(before);
            if (after.equals(before) || health.replace(member, before, after)) {
                if (after.down() != before.down()) {
                    changed(member, reason, why);
                }
                return;
            }
        }
    }

    private void changed(String member, MembershipChange reason, String why) {
        recompute();
        log.info("owner routing: member {} {} (reason {}); live members now {}", member, why, reason.tag(), live);
        changes.changed(member, reason);
    }

    private void recompute() {
        TreeSet<String> up = new TreeSet<>();
        TreeSet<String> all = new TreeSet<>(health.keySet());
        up.add(self);
        all.add(self);
        health.forEach((member, h) -> {
            if (!h.down()) {
                up.add(member);
            }
        });
        live = List.copyOf(up);
        listed = List.copyOf(all);
    }

    /** The live members, sorted, self included. */
    List<String> live() {
        return live;
    }

    /** The live member that owns {@code key}. */
    String ownerOf(long key) {
        return Rendezvous.owner(key, live);
    }

    /** The member that would own {@code key} if every listed member answered. */
    String listedOwnerOf(long key) {
        return Rendezvous.owner(key, listed);
    }

    String self() {
        return self;
    }

    private long now() {
        return scheduler.now(TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timers.dispose();
    }
}
