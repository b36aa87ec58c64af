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
 * every {@code probeEvery} each other member is probed, and one that has not answered a probe
 * for {@code downAfter} is left out of ownership until it answers again. This replica is always
 * a live member: it can always load for itself. All timers run on {@code scheduler}, so the
 * rules are tested on virtual time.
 */
final class Members implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Members.class);

    /** What is known of one member; replaced whole, read without locks. */
    private record Health(long lastAnswerMs, boolean down) {
    }

    private final String self;
    private final Supplier<Mono<List<String>>> source;
    private final Function<String, Mono<Boolean>> probe;
    private final Duration refreshEvery;
    private final Duration probeEvery;
    private final Duration downAfter;
    private final Scheduler scheduler;
    /** The members the source named last, self included; health by member, for those alone. */
    private final Map<String, Health> health = new ConcurrentHashMap<>();
    /** The live members, sorted; recomputed on every change, read on every miss. */
    private volatile List<String> live;
    private final Disposable.Composite timers = Disposables.composite();

    /**
     * @param probe       answers true when the member answered in time (a bounded call that never errors)
     * @param refreshEvery how often the source is asked again (zero: once, at start)
     */
    Members(String self, Supplier<Mono<List<String>>> source, Function<String, Mono<Boolean>> probe,
            Duration refreshEvery, Duration probeEvery, Duration downAfter, Scheduler scheduler) {
        this.self = self;
        this.source = source;
        this.probe = probe;
        this.refreshEvery = refreshEvery;
        this.probeEvery = probeEvery;
        this.downAfter = downAfter;
        this.scheduler = scheduler;
        this.live = List.of(self);
    }

    /** Resolves the members now, then keeps them and their health current until closed. */
    Members start() {
        refresh().block(Duration.ofSeconds(10));
        if (!refreshEvery.isZero()) {
            timers.add(Flux.interval(refreshEvery, refreshEvery, scheduler).concatMap(tick -> refresh()).subscribe());
        }
        timers.add(Flux.interval(probeEvery, probeEvery, scheduler)
                .concatMap(tick -> Flux.fromIterable(new ArrayList<>(health.keySet()))
                        .filter(member -> !member.equals(self))
                        .flatMap(member -> probe.apply(member).map(ok -> answered(member, ok)))
                        .then())
                .subscribe());
        return this;
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
        health.keySet().retainAll(members);
        members.forEach(member -> health.putIfAbsent(member, new Health(now, false)));
        recompute();
    }

    /** A probe of {@code member} came back; {@code ok} false: no answer in time. */
    boolean answered(String member, boolean ok) {
        Health before = health.get(member);
        if (before == null) {
            return ok; // forgotten meanwhile
        }
        long now = now();
        Health after = ok ? new Health(now, false)
                : new Health(before.lastAnswerMs(), before.down() || now - before.lastAnswerMs() >= downAfter.toMillis());
        if (health.replace(member, before, after) && after.down() != before.down()) {
            log.info("owner routing: member {} is {}", member, after.down() ? "down (no answer for " + downAfter.toMillis()
                    + " ms)" : "back");
            recompute();
        }
        return ok;
    }

    private void recompute() {
        TreeSet<String> up = new TreeSet<>();
        up.add(self);
        health.forEach((member, h) -> {
            if (!h.down()) {
                up.add(member);
            }
        });
        live = List.copyOf(up);
    }

    /** The live members, sorted, self included. */
    List<String> live() {
        return live;
    }

    /** The live member that owns {@code key}. */
    String ownerOf(long key) {
        return Rendezvous.owner(key, live);
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
