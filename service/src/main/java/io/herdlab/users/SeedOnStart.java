package io.herdlab.users;

import java.time.Duration;

import io.herdlab.HerdProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;

/**
 * Seeds users 1..{@code herd.db.seed-on-start} once the schema exists and before the web
 * server opens its port (beans initialize before the server starts), so no request ever meets a
 * half-seeded database and readiness comes only after the seed.
 */
@DependsOnDatabaseInitialization
final class SeedOnStart implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SeedOnStart.class);

    private final UserService users;
    private final int count;

    SeedOnStart(UserService users, HerdProperties herd) {
        this.users = users;
        this.count = herd.db().seedOnStart();
    }

    @Override
    public void afterPropertiesSet() {
        if (count > 0) {
            long start = System.nanoTime();
            Long created = users.seed(count).block(Duration.ofMinutes(2));
            log.info("Seeded users 1..{} ({} created) in {} ms", count, created,
                    (System.nanoTime() - start) / 1_000_000);
        }
    }
}
