package io.herdlab.users;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.Function;

import io.herdlab.contract.HerdSnapshot;
import io.herdlab.guard.DbGuard;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Statement;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * SQL for the users table, through the (deliberately small) R2DBC pool. The reads and writes
 * of the traffic path run under the statement deadline once they hold a connection, so a
 * queue for the pool is bounded by the pool and a running statement by its deadline.
 */
final class UserRepository {

    /**
     * The read the herd hammers. {@code pg_sleep} runs inside the statement, so the
     * connection is held for the whole simulated cost, as by a heavy query; the LEFT JOIN
     * makes an unknown id cost the same and come back as one row of nulls.
     */
    private static final String FIND_SLOW = """
            WITH cost AS (SELECT pg_sleep($2))
            SELECT u.id, u.name, u.email, u.bio, u.version, u.updated_at
            FROM cost LEFT JOIN users u ON u.id = $1""";

    private static final String FIND = """
            SELECT id, name, email, bio, version, updated_at FROM users WHERE id = $1""";

    private static final String UPDATE = """
            UPDATE users SET name = $2, email = $3, bio = $4, version = version + 1, updated_at = now()
            WHERE id = $1
            RETURNING id, name, email, bio, version, updated_at""";

    private static final String SEED = """
            INSERT INTO users (id, name, email, bio)
            SELECT g, 'User ' || g, 'user' || g || '@herdlab.test',
                   'Profile of user ' || g || ', seeded by herdlab.'
            FROM generate_series(1, $1) AS g
            ON CONFLICT (id) DO NOTHING""";

    private static final String ALL = """
            SELECT id, name, email, bio, version, updated_at FROM users WHERE id <= $1 ORDER BY id""";

    private final DatabaseClient db;
    private final Duration queryDelay;
    private final DbGuard guard;

    UserRepository(DatabaseClient db, Duration queryDelay, DbGuard guard) {
        this.db = db;
        this.queryDelay = queryDelay;
        this.guard = guard;
    }

    Mono<User> find(long id) {
        return one(connection -> queryDelay.isZero()
                ? connection.createStatement(FIND).bind(0, id)
                : connection.createStatement(FIND_SLOW).bind(0, id).bind(1, queryDelay.toNanos() / 1e9))
                .filter(user -> user.id() != null);
    }

    Mono<User> update(long id, UserUpdate update) {
        return one(connection -> connection.createStatement(UPDATE).bind(0, id).bind(1, update.name())
                .bind(2, update.email()).bind(3, update.bio()));
    }

    /** The first row of one statement, under the statement deadline once a connection is held. */
    private Mono<User> one(Function<io.r2dbc.spi.Connection, Statement> statement) {
        return db.inConnection(connection -> guard.statementDeadline(
                Flux.from(statement.apply(connection).execute())
                        .concatMap(result -> result.map(UserRepository::toUser))
                        .next()));
    }

    /** Creates users 1..n that do not exist yet; returns how many were created. */
    Mono<Long> seed(int n) {
        return db.sql(SEED).bind(0, n).fetch().rowsUpdated();
    }

    Flux<User> all(long maxId) {
        return db.sql(ALL).bind(0, maxId).map(UserRepository::toUser).all();
    }

    /** pg_stat_activity rows of this database, counted by application_name and state. */
    Flux<HerdSnapshot.Activity> activity(DatabaseClient monitor) {
        return monitor.sql("""
                SELECT coalesce(application_name, '') AS application_name, coalesce(state, '') AS state,
                       count(*) AS count
                FROM pg_stat_activity WHERE datname = current_database()
                GROUP BY 1, 2 ORDER BY 1, 2""")
                .map(row -> new HerdSnapshot.Activity(row.get("application_name", String.class),
                        row.get("state", String.class), row.get("count", Long.class)))
                .all();
    }

    private static User toUser(Readable row) {
        return new User(row.get("id", Long.class), row.get("name", String.class), row.get("email", String.class),
                row.get("bio", String.class), row.get("version", Long.class),
                row.get("updated_at", OffsetDateTime.class));
    }
}
