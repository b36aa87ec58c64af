package io.herdlab.users;

/** No user with that id; answered as 404. */
class UserNotFoundException extends RuntimeException {

    UserNotFoundException(long id) {
        super("no user with id " + id, null, false, false);
    }
}
