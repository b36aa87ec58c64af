package io.herdlab.guard;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;

/**
 * Whose a failure is, whatever wraps it (Spring's DataAccessException, Reactor): the client's
 * (the database refused the values, or a newer version exists) or nobody's in particular (the
 * database cannot be reached in time). The one classification: the guard opens its breaker on
 * {@code UNAVAILABLE} only, and every place that answers HTTP maps the four to 503, 400, 409, 500.
 */
public enum DatabaseFailure {

    /** Connectivity, timeouts, the guard: 503 with Retry-After. */
    UNAVAILABLE,
    /** Constraint and encoding errors, any other non-transient refusal of the statement: 400. */
    REJECTED,
    /** A version conflict: 409. */
    CONFLICT,
    /** Not a database failure herdlab knows: 500. */
    OTHER;

    public static DatabaseFailure of(Throwable error) {
        // a version conflict is a transient data access error to Spring, but it is the client's to resolve
        if (find(error, OptimisticLockingFailureException.class) != null) {
            return CONFLICT;
        }
        if (find(error, UnavailableException.class) != null || find(error, DataAccessResourceFailureException.class) != null
                || find(error, QueryTimeoutException.class) != null || find(error, TransientDataAccessException.class) != null
                || find(error, R2dbcTimeoutException.class) != null || find(error, R2dbcTransientException.class) != null
                || find(error, R2dbcNonTransientResourceException.class) != null
                || find(error, ConnectException.class) != null || find(error, TimeoutException.class) != null
                || find(error, IOException.class) != null || find(error, ClosedChannelException.class) != null
                || cancelledByDeadline(error)) {
            return UNAVAILABLE;
        }
        if (find(error, DataIntegrityViolationException.class) != null) {
            return REJECTED;
        }
        R2dbcException driver = find(error, R2dbcException.class);
        if (driver == null) {
            return OTHER;
        }
        String state = driver.getSqlState() == null ? "" : driver.getSqlState();
        // SQLSTATE class 22: data exception (bad encoding, value too long); 23: integrity violation
        return state.startsWith("22") || state.startsWith("23") || driver instanceof R2dbcNonTransientException
                ? REJECTED : OTHER;
    }

    /**
     * PostgreSQL cancelled the statement at its deadline: statement_timeout (57014), lock_timeout
     * (55P03), or an administrator shutdown (57P01).
     */
    static boolean cancelledByDeadline(Throwable error) {
        R2dbcException driver = find(error, R2dbcException.class);
        String state = driver == null || driver.getSqlState() == null ? "" : driver.getSqlState();
        return state.equals("57014") || state.equals("55P03") || state.equals("57P01");
    }

    private static <T extends Throwable> @Nullable T find(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
