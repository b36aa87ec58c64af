package io.herdlab.users;

import io.herdlab.guard.UnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 problem JSON: framework errors (malformed body, wrong media type)
 * through the base class, herdlab's own below, and never a stack trace.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> badRequest(BadRequestException ex) {
        return problem(HttpStatus.BAD_REQUEST, "Bad request", ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(UserNotFoundException ex) {
        return problem(HttpStatus.NOT_FOUND, "User not found", ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unavailable(UnavailableException ex) {
        log.debug("503: {}", ex.getMessage());
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                ex.getMessage());
        long seconds = Math.max(1, ex.retryAfter().toSeconds());
        return ResponseEntity.status(response.getStatusCode())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
                .body(response.getBody());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(RuntimeException ex) {
        log.error("Unexpected error while serving a request", ex);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "herdlab could not serve this request; the service log has the details");
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}
