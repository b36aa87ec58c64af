package io.herdlab.users;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.herdlab.Replica;
import io.herdlab.TestDatabase;
import io.herdlab.cache.RedisConnections;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The read-through path, the write path, seed/warm and the error contract, on real servers. */
class UsersApiTest {

    static TestDatabase db;
    static Replica replica;
    static RedisClusterCommands<String, String> redis;
    static String prefix;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void start() {
        db = TestDatabase.create(UsersApiTest.class);
        prefix = TestDatabase.keyPrefix(UsersApiTest.class);
        replica = Replica.start("api-1", db, prefix, "--herd.db.query-delay=5ms");
        redis = replica.bean(RedisConnections.class).sync();
        assertThat(replica.adminPost("seed", Map.of("users", 200))).containsEntry("created", 200);
    }

    @AfterAll
    static void stop() {
        replica.adminPost("flush", Map.of());
        replica.close();
        db.close();
    }

    @BeforeEach
    void reset() {
        replica.adminPost("reset", Map.of());
    }

    static ResponseEntity<String> get(String path) {
        return replica.client().get().uri(path).exchangeToMono(r -> r.toEntity(String.class))
                .block(Duration.ofSeconds(30));
    }

    static ResponseEntity<String> put(String path, MediaType type, String body) {
        return replica.client().put().uri(path).contentType(type).bodyValue(body)
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
    }

    static long count(String section, String field) {
        return replica.count(section, field);
    }

    @Test
    void missLoadsFromPostgresAndFillsTheCacheThenHits() {
        redis.del(prefix + "{user:7}");

        ResponseEntity<String> first = get("/users/7");
        assertThat(first.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(first.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
        assertThat(first.getBody()).contains("\"id\":7").contains("\"email\":\"user7@herdlab.test\"");
        assertThat(redis.get(prefix + "{user:7}")).endsWith(first.getBody());
        assertThat(redis.pttl(prefix + "{user:7}")).isBetween(55_000L, 60_000L);

        ResponseEntity<String> second = get("/users/7");
        assertThat(second.getBody()).isEqualTo(first.getBody());

        assertThat(count("cache", "misses")).isEqualTo(1);
        assertThat(count("cache", "hits")).isEqualTo(1);
        assertThat(count("db", "queries")).isEqualTo(1);
    }

    @Test
    void putUpdatesTheRowAndDropsTheCachedValue() {
        assertThat(get("/users/8").getBody()).contains("\"name\":\"User 8\"");
        assertThat(redis.exists(prefix + "{user:8}")).isEqualTo(1);

        ResponseEntity<String> updated = put("/users/8", MediaType.APPLICATION_JSON,
                "{\"name\":\"Ada\",\"email\":\"ada@herdlab.test\",\"bio\":\"first\"}");
        assertThat(updated.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(updated.getBody()).contains("\"name\":\"Ada\"").contains("\"version\":2");
        assertThat(redis.exists(prefix + "{user:8}")).isZero();

        assertThat(get("/users/8").getBody()).contains("\"name\":\"Ada\"").contains("\"bio\":\"first\"");
        assertThat(db.queryLong("SELECT version FROM users WHERE id = 8")).isEqualTo(2);
    }

    @Test
    void seedIsIdempotentAndSetBased() {
        Map<String, Object> again = replica.adminPost("seed", Map.of("users", 250));
        assertThat(again).containsEntry("created", 50);
        assertThat(db.queryLong("SELECT count(*) FROM users")).isEqualTo(250);
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE email = 'user250@herdlab.test'")).isEqualTo(1);
        assertThat(replica.adminPost("seed", Map.of("users", 250))).containsEntry("created", 0);
    }

    @Test
    void warmGivesEveryKeyTheSameExpiryInstant() {
        long before = System.currentTimeMillis();
        Map<String, Object> warm = replica.adminPost("warm", Map.of("users", 200, "ttlSeconds", 30));
        long expiresAt = ((Number) warm.get("expiresAtEpochMs")).longValue();
        assertThat(warm).containsEntry("keys", 200);
        assertThat(expiresAt - before).isBetween(29_000L, 31_000L);

        // PEXPIRETIME (Redis 7) gives each key's absolute expiry: all the same millisecond
        List<Long> expiries = new ArrayList<>();
        for (int id = 1; id <= 200; id++) {
            expiries.add(redis.pexpiretime(prefix + "{user:" + id + "}"));
        }
        assertThat(expiries).containsOnly(expiresAt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0", "-5", "1.5", "12345678901234567", "9007199254740992", "%20"})
    void invalidIdsAreProblem400(String id) {
        ResponseEntity<String> response = get("/users/" + id);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody()).contains("\"status\":400").doesNotContain("Exception").doesNotContain("at io.");
    }

    @Test
    void usersAreServedOnTheMainPortOnlyToGetAndHead() {
        assertThat(get("/users/1").getStatusCode()).isEqualTo(HttpStatus.OK);
        ResponseEntity<String> management = replica.admin().get().uri("/users/1")
                .exchangeToMono(r -> r.toEntity(String.class)).block(java.time.Duration.ofSeconds(10));
        assertThat(management.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(management.getBody()).doesNotContain("User 1");

        ResponseEntity<Void> head = replica.client().head().uri("/users/1").retrieve().toBodilessEntity()
                .block(java.time.Duration.ofSeconds(10));
        assertThat(head.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(head.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_JSON);
    }

    @Test
    void unknownIdIsProblem404() {
        ResponseEntity<String> response = get("/users/5000");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody()).contains("no user with id 5000");
    }

    @Test
    void badBodiesAreProblem4xx() {
        ResponseEntity<String> malformed = put("/users/9", MediaType.APPLICATION_JSON, "{\"name\":");
        assertThat(malformed.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(malformed.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> invalid = put("/users/9", MediaType.APPLICATION_JSON, "{\"name\":\"\",\"email\":\"x\"}");
        assertThat(invalid.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(invalid.getBody()).contains("name is required").contains("\"field\":\"name\"");

        ResponseEntity<String> text = put("/users/9", MediaType.TEXT_PLAIN, "hello");
        assertThat(text.getStatusCode()).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
        assertThat(text.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);

        ResponseEntity<String> unknown = put("/users/9999", MediaType.APPLICATION_JSON,
                "{\"name\":\"Bob\",\"email\":\"bob@herdlab.test\"}");
        assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE name = 'Bob'")).isZero();
    }

    @Test
    void snapshotShowsPoolAndPgStatActivityForThisReplica() {
        get("/users/11");
        Map<String, Object> snapshot = replica.snapshot();
        assertThat(snapshot).containsEntry("instance", "api-1").containsEntry("preset", "baseline");
        assertThat((Map<String, Object>) snapshot.get("pool")).containsEntry("maxSize", 10);
        assertThat(snapshot.get("pgStatActivity").toString()).contains("applicationName=api-1");
        String prometheus = replica.admin().get().uri("/actuator/prometheus").retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        assertThat(prometheus).contains("herd_db_queries_total{replica=\"api-1\"}")
                .contains("herd_cache_requests_total{replica=\"api-1\",result=\"miss\"}")
                .contains("r2dbc_pool_pending_connections")
                .contains("http_server_requests_seconds_bucket");
    }

    @Test
    void unreachableDatabaseIsProblem503WithRetryAfter() {
        String prefix503 = TestDatabase.keyPrefix(UsersApiTest.class);
        try (Replica broken = Replica.start("broken-db", "r2dbc:postgresql://127.0.0.1:1/none", TestDatabase.REDIS_URL,
                prefix503, "--spring.sql.init.mode=never", "--spring.r2dbc.pool.max-acquire-time=2s",
                "--spring.r2dbc.pool.initial-size=0")) {
            ResponseEntity<String> response = broken.client().get().uri("/users/1")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
            assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(response.getHeaders().getFirst("Retry-After")).isEqualTo("1");
            assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(response.getBody()).contains("database is unavailable").contains("\"incident\":")
                    .doesNotContain("\tat ");

            ResponseEntity<String> seed = broken.admin().post().uri("/actuator/herd/seed")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"users\":10}")
                    .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(30));
            assertThat(seed.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(seed.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(seed.getHeaders().getFirst("Retry-After")).isEqualTo("1");
            assertThat(seed.getBody()).contains("the database is unavailable").doesNotContain("127.0.0.1")
                    .doesNotContain("refused");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"name":"a\\u0000b","email":"a@herdlab.test"}              | name  | control characters
            {"name":"Ada","email":"a\\u0000@herdlab.test"}             | email | control characters
            {"name":"Ada","email":"a@herdlab.test","bio":"x\\u0000"}   | bio   | control characters
            {"name":"Ada","email":"a@herdlab.test","bio":"x\\u001b[31m"} | bio | control characters
            {"name":"A\\ud800","email":"a@herdlab.test"}               | name  | unpaired surrogate
            {"name":5,"email":"a@herdlab.test"}                          | name  | must be a JSON string, not a number
            {"name":"Ada","email":["a@herdlab.test"]}                    | email | must be a JSON string, not an array
            {"name":"Ada","email":"a@herdlab.test","bio":true}           | bio   | must be a JSON string, not a boolean
            {"email":"a@herdlab.test"}                                   | name  | name is required
            {"name":"Ada"}                                               | email | email is required
            {"name":"Ada","email":"a@herdlab.test","admin":true}         | admin | unknown field 'admin'
            """)
    void badFieldsAre400NamingTheFieldAndNeverReachTheDatabase(String body, String field, String message) {
        ResponseEntity<String> response = put("/users/10", MediaType.APPLICATION_JSON, body);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(response.getBody()).contains("\"field\":\"" + field + "\"").contains(message)
                .doesNotContain("UTF8").doesNotContain("database");
        assertThat(db.queryLong("SELECT version FROM users WHERE id = 10")).isEqualTo(1);
    }

    @Test
    void fieldsLongerThanTheirLimitAre400AndTheLimitsHold() {
        for (var limit : UserUpdate.MAX_LENGTH.entrySet()) {
            String field = limit.getKey();
            String tooLong = field.equals("email") ? "a".repeat(limit.getValue()) + "@x" : "x".repeat(limit.getValue() + 1);
            String body = "{\"name\":\"Ada\",\"email\":\"ada@herdlab.test\",\"" + field + "\":\"" + tooLong + "\"}";
            ResponseEntity<String> response = put("/users/10", MediaType.APPLICATION_JSON, body);
            assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(response.getBody()).contains("\"field\":\"" + field + "\"")
                    .contains("at most " + limit.getValue() + " characters");
        }
        String atTheLimits = "{\"name\":\"" + "n".repeat(100) + "\",\"email\":\"" + "e".repeat(190) + "@herdlab.t\","
                + "\"bio\":\"line one\\nline two\\ttabbed " + "b".repeat(975) + "\"}";
        ResponseEntity<String> ok = put("/users/11", MediaType.APPLICATION_JSON, atTheLimits);
        assertThat(ok.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(db.queryLong("SELECT length(bio) FROM users WHERE id = 11")).isEqualTo(1000);
    }
}
