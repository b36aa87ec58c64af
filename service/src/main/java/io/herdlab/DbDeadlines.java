package io.herdlab;

import java.time.Duration;

/**
 * How long one database load may take: waiting for a pooled connection (the pool's
 * {@code max-acquire-time}) and then running its statement ({@code herd.db.statement-timeout},
 * PostgreSQL's {@code statement_timeout} on every connection, with a client-side timeout just
 * above it). Follower waits, lease renewals and write tombstones are derived from these.
 */
public record DbDeadlines(Duration acquire, Duration statement) {

    /** The client-side bound of one statement: a little above the server's own deadline. */
    public Duration statementGuard() {
        return statement.plusMillis(500);
    }

    /** The longest a load can legitimately run, queueing included. */
    public Duration longestLoad() {
        return acquire.plus(statementGuard());
    }
}
