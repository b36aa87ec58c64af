package io.herdlab.lease;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Wakes the followers in this replica: every notice of the fills channel (see {@code holds.lua}:
 * {@code <kind>|<user id>|<epoch ms>|<holder>|<payload>}) goes to the callers here that wait on
 * its key, and is kept a moment per key for a caller whose "busy" reply was overtaken by the
 * holder's notice. Only keys somebody waits on have waiters, and only while they wait.
 */
final class Notices {

    private static final Logger log = LoggerFactory.getLogger(Notices.class);
    /** How long a notice answers a caller that registers after it came. */
    static final long RECENT_MS = 2_000;
    /** Recent notices are swept of old ones once per this many notices. */
    static final int SWEEP_EVERY = 1024;
    /** The most keys whose recent notice is kept: past it (a flood of fills) they are forgotten at once. */
    static final int MAX_RECENT = 16_384;

    /**
     * Filled (the payload is the entry), absent (no such user), failed (the load failed), released
     * (ask again), extended (the holder renewed: the payload is its lease's new time, ms).
     */
    enum Kind {
        FILLED('F'), ABSENT('A'), FAILED('X'), RELEASED('R'), EXTENDED('E');

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

    /**
     * @param epochMs    Redis's clock when the notice was published
     * @param holder     the token of the lease it is about
     * @param payload    the cached entry of a fill ("" otherwise)
     * @param receivedAt this replica's monotonic clock (ms) when it arrived
     */
    record Notice(Kind kind, long id, long epochMs, String holder, String payload, long receivedAt) {
    }

    /** The callers here waiting on one key: the next notice completes {@code next} for all of them. */
    private static final class Waiter {
        Sinks.One<Notice> next = Sinks.one(); // replaced under the map's compute on this key
        int interested; // guarded by the map's compute on this key
    }

    /** One caller's wait for a key's next notice; close it when done. */
    final class Registration implements AutoCloseable {
        private final long id;
        private final Waiter waiter;
        private final Mono<Notice> next;
        private boolean closed; // guarded by this

        private Registration(long id, Waiter waiter, Mono<Notice> next) {
            this.id = id;
            this.waiter = waiter;
            this.next = next;
        }

        /** The first notice for the key after the registration. */
        Mono<Notice> next() {
            return next;
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
    /** The last notice per key, for {@link #RECENT_MS}; swept every {@link #SWEEP_EVERY} notices, bounded. */
    private final ConcurrentHashMap<Long, Notice> recent = new ConcurrentHashMap<>();
    private final LongSupplier now;
    private int sinceSweep; // racy on purpose: only paces the sweep

    /** @param now a monotonic clock in milliseconds (the scheduler's) */
    Notices(LongSupplier now) {
        this.now = now;
    }

    static String encode(Kind kind, long id, long epochMs, String holder, String payload) {
        return kind.code + "|" + id + "|" + epochMs + "|" + holder + "|" + payload;
    }

    /** What {@code renew.lua} publishes: one notice for every lease it extended. */
    static String encodeExtended(List<Lease> leases, long epochMs, long leaseTimeMs) {
        StringJoiner ids = new StringJoiner(",");
        StringJoiner holders = new StringJoiner(",");
        for (Lease lease : leases) {
            ids.add(Long.toString(lease.id()));
            holders.add(lease.field().isEmpty() ? lease.token() : lease.field());
        }
        return Kind.EXTENDED.code + "|" + ids + "|" + epochMs + "|" + holders + "|" + leaseTimeMs;
    }

    /**
     * The notices in {@code message}, stamped with their arrival: one, or one per lease of a
     * renewal ({@link Kind#EXTENDED}: its ids and holders are comma-separated lists); malformed
     * messages throw.
     */
    List<Notice> decode(String message) {
        int second = message.indexOf('|', 2);
        int third = second < 0 ? -1 : message.indexOf('|', second + 1);
        int fourth = third < 0 ? -1 : message.indexOf('|', third + 1);
        if (message.length() < 5 || message.charAt(1) != '|' || fourth < 0) {
            throw new IllegalArgumentException("not a fill notice");
        }
        Kind kind = Kind.of(message.charAt(0));
        long epochMs = Long.parseLong(message, second + 1, third, 10);
        String payload = message.substring(fourth + 1);
        long receivedAt = now.getAsLong();
        if (kind != Kind.EXTENDED) {
            return List.of(new Notice(kind, Long.parseLong(message, 2, second, 10), epochMs,
                    message.substring(third + 1, fourth), payload, receivedAt));
        }
        String[] ids = message.substring(2, second).split(",");
        String[] holders = message.substring(third + 1, fourth).split(",", -1);
        if (ids.length != holders.length) {
            throw new IllegalArgumentException("a renewal notice with " + ids.length + " ids and "
                    + holders.length + " holders");
        }
        List<Notice> notices = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            notices.add(new Notice(kind, Long.parseLong(ids[i]), epochMs, holders[i], payload, receivedAt));
        }
        return notices;
    }

    /** Registers for the key's next notice. */
    Registration register(long id) {
        Object[] next = new Object[1];
        Waiter waiter = waiters.compute(id, (key, current) -> {
            Waiter w = current != null ? current : new Waiter();
            w.interested++;
            next[0] = w.next.asMono();
            return w;
        });
        @SuppressWarnings("unchecked")
        Mono<Notice> mono = (Mono<Notice>) next[0];
        return new Registration(id, waiter, mono);
    }

    /**
     * A notice about {@code id} that came at or after {@code since} (ms, {@link #now}) and
     * within {@link #RECENT_MS}: from {@code holder}, or from anyone when the holder is unknown
     * (""); null when none.
     */
    Notice recent(long id, String holder, long since) {
        Notice notice = recent.get(id);
        if (notice == null || notice.receivedAt() < since || now.getAsLong() - notice.receivedAt() > RECENT_MS) {
            return null;
        }
        return holder.isEmpty() || holder.equals(notice.holder()) ? notice : null;
    }

    /** One message of the fills channel. */
    void dispatch(String message) {
        List<Notice> notices;
        try {
            notices = decode(message);
        }
        catch (RuntimeException ex) {
            log.debug("ignoring malformed fill notice '{}'", message);
            return;
        }
        notices.forEach(this::deliver);
    }

    private void deliver(Notice notice) {
        recent.put(notice.id(), notice);
        if (++sinceSweep >= SWEEP_EVERY) {
            sinceSweep = 0;
            long cutoff = notice.receivedAt() - RECENT_MS;
            recent.values().removeIf(n -> n.receivedAt() < cutoff);
            if (recent.size() > MAX_RECENT) {
                recent.clear(); // a caller that misses its holder's notice this way waits for its backstop
            }
        }
        Sinks.One<Notice>[] completed = new Sinks.One[1];
        waiters.computeIfPresent(notice.id(), (key, waiter) -> {
            completed[0] = waiter.next;
            waiter.next = Sinks.one();
            return waiter;
        });
        if (completed[0] != null) {
            completed[0].tryEmitValue(notice);
        }
    }

    /** Keys with somebody waiting here right now (zero once a burst is over: nothing leaks). */
    int waiting() {
        return waiters.size();
    }

    /** Keys whose last notice is still kept (bounded: swept as notices come). */
    int remembered() {
        return recent.size();
    }
}
