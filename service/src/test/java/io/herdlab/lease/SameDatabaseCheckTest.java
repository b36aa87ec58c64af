package io.herdlab.lease;

import java.time.Duration;

import io.herdlab.TestDatabase;
import io.herdlab.cache.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The start-up check that the Redisson lease and the Lettuce cache see one Redis database. */
class SameDatabaseCheckTest {

    static RedisSettings settings(String url) {
        return new RedisSettings(url, "localhost", 6379, 0, null, null, Duration.ofSeconds(5), Duration.ofSeconds(2),
                null, new RedisSettings.Ssl(false), new RedisSettings.Cluster(null, 5));
    }

    @Test
    void bothClientsOnTheSameDatabasePass() {
        String url = TestDatabase.REDIS_URL + "/5";
        RedisClient lettuce = RedisClient.create(settings(url).toUri());
        RedissonClient redisson = Redisson.create(Leases.redissonConfig(settings(url)));
        String prefix = TestDatabase.keyPrefix(SameDatabaseCheckTest.class);
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            Leases.checkSameDatabase(connection.sync(), redisson, prefix, settings(url));
            assertThat(connection.sync().keys(prefix + "*")).as("the probe key is gone").isEmpty();
        }
        finally {
            redisson.shutdown();
            lettuce.shutdown();
        }
    }

    @Test
    void clientsOnDifferentDatabasesRefuseToStartWithAClearMessage() {
        RedisClient lettuce = RedisClient.create(settings(TestDatabase.REDIS_URL + "/5").toUri());
        RedissonClient redisson = Redisson.create(Leases.redissonConfig(settings(TestDatabase.REDIS_URL + "/6")));
        try (StatefulRedisConnection<String, String> connection = lettuce.connect()) {
            assertThatThrownBy(() -> Leases.checkSameDatabase(connection.sync(), redisson,
                    TestDatabase.keyPrefix(SameDatabaseCheckTest.class), settings(TestDatabase.REDIS_URL + "/5")))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("do not see the same Redis database")
                    .hasMessageContaining("spring.data.redis");
        }
        finally {
            redisson.shutdown();
            lettuce.shutdown();
        }
    }
}
