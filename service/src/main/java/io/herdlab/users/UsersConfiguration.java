package io.herdlab.users;

import io.herdlab.HerdProperties;
import io.herdlab.cache.UserCache;
import io.herdlab.guard.DbGuard;
import io.herdlab.readthrough.ReadThrough;
import io.herdlab.readthrough.RowSource;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.autoconfigure.init.ConditionalOnSqlInitialization;
import org.springframework.boot.sql.autoconfigure.init.SqlInitializationProperties;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SqlInitializationProperties.class)
// the seed waits for the schema; Boot imports this only with its own initializer, which ours replaces
@Import(DatabaseInitializationDependencyConfigurer.class)
class UsersConfiguration {

    /**
     * Every pooled connection carries the replica id, so pg_stat_activity shows who holds it,
     * and PostgreSQL's statement_timeout, so no statement runs past its deadline.
     */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer connectionOptions(HerdProperties herd) {
        return builder -> builder
                .option(PostgresqlConnectionFactoryProvider.APPLICATION_NAME, herd.instanceId())
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, herd.db().statementTimeout());
    }

    /** The schema, once across replicas started together, after PostgreSQL accepts connections. */
    @Bean
    @ConditionalOnSqlInitialization
    SchemaInitializer schemaInitializer(ConnectionFactory pool, SqlInitializationProperties properties) {
        return new SchemaInitializer(pool, properties);
    }

    @Bean
    SeedOnStart seedOnStart(UserService users, HerdProperties herd) {
        return new SeedOnStart(users, herd);
    }

    @Bean
    UserRepository userRepository(ConnectionFactory pool, HerdProperties herd, DbGuard guard) {
        return new UserRepository(DatabaseClient.create(pool), herd.db().queryDelay(), guard);
    }

    /** What the read-through cache loads on a miss: the row as the JSON it serves. */
    @Bean
    RowSource userRows(UserRepository repository, JsonMapper json) {
        return id -> repository.find(id).map(user -> new RowSource.Row(json.writeValueAsString(user), user.version()));
    }

    @Bean
    UserService userService(UserRepository repository, ReadThrough reads, ConnectionFactory pool, R2dbcProperties r2dbc,
            HerdProperties herd, UserCache cache, DbGuard guard, JsonMapper json) {
        // pg_stat_activity is read over a connection of its own: a saturated pool must not hide itself
        ConnectionFactoryOptions.Builder monitorOptions = ConnectionFactoryOptions.parse(r2dbc.getUrl()).mutate()
                .option(PostgresqlConnectionFactoryProvider.APPLICATION_NAME, herd.instanceId() + "-monitor")
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, herd.db().statementTimeout());
        if (r2dbc.getUsername() != null) {
            monitorOptions.option(ConnectionFactoryOptions.USER, r2dbc.getUsername());
        }
        if (r2dbc.getPassword() != null && !r2dbc.getPassword().isEmpty()) {
            monitorOptions.option(ConnectionFactoryOptions.PASSWORD, r2dbc.getPassword());
        }
        ConnectionFactory monitor = ConnectionFactories.get(monitorOptions.build());
        return new UserService(repository, reads, cache, guard, json, DatabaseClient.create(monitor));
    }
}
