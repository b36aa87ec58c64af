package io.herdlab.coalesce;

import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Wakes the followers of lease holders in this replica: one Redis subscription to the fills
 * channel, fanned out to the waiters of each key. A notice is {@code <id>} for a fill and
 * {@code -<id>|<message>} for a leader that failed.
 */
final class FillNotices implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FillNotices.class);

    /** What woke a waiter. {@code failure} is null for a fill. */
    record Notice(long id, String failure) {
        boolean failed() {
            return failure != null;
        }
    }

    private final ConcurrentHashMap<Long, Sinks.Many<Notice>> waiters = new ConcurrentHashMap<>();
    /** The last failure announced per key, for a waiter that was between two waits when it came. */
    private final ConcurrentHashMap<Long, Failure> failures = new ConcurrentHashMap<>();

    private record Failure(String message, long atNanos) {
    }
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Disposable subscription;

    FillNotices(StatefulRedisPubSubConnection<String, String> connection, String channel) {
        this.connection = connection;
        this.subscription = connection.reactive().observeChannels()
                .subscribe(message -> dispatch(message.getMessage()),
                        error -> log.warn("fill notices stopped: {}", error.toString()));
        connection.reactive().subscribe(channel).block(java.time.Duration.ofSeconds(10));
    }

    /**
     * The next notice for {@code id}. Registered when called, not when subscribed, so a caller
     * can register first and then look at the cache without missing a notice in between.
     */
    Mono<Notice> next(long id) {
        Sinks.Many<Notice> sink = waiters.computeIfAbsent(id, k -> Sinks.many().multicast().directBestEffort());
        return Mono.defer(() -> sink.asFlux().next())
                .doFinally(signal -> {
                    if (sink.currentSubscriberCount() == 0) {
                        waiters.remove(id, sink);
                    }
                });
    }

    /** Drops the registration for {@code id} if nobody is waiting on it any more. */
    void forget(long id) {
        Sinks.Many<Notice> sink = waiters.get(id);
        if (sink != null && sink.currentSubscriberCount() == 0) {
            waiters.remove(id, sink);
        }
    }

    private void dispatch(String message) {
        try {
            Notice notice = message.startsWith("-")
                    ? new Notice(Long.parseLong(message.substring(1, message.indexOf('|'))),
                            message.substring(message.indexOf('|') + 1))
                    : new Notice(Long.parseLong(message), null);
            if (notice.failed()) {
                failures.put(notice.id(), new Failure(notice.failure(), System.nanoTime()));
            }
            Sinks.Many<Notice> sink = waiters.remove(notice.id());
            if (sink != null) {
                sink.tryEmitNext(notice);
                sink.tryEmitComplete();
            }
        }
        catch (RuntimeException ex) {
            log.debug("ignoring malformed fill notice '{}'", message);
        }
    }

    /** The failure announced for {@code id} since {@code sinceNanos}, or null. */
    String failureSince(long id, long sinceNanos) {
        Failure failure = failures.get(id);
        return failure != null && failure.atNanos() - sinceNanos >= 0 ? failure.message() : null;
    }

    @Override
    public void close() {
        subscription.dispose();
        connection.close();
    }
}
