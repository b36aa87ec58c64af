package io.herdlab.users;

import io.herdlab.HerdProperties;
import io.herdlab.Mitigation;
import io.herdlab.cache.UserCache;
import io.herdlab.coalesce.Coalescer;
import io.herdlab.guard.DbGuard;
import io.herdlab.metrics.HerdMetrics;
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

    /** Every pooled connection carries the replica id, so pg_stat_activity shows who holds it. */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer applicationName(HerdProperties herd) {
        return builder -> builder.option(io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider.APPLICATION_NAME,
                herd.instanceId());
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
    UserService userService(ConnectionFactory pool, R2dbcProperties r2dbc, HerdProperties herd, UserCache cache,
            Coalescer coalescer, DbGuard guard, HerdMetrics metrics, JsonMapper json, Mitigation mitigation) {
        // pg_stat_activity is read over a connection of its own: a saturated pool must not hide itself
        ConnectionFactoryOptions.Builder monitorOptions = ConnectionFactoryOptions.parse(r2dbc.getUrl()).mutate()
                .option(io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider.APPLICATION_NAME,
                        herd.instanceId() + "-monitor");
        if (r2dbc.getUsername() != null) {
            monitorOptions.option(ConnectionFactoryOptions.USER, r2dbc.getUsername());
        }
        if (r2dbc.getPassword() != null && !r2dbc.getPassword().isEmpty()) {
            monitorOptions.option(ConnectionFactoryOptions.PASSWORD, r2dbc.getPassword());
        }
        ConnectionFactory monitor = ConnectionFactories.get(monitorOptions.build());
        return new UserService(new UserRepository(DatabaseClient.create(pool), herd.db().queryDelay()), cache,
                coalescer, guard, metrics, json, DatabaseClient.create(monitor), mitigation);
    }
}
