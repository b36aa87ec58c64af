package io.herdlab.users;

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
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Every error as RFC 9457 problem JSON that tells the client what it can do, and nothing more:
 * no driver text, host, port or SQL. Framework errors (malformed body, wrong media type) go
 * through the base class. Server-side failures carry an {@code incident} id; the full cause is
 * logged once per burst under that id.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    /** Seconds a client waits before retrying after a database failure nobody else mapped. */
    private static final long DATABASE_RETRY_AFTER = 1;

    private final IncidentLog unavailable = new IncidentLog(log, "answering 503 (service unavailable)");
    /** One burst log per kind, so a flood of one never hides the first of another. */
    private final Map<DatabaseFailure, IncidentLog> incidents = new EnumMap<>(Map.of(
            DatabaseFailure.UNAVAILABLE, unavailable,
            DatabaseFailure.REJECTED, new IncidentLog(log, "PostgreSQL rejected a request's values (400)"),
            DatabaseFailure.CONFLICT, new IncidentLog(log, "version conflict (409)"),
            DatabaseFailure.OTHER, new IncidentLog(log, "unexpected error (500)")));

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
     * Whatever reaches here unmapped: a database that cannot be reached is nobody's fault (503),
     * a database rejection of the request's values is the client's to fix (400, or 409 for a
     * version conflict); anything else is ours (500).
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> other(RuntimeException ex) {
        DatabaseFailure kind = DatabaseFailure.of(ex);
        ProblemDetail problem = switch (kind) {
            case UNAVAILABLE -> problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    "the database is unavailable; retry after " + DATABASE_RETRY_AFTER + " s");
            case CONFLICT -> problem(HttpStatus.CONFLICT, "Conflict",
                    "the user was changed by another request meanwhile: GET it again and retry the PUT");
            case REJECTED -> problem(HttpStatus.BAD_REQUEST, "Bad request",
                    "the database refused the values in this request: check each field against the limits in the"
                            + " README (text without control characters, within its length)");
            case OTHER -> problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                    "herdlab could not serve this request; the service log has the cause under this incident id");
        };
        problem.setProperty("incident", incidents.get(kind).record(ex));
        ResponseEntity.BodyBuilder response = ResponseEntity.status(problem.getStatus());
        if (kind == DatabaseFailure.UNAVAILABLE) {
            response.header(HttpHeaders.RETRY_AFTER, Long.toString(DATABASE_RETRY_AFTER));
        }
        return response.body(problem);
    }

    /**
     * The response an error of {@code request} gets: what the handlers above answer, for the
     * router function's errors (an advice covers annotated handlers only).
     */
    Mono<ServerResponse> respond(Throwable error, ServerRequest request) {
        ResponseEntity<ProblemDetail> entity;
        if (error instanceof BadRequestException ex) {
            entity = badRequest(ex);
        }
        else if (error instanceof UserNotFoundException ex) {
            entity = notFound(ex);
        }
        else if (error instanceof UnavailableException ex) {
            entity = unavailable(ex);
        }
        else {
            entity = other(error instanceof RuntimeException ex ? ex : new IllegalStateException(error));
        }
        ProblemDetail problem = entity.getBody();
        // as WebFlux does for an annotated handler's problem: the request's path is the instance
        try {
            problem.setInstance(URI.create(request.requestPath().value()));
        }
        catch (IllegalArgumentException notAUri) {
            // a path the client did not encode: the problem goes without it
        }
        return ServerResponse.status(entity.getStatusCode())
                .headers(headers -> headers.addAll(entity.getHeaders()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(problem);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
