package io.herdlab.lease;

import java.time.Duration;

import io.herdlab.coalesce.CoalesceEvents;
import io.herdlab.contract.LeaseOutcome;
import io.herdlab.metrics.CoalesceScope;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * A caller whose look-up found the lease taken: it waits for the holder's notice, which carries
 * the answer. The backstop (the holder died, or its notice was lost) fires when the holder's
 * lease would run out unrenewed, plus a margin; a holder that lives fills before then, or renews
 * and says so (its renewal's notice), so a clean run fires no backstop. Each follower goes on
 * from its notice on the wake-up threads ({@link LeaseThreads}).
 */
final class Follower {

    /** How long past the holder's lease time a follower waits before it asks Redis again. */
    static final Duration BACKSTOP_MARGIN = Duration.ofMillis(250);

    private final CoalesceScope scope;
    private final Notices notices;
    private final Scheduler timers;
    private final Scheduler wakeups;
    private final CoalesceEvents events;

    Follower(CoalesceScope scope, Notices notices, LeaseThreads threads, CoalesceEvents events) {
        this.scope = scope;
        this.notices = notices;
        this.timers = threads.timers();
        this.wakeups = threads.wakeups();
        this.events = events;
    }

    /**
     * The holder's outcome (possibly one that came before the wait began); empty when the
     * backstop fired. Each renewal's notice moves the backstop to the lease's new end.
     */
    Mono<Notices.Notice> await(long id, LeaseClaim.Busy busy) {
        return Mono.defer(() -> {
            Notices.Registration registration = notices.register(id);
            Notices.Notice seen = notices.recent(id, busy.holder(), busy.askedAt());
            if (seen != null && seen.kind() != Notices.Kind.EXTENDED) {
                registration.close();
                return Mono.just(seen);
            }
            return waitFor(id, registration, busy.remainingMs());
        }).publishOn(wakeups);
    }

    private Mono<Notices.Notice> waitFor(long id, Notices.Registration registration, long remainingMs) {
        Duration backstop = Duration.ofMillis(Math.max(0, remainingMs)).plus(BACKSTOP_MARGIN);
        return Mono.firstWithSignal(registration.next(), Mono.delay(backstop, timers)
                        .then(Mono.<Notices.Notice>fromRunnable(() -> events.lease(scope, LeaseOutcome.BACKSTOP, id))))
                // the next registration is taken inside the notice's delivery, before this one closes:
                // no notice can fall between the two
                .flatMap(notice -> notice.kind() == Notices.Kind.EXTENDED
                        ? waitFor(id, notices.register(id), Long.parseLong(notice.payload()))
                        : Mono.just(notice))
                .doFinally(signal -> registration.close());
    }
}
