package io.herdlab.users;

import io.herdlab.guard.UnavailableException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 problem JSON that tells the client what it can do, and nothing more:
 * no driver text, host, port or SQL. Framework errors (malformed body, wrong media type) go
 * through the base class. Server-side failures carry an {@code incident} id; the full cause is
 * logged once per burst under that id.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    private final IncidentLog unavailable = new IncidentLog(log, "answering 503 (service unavailable)");
    private final IncidentLog rejected = new IncidentLog(log, "PostgreSQL rejected a request's values (400)");
    private final IncidentLog conflicts = new IncidentLog(log, "version conflict (409)");
    private final IncidentLog unexpected = new IncidentLog(log, "unexpected error (500)");

    @ExceptionHandler
    ResponseEntity<ProblemDetail> badRequest(BadRequestException ex) {
        ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "Bad request", ex.getMessage());
        if (ex.field() != null) {
            problem.setProperty("field", ex.field());
        }
        return ResponseEntity.badRequest().body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(UserNotFoundException ex) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(problem(HttpStatus.NOT_FOUND, "User not found",
                ex.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unavailable(UnavailableException ex) {
        log.debug("503: {}", ex.getMessage());
        long seconds = Math.max(1, ex.retryAfter().toSeconds());
        ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                ex.getMessage() + "; retry after " + seconds + " s");
        problem.setProperty("incident", unavailable.record(ex));
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .body(problem);
    }

    /**
     * Whatever reaches here unmapped: a database rejection of the request's values is the
     * client's to fix (400, or 409 for a version conflict); anything else is ours (500).
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> other(RuntimeException ex) {
        ProblemDetail problem;
        if (has(ex, OptimisticLockingFailureException.class)) {
            problem = problem(HttpStatus.CONFLICT, "Conflict",
                    "the user was changed by another request meanwhile: GET it again and retry the PUT");
            problem.setProperty("incident", conflicts.record(ex));
        }
        else if (rejectedByDatabase(ex)) {
            problem = problem(HttpStatus.BAD_REQUEST, "Bad request",
                    "the database refused the values in this request: check each field against the limits in the"
                            + " README (text without control characters, within its length)");
            problem.setProperty("incident", rejected.record(ex));
        }
        else {
            problem = problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                    "herdlab could not serve this request; the service log has the cause under this incident id");
            problem.setProperty("incident", unexpected.record(ex));
        }
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    /**
     * Constraint and encoding errors, and any other non-transient R2DBC error that is not about
     * the connection: Spring's {@link DataIntegrityViolationException}, or the driver's own,
     * possibly wrapped in Spring's DataAccessException.
     */
    private static boolean rejectedByDatabase(Throwable ex) {
        if (has(ex, DataIntegrityViolationException.class)) {
            return true;
        }
        R2dbcException driver = find(ex, R2dbcException.class);
        if (driver == null) {
            return false;
        }
        String state = driver.getSqlState() == null ? "" : driver.getSqlState();
        // SQLSTATE class 22: data exception (bad encoding, value too long); 23: integrity violation
        return state.startsWith("22") || state.startsWith("23")
                || (driver instanceof R2dbcNonTransientException && !(driver instanceof R2dbcNonTransientResourceException));
    }

    private static boolean has(Throwable ex, Class<? extends Throwable> type) {
        return find(ex, type) != null;
    }

    private static <T extends Throwable> @Nullable T find(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
