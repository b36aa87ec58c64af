package io.herdlab.problem;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A request herdlab will not serve as asked: the status, title and detail it is answered with
 * (by {@link Problems}), and the field to fix when there is one. The detail is herdlab's own
 * sentence for the client. Thrown per bad request (a 404 for every unknown id), so it carries no
 * stack trace.
 */
public final class Refusal extends RuntimeException {

    private final HttpStatus status;
    private final String title;
    private final @Nullable String field;

    private Refusal(HttpStatus status, String title, @Nullable String field, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.field = field;
    }

    /** 400: the request as a whole is wrong. */
    public static Refusal badRequest(String detail) {
        return badRequest(null, detail);
    }

    /** 400, naming the {@code field} to fix (null: none in particular). */
    public static Refusal badRequest(@Nullable String field, String detail) {
        return new Refusal(HttpStatus.BAD_REQUEST, "Bad request", field, detail);
    }

    /** 404: there is no user {@code id}. */
    public static Refusal noSuchUser(long id) {
        return new Refusal(HttpStatus.NOT_FOUND, "User not found", null, "no user with id " + id);
    }

    /** Any other refusal, titled by its status's reason phrase. */
    public static Refusal of(HttpStatus status, String detail) {
        return new Refusal(status, status.getReasonPhrase(), null, detail);
    }

    HttpStatus status() {
        return status;
    }

    String title() {
        return title;
    }

    @Nullable String field() {
        return field;
    }
}
