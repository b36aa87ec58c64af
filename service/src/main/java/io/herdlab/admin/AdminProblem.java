package io.herdlab.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** An admin request herdlab refuses, answered as problem JSON; {@code field} names the culprit. */
final class AdminProblem extends RuntimeException {

    private final HttpStatus status;
    private final @Nullable String field;
    private final long retryAfterSeconds;

    AdminProblem(HttpStatus status, @Nullable String field, String detail) {
        this(status, field, detail, 0);
    }

    private AdminProblem(HttpStatus status, @Nullable String field, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static AdminProblem badField(String field, String detail) {
        return new AdminProblem(HttpStatus.BAD_REQUEST, field, detail);
    }

    /** 503 with {@code Retry-After}, the detail saying the same. */
    static AdminProblem databaseUnavailable(long retryAfterSeconds) {
        return new AdminProblem(HttpStatus.SERVICE_UNAVAILABLE, null,
                "the database is unavailable; retry after " + retryAfterSeconds + " s", retryAfterSeconds);
    }

    Mono<ServerResponse> response() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setTitle(status.getReasonPhrase());
        if (field != null) {
            problem.setProperty("field", field);
        }
        ServerResponse.BodyBuilder response = ServerResponse.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.header("WWW-Authenticate", "Bearer realm=\"herdlab admin\"");
        }
        if (retryAfterSeconds > 0) {
            response.header("Retry-After", Long.toString(retryAfterSeconds));
        }
        return response.bodyValue(problem);
    }
}
