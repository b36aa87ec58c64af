package io.herdlab.lease;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Wakes the followers in this replica: one Redis subscription to the fills channel, fanned out
 * to the callers that registered an interest in a key. A notice is
 * {@code <kind>|<user id>|<epoch ms>}. Only keys somebody here waits on are kept, and only
 * while they wait, so notices about other keys cost nothing but parsing.
 */
final class Notices implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notices.class);

    /** Filled (read the cache), absent (no such user), failed (the load failed), released (ask again). */
    enum Kind {
        FILLED('F'), ABSENT('A'), FAILED('X'), RELEASED('R');

        final char code;

        Kind(char code) {
            this.code = code;
        }

        static Kind of(char code) {
            for (Kind kind : values()) {
                if (kind.code == code) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("unknown notice kind " + code);
        }
    }

    record Notice(Kind kind, long id, long epochMs) {
    }

    /** The next notice for one key, shared by every caller here that waits on that key. */
    private static final class Waiter {
        final Sinks.One<Notice> next = Sinks.one();
        int interested; // guarded by the map's compute on this key
    }

    /** An interest in the next notice of one key; close it when done waiting. */
    final class Registration implements AutoCloseable {
        private final long id;
        private final Waiter waiter;
        private boolean closed;

        private Registration(long id, Waiter waiter) {
            this.id = id;
            this.waiter = waiter;
        }

        /** The first notice for the key since this registration (replayed if it came already). */
        Mono<Notice> next() {
            return waiter.next.asMono();
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            waiters.computeIfPresent(id, (key, current) -> current == waiter && --current.interested == 0
                    ? null : current);
        }
    }

    private final ConcurrentHashMap<Long, Waiter> waiters = new ConcurrentHashMap<>();
    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Disposable subscription;

    Notices(StatefulRedisPubSubConnection<String, String> connection, String channel) {
        this.connection = connection;
        this.subscription = connection.reactive().observeChannels()
                .subscribe(message -> dispatch(message.getMessage()),
                        error -> log.warn("fill notices stopped: {}", error.toString()));
        connection.reactive().subscribe(channel).block(Duration.ofSeconds(10));
    }

    static String encode(Kind kind, long id, long epochMs) {
        return kind.code + "|" + id + "|" + epochMs;
    }

    static Notice decode(String message) {
        int second = message.indexOf('|', 2);
        if (message.length() < 5 || message.charAt(1) != '|' || second < 0) {
            throw new IllegalArgumentException("not a fill notice");
        }
        return new Notice(Kind.of(message.charAt(0)), Long.parseLong(message, 2, second, 10),
                Long.parseLong(message, second + 1, message.length(), 10));
    }

    /**
     * Registers an interest in the next notice for {@code id}. Register before asking for the
     * lease, so a notice published between the refusal and the wait is not missed.
     */
    Registration register(long id) {
        Waiter waiter = waiters.compute(id, (key, current) -> {
            Waiter w = current != null ? current : new Waiter();
            w.interested++;
            return w;
        });
        return new Registration(id, waiter);
    }

    private void dispatch(String message) {
        Notice notice;
        try {
            notice = decode(message);
        }
        catch (RuntimeException ex) {
            log.debug("ignoring malformed fill notice '{}'", message);
            return;
        }
        Waiter waiter = waiters.remove(notice.id());
        if (waiter != null) {
            waiter.next.tryEmitValue(notice);
        }
    }

    /** Keys with somebody waiting here right now (zero once a burst is over: nothing leaks). */
    int waiting() {
        return waiters.size();
    }

    @Override
    public void close() {
        subscription.dispose();
        connection.close();
    }
}
