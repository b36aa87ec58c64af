package io.herdlab.users;

/** A request herdlab will not serve as asked; answered as 400. */
class BadRequestException extends RuntimeException {

    BadRequestException(String message) {
        super(message);
    }
}
