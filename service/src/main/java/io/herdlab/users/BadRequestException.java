package io.herdlab.users;

import org.jspecify.annotations.Nullable;

/** A request herdlab will not serve as asked; answered as 400, naming the field when there is one. */
class BadRequestException extends RuntimeException {

    private final @Nullable String field;

    BadRequestException(String message) {
        this(null, message);
    }

    BadRequestException(@Nullable String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    @Nullable String field() {
        return field;
    }
}
