package io.herdlab.users;

import java.time.Duration;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import io.r2dbc.spi.Wrapped;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.r2dbc.autoconfigure.ApplicationR2dbcScriptDatabaseInitializer;
import org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.r2dbc.connection.init.ResourceDatabasePopulator;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Spring Boot's schema initializer ({@code spring.sql.init.*}), with two changes for replicas:
 * it waits for PostgreSQL to accept connections (up to {@link #WAIT_FOR_DATABASE}), and it runs
 * the scripts under a PostgreSQL advisory lock, so any number of replicas started together on
 * a fresh database create the schema once instead of failing on each other's half-made tables.
 */
final class SchemaInitializer extends ApplicationR2dbcScriptDatabaseInitializer {

    private static final Logger log = LoggerFactory.getLogger(SchemaInitializer.class);

    /** Long enough for a database container started alongside, short enough to fail visibly. */
    static final Duration WAIT_FOR_DATABASE = Duration.ofSeconds(60);
    /** Any constant both sides agree on: "herd" in ASCII. */
    private static final long LOCK_KEY = 0x68657264L;

    private final ConnectionFactory direct;

    SchemaInitializer(ConnectionFactory factory, SqlInitializationProperties properties) {
        super(factory, properties);
        // a session of its own, not a pooled connection: the session lock ends with it
        this.direct = unwrap(factory);
    }

    private static ConnectionFactory unwrap(ConnectionFactory factory) {
        return factory instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner
                ? unwrap(inner) : factory;
    }

    @Override
    protected void runScripts(Scripts scripts) {
        ResourceDatabasePopulator populator = new ResourceDatabasePopulator();
        populator.setContinueOnError(scripts.isContinueOnError());
        populator.setSeparator(scripts.getSeparator());
        if (scripts.getEncoding() != null) {
            populator.setSqlScriptEncoding(scripts.getEncoding().name());
        }
        scripts.forEach(populator::addScript);
        Mono.usingWhen(connect(), connection -> execute(connection, "SELECT pg_advisory_lock(" + LOCK_KEY + ")")
                        .then(populator.populate(connection))
                        .then(execute(connection, "SELECT pg_advisory_unlock(" + LOCK_KEY + ")")),
                connection -> Mono.from(connection.close()))
                .block(WAIT_FOR_DATABASE.plusMinutes(1));
    }

    private Mono<Connection> connect() {
        return Mono.<Connection>from(direct.create())
                .retryWhen(Retry.fixedDelay(WAIT_FOR_DATABASE.toSeconds(), Duration.ofSeconds(1))
                        .filter(SchemaInitializer::notReadyYet)
                        .doBeforeRetry(signal -> {
                            if (signal.totalRetries() % 10 == 0) {
                                log.info("PostgreSQL does not accept connections yet ({}); retrying for up to {} s",
                                        NestedExceptionUtils.getMostSpecificCause(signal.failure()).getMessage(),
                                        WAIT_FOR_DATABASE.toSeconds());
                            }
                        })
                        .onRetryExhaustedThrow((spec, signal) -> new DatabaseNotReadyException(WAIT_FOR_DATABASE,
                                signal.failure())));
    }

    /** Refused or reset connections, and a server still starting up or shutting down (57P03). */
    private static boolean notReadyYet(Throwable error) {
        Throwable root = NestedExceptionUtils.getMostSpecificCause(error);
        return error instanceof R2dbcTransientResourceException
                || (error instanceof R2dbcNonTransientResourceException driver && "57P03".equals(driver.getSqlState()))
                || root instanceof java.net.ConnectException
                || root instanceof java.io.IOException;
    }

    private static Mono<Void> execute(Connection connection, String sql) {
        return Mono.from(connection.createStatement(sql).execute()).flatMap(result -> Mono.from(result.getRowsUpdated()))
                .then();
    }
}
