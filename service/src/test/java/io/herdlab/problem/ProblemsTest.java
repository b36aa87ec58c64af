package io.herdlab.problem;

import java.time.Duration;
import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.herdlab.guard.UnavailableException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.r2dbc.UncategorizedR2dbcException;
import org.springframework.web.ErrorResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** What each failure becomes for the client, and what the log keeps of it. */
class ProblemsTest {

    static final String DRIVER_TEXT = "invalid byte sequence for encoding \"UTF8\": 0x00 at db.internal:5432";

    Problems problems = new Problems();
    ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(Problems.class)).addAppender(logged);
    }

    @AfterEach
    void release() {
        ((Logger) LoggerFactory.getLogger(Problems.class)).detachAppender(logged);
    }

    static ProblemDetail body(ErrorResponse response, HttpStatus status) {
        assertThat(response.getStatusCode()).isEqualTo(status);
        ProblemDetail problem = response.getBody();
        assertThat(problem.getDetail()).doesNotContain("UTF8").doesNotContain("db.internal").doesNotContain("5432")
                .doesNotContain("SELECT").doesNotContain("Exception");
        assertThat(problem.getProperties()).containsKey("incident");
        return problem;
    }

    @Test
    void constraintAndEncodingErrorsAre400WithoutDriverText() {
        List<RuntimeException> rejections = List.of(
                new R2dbcDataIntegrityViolationException(DRIVER_TEXT, "22021"),
                new R2dbcBadGrammarException(DRIVER_TEXT, "42601", 0, "UPDATE users SET name = $2"),
                new DataIntegrityViolationException(DRIVER_TEXT),
                new UncategorizedR2dbcException("executing UPDATE users", "UPDATE users",
                        new R2dbcDataIntegrityViolationException(DRIVER_TEXT, "23505")));
        for (RuntimeException rejection : rejections) {
            ProblemDetail problem = body(problems.of(rejection), HttpStatus.BAD_REQUEST);
            assertThat(problem.getDetail()).as(rejection.getClass().getSimpleName()).contains("check each field");
        }
    }

    @Test
    void versionConflictIs409() {
        body(problems.of(new OptimisticLockingFailureException(DRIVER_TEXT)), HttpStatus.CONFLICT);
    }

    @Test
    void connectionFailuresThatSlipThroughAre503AndAnythingElse500() {
        for (RuntimeException down : List.of(new R2dbcNonTransientResourceException(DRIVER_TEXT, "28P01"),
                new R2dbcTransientResourceException(DRIVER_TEXT), new DataAccessResourceFailureException(DRIVER_TEXT),
                new IllegalStateException(new java.net.ConnectException(DRIVER_TEXT)))) {
            ErrorResponse response = problems.of(down);
            assertThat(body(response, HttpStatus.SERVICE_UNAVAILABLE).getDetail())
                    .isEqualTo("the database is unavailable; retry after 1 s");
            assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("1");
        }
        body(problems.of(new IllegalStateException(DRIVER_TEXT)), HttpStatus.INTERNAL_SERVER_ERROR);
    }

    @Test
    void unavailableIs503WithRetryAfterAndOneLogLinePerBurstUnderTheSameIncident() {
        UnavailableException down = new UnavailableException("the database is unavailable", Duration.ofSeconds(3),
                new IllegalStateException(DRIVER_TEXT));
        ErrorResponse first = problems.of(down);
        ErrorResponse second = problems.of(down);
        assertThat(first.getHeaders().getFirst("Retry-After")).isEqualTo("3");
        assertThat(body(first, HttpStatus.SERVICE_UNAVAILABLE).getDetail())
                .isEqualTo("the database is unavailable; retry after 3 s");
        Object incident = first.getBody().getProperties().get("incident");
        assertThat(second.getBody().getProperties()).containsEntry("incident", incident);

        List<ILoggingEvent> warnings = logged.list.stream().filter(e -> e.getLevel().toString().equals("WARN")).toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains(incident.toString());
        // the full cause, driver text included, is in the log and only there
        assertThat(warnings.get(0).getThrowableProxy().getCause().getMessage()).isEqualTo(DRIVER_TEXT);
    }

    @Test
    void badRequestsNameTheirField() {
        ErrorResponse response = problems.of(Refusal.badRequest("bio", "bio is too long"));
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getBody().getProperties()).containsEntry("field", "bio");
    }
}
