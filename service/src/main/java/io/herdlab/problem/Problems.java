package io.herdlab.problem;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

import io.herdlab.guard.DatabaseFailure;
import io.herdlab.guard.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponse;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The one mapping from a failure to RFC 9457 problem JSON, for every endpoint: the annotated
 * handlers (through {@link ProblemAdvice}), the router function of {@code GET /users/{id}} and
 * the admin routes ({@link #respond}). A problem tells the client what it can do and nothing
 * more: no driver text, host, port or SQL. A {@link Refusal} is answered as it says; a failure on
 * herdlab's side carries an {@code incident} id, under which the full cause is logged once per
 * burst; a database that cannot be reached in time also says when to retry ({@code Retry-After}).
 */
public final class Problems {

    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    /** Seconds a client waits before retrying after a database failure nobody else mapped. */
    private static final long DATABASE_RETRY_AFTER = 1;

    private final IncidentLog unavailable = new IncidentLog(log, "answering 503 (service unavailable)");
    /** One burst log per kind, so a flood of one never hides the first of another. */
    private final Map<DatabaseFailure, IncidentLog> incidents = new EnumMap<>(Map.of(
            DatabaseFailure.UNAVAILABLE, unavailable,
            DatabaseFailure.REJECTED, new IncidentLog(log, "PostgreSQL rejected a request's values (400)"),
            DatabaseFailure.CONFLICT, new IncidentLog(log, "version conflict (409)"),
            DatabaseFailure.OTHER, new IncidentLog(log, "unexpected error (500)")));

    /**
     * The status, headers and problem body {@code error} is answered with. A refusal is the
     * client's to fix; an {@link UnavailableException} says when to come back; anything else
     * is classified by {@link DatabaseFailure}: a database that cannot be reached is nobody's
     * fault (503), its rejection of the request's values the client's to fix (400, or 409 for
     * a version conflict); anything else is ours (500).
     */
    public ErrorResponse of(Throwable error) {
        if (error instanceof Refusal refusal) {
            ErrorResponse.Builder problem = problem(refusal, refusal.status(), refusal.title(), refusal.getMessage());
            if (refusal.field() != null) {
                problem.property("field", refusal.field());
            }
            if (refusal.status() == HttpStatus.UNAUTHORIZED) {
                problem.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"herdlab admin\"");
            }
            return problem.build();
        }
        if (error instanceof UnavailableException ex) {
            log.debug("503: {}", ex.getMessage());
            long seconds = Math.max(1, ex.retryAfter().toSeconds());
            return problem(ex, HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    ex.getMessage() + "; retry after " + seconds + " s")
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                    .property("incident", unavailable.record(ex))
                    .build();
        }
        DatabaseFailure kind = DatabaseFailure.of(error);
        ErrorResponse.Builder problem = switch (kind) {
            case UNAVAILABLE -> problem(error, HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    "the database is unavailable; retry after " + DATABASE_RETRY_AFTER + " s")
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(DATABASE_RETRY_AFTER));
            case CONFLICT -> problem(error, HttpStatus.CONFLICT, "Conflict",
                    "the user was changed by another request meanwhile: GET it again and retry the PUT");
            case REJECTED -> problem(error, HttpStatus.BAD_REQUEST, "Bad request",
                    "the database refused the values in this request: check each field against the limits in the"
                            + " README (text without control characters, within its length)");
            case OTHER -> problem(error, HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                    "herdlab could not serve this request; the service log has the cause under this incident id");
        };
        return problem.property("incident", incidents.get(kind).record(error)).build();
    }

    /**
     * {@link #of} as a router function's response to {@code request}; as WebFlux does for an
     * annotated handler's problem, the request's path is its {@code instance}.
     */
    public Mono<ServerResponse> respond(Throwable error, ServerRequest request) {
        ErrorResponse response = of(error);
        ProblemDetail problem = response.getBody();
        try {
            problem.setInstance(URI.create(request.requestPath().value()));
        }
        catch (IllegalArgumentException notAUri) {
            // a path the client did not encode: the problem goes without it
        }
        return ServerResponse.status(response.getStatusCode())
                .headers(headers -> headers.addAll(response.getHeaders()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(problem);
    }

    private static ErrorResponse.Builder problem(Throwable error, HttpStatus status, String title, String detail) {
        return ErrorResponse.builder(error, status, detail).title(title);
    }
}
