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

    /** One notice to come for a key: completed once, then replaced by the next slot. */
    private static final class Slot {
        final Sinks.One<Notice> sink = Sinks.one();
        volatile Notice notice;
    }

    /**
     * The callers here that wait on one key. {@code current} is completed by the key's next
     * notice and then replaced, so a notice reaches every caller that was registered when it
     * came, even one that was between two waits.
     */
    private static final class Waiter {
        Slot current = new Slot(); // guarded by this
        int interested; // guarded by the map's compute on this key
    }

    /** An interest in one key's notices for the whole of a caller's wait; close it when done. */
    final class Registration implements AutoCloseable {
        private final long id;
        private final Waiter waiter;
        private Slot awaiting; // guarded by waiter
        private boolean closed;

        private Registration(long id, Waiter waiter) {
            this.id = id;
            this.waiter = waiter;
            synchronized (waiter) {
                this.awaiting = waiter.current;
            }
        }

        /** A notice that came while this caller was not waiting, consumed; null when none. */
        Notice pending() {
            synchronized (waiter) {
                Notice notice = awaiting.notice;
                if (notice != null) {
                    awaiting = waiter.current;
                }
                return notice;
            }
        }

        /** The next notice this caller has not consumed yet (at once if one is pending). */
        Mono<Notice> next() {
            Slot slot;
            synchronized (waiter) {
                slot = awaiting;
            }
            return slot.sink.asMono().doOnNext(notice -> {
                synchronized (waiter) {
                    if (awaiting == slot) {
                        awaiting = waiter.current;
                    }
                }
            });
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
     * Registers an interest in the notices for {@code id}. Register before asking for the
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
        Waiter waiter = waiters.get(notice.id());
        if (waiter != null) {
            Slot completed;
            synchronized (waiter) {
                completed = waiter.current;
                completed.notice = notice;
                waiter.current = new Slot();
            }
            completed.sink.tryEmitValue(notice);
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
