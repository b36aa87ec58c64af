package io.herdlab.users;

import java.time.Duration;

/** PostgreSQL did not accept connections within the start-up wait; io.herdlab.StartupFailureAnalyzer explains it. */
public final class DatabaseNotReadyException extends RuntimeException {

    DatabaseNotReadyException(Duration waited, Throwable cause) {
        super("PostgreSQL did not accept connections within " + waited.toSeconds() + " s", cause);
    }
}
