package io.herdlab.problem;

import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;

/**
 * The annotated handlers' errors as {@link Problems} maps them; WebFlux's own (a malformed body,
 * a wrong media type) are problem JSON through the base class.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private final Problems problems;

    ProblemAdvice(Problems problems) {
        this.problems = problems;
    }

    @ExceptionHandler
    ErrorResponse problem(RuntimeException ex) {
        return problems.of(ex);
    }
}
