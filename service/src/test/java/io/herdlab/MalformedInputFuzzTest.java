package io.herdlab;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated malformed ids, bodies, headers and admin payloads against a running replica. Every
 * answer must be a 4xx problem JSON (404 for unknown users), never a 5xx, a stack trace or a
 * driver's words, and the replica must stay healthy with its heap flat. The generator is seeded,
 * so a failure replays; the case is printed in the assertion message.
 */
class MalformedInputFuzzTest {

    static final long SEED = 20261127L;
    static final int CASES_PER_ROUND = 250;
    static final String TOKEN = "fuzz-token";
    static final List<String> LEAKS = List.of("\tat ", "Exception", "io.r2dbc", "org.springframework", "SQL", "UTF8",
            "127.0.0.1", "postgres", "pg_", "lettuce", "redis://", "netty");

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static TestDatabase db;
    static Replica replica;
    static String prefix;

    @BeforeAll
    static void start() {
        db = TestDatabase.create(MalformedInputFuzzTest.class);
        prefix = TestDatabase.keyPrefix(MalformedInputFuzzTest.class);
        replica = Replica.start("fuzz-1", db, prefix, "--herd.db.query-delay=0", "--herd.db.seed-on-start=100",
                "--herd.admin.token=" + TOKEN, "--herd.admin.max-users=1000");
    }

    @AfterAll
    static void stop() {
        replica.close();
        db.close();
    }

    /** One generated request: what it is (for the failure message) and how to send it. */
    record Case(String description, Supplier<Answer> send) {
    }

    @Test
    void everyMalformedInputIsA4xxProblemAndTheReplicaStaysHealthy() {
        Random random = new Random(SEED);
        int sent = round(random); // warms up the JIT and the pools, so the heap compares like with like
        long heapBefore = usedHeapAfterGc();
        sent += round(random);
        long heapAfter = usedHeapAfterGc();

        assertThat(sent).isGreaterThanOrEqualTo(2 * CASES_PER_ROUND);
        assertThat(heapAfter - heapBefore).as("heap growth over %d requests", CASES_PER_ROUND)
                .isLessThan(32L * 1024 * 1024);
        ResponseEntity<String> health = replica.admin().get().uri("/actuator/health")
                .exchangeToMono(r -> r.toEntity(String.class)).block(Duration.ofSeconds(10));
        assertThat(health.getBody()).contains("\"UP\"");
        assertThat(replica.getUser(1).getStatusCode().value()).isEqualTo(200);
        assertThat(db.queryLong("SELECT count(*) FROM users WHERE name LIKE '%' || chr(1) || '%'")).isZero();
    }

    private int round(Random random) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES_PER_ROUND; i++) {
            cases.add(switch (i % 5) {
                case 0 -> badId(random);
                case 1 -> badBody(random);
                case 2 -> badHeaders(random);
                case 3 -> badAdmin(random);
                default -> badRoute(random);
            });
        }
        java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (Case c : cases) {
            Answer answer = c.send().get();
            statuses.merge(answer.status(), 1, Integer::sum);
            int status = answer.status();
            String body = answer.body();
            assertThat(status).as(c.description() + " → " + body).isBetween(400, 499);
            assertThat(answer.contentType()).as(c.description() + " → " + body).isEqualTo("application/problem+json");
            assertThat(body).as(c.description()).contains("\"status\":" + status);
            for (String leak : LEAKS) {
                assertThat(body).as(c.description()).doesNotContainIgnoringCase(leak);
            }
        }
        System.out.println("fuzz statuses: " + statuses);
        return cases.size();
    }

    private static final String[] ID_PIECES = {"0", "-1", "1.5", "1e3", "0x10", "abc", "%20", "%00", "%ff", "%c3%28",
            "..", "%2e%2e", "99999999999999999", "9007199254740992", "18446744073709551616", " 1", "1 ", "+1", "١",
            "%e2%80%8b", "null", "undefined", "'", "%27%20OR%201=1", ";", "%3B", "😀", "%f0%9f%98%80", "1;DROP"};

    private Case badId(Random random) {
        StringBuilder id = new StringBuilder();
        int pieces = 1 + random.nextInt(3);
        for (int i = 0; i < pieces; i++) {
            id.append(ID_PIECES[random.nextInt(ID_PIECES.length)]);
        }
        if (random.nextInt(4) == 0) {
            id.insert(0, 100 + random.nextInt(1_000_000)); // unknown or malformed, never an existing user
        }
        String raw = id.toString().replace(" ", "%20").replace("'", "%27").replace(";", "%3B")
                .replace("١", "%D9%A1").replace("😀", "%F0%9F%98%80");
        URI uri = URI.create("http://127.0.0.1:" + replica.port() + "/users/" + raw);
        return new Case("GET /users/" + raw, () -> exchange("GET", uri, null, null, null, null));
    }

    private static final String[] FIELDS = {"name", "email", "bio", "id", "version", "", "na\u0000me", "admin"};
    private static final String[] VALUES = {"\"\"", "null", "0", "-1", "1e309", "true", "[]", "{}", "\"a\\u0000b\"",
            "\"\\ud800\"", "\"x\\u001b[2J\"", "\"" + "x".repeat(1001) + "\"", "\"no-at-sign\"", "\"a@b\\u0007\"",
            "123456789012345678901234567890", "[\"a@b\"]", "{\"$ne\":1}", "\"\\u202e\"", "\"a@b\""};
    private static final String[] BROKEN = {"", "{", "}", "{\"name\":", "[", "\"name\"", "null", "1", "{'name':'a'}",
            "{\"name\":\"a\",}", "{\"name\" \"a\"}", "\u0000", "{\"a\":" + "[".repeat(2000) + "]".repeat(2000) + "}",
            "{\"name\":\"" + "x".repeat(400_000) + "\"}"};

    private Case badBody(Random random) {
        String body;
        if (random.nextInt(4) == 0) {
            body = BROKEN[random.nextInt(BROKEN.length)];
        }
        else {
            List<String> members = new ArrayList<>();
            int n = 1 + random.nextInt(4);
            boolean defect = false;
            for (int i = 0; i < n; i++) {
                String field = FIELDS[random.nextInt(FIELDS.length)];
                String value = VALUES[random.nextInt(VALUES.length)];
                members.add("\"" + field.replace("\u0000", "\\u0000") + "\":" + value);
            }
            // guarantee one defect, so no generated body is a valid update by chance
            members.add(random.nextBoolean() ? "\"name\":\"a\\u0000\"" : "\"email\":" + VALUES[random.nextInt(12)]);
            body = "{" + String.join(",", members) + "}";
        }
        long id = 1 + random.nextInt(100);
        URI uri = URI.create("http://127.0.0.1:" + replica.port() + "/users/" + id);
        String shown = body.length() > 120 ? body.substring(0, 120) + "…" : body;
        return new Case("PUT /users/" + id + " " + shown,
                () -> exchange("PUT", uri, "application/json", null, body, null));
    }

    private static final String[] CONTENT_TYPES = {"text/plain", "application/xml", "application/json; charset=nope",
            "application/x-www-form-urlencoded", "multipart/form-data", "nonsense", "application/", "*/*",
            "application/json;;;", "text/html; charset=utf-8"};
    private static final String[] ACCEPTS = {"application/json", "application/problem+json", "*/*",
            "application/json;q=0.1, */*;q=0.2", "text/*, application/problem+json", null};

    private Case badHeaders(Random random) {
        String contentType = CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
        String accept = ACCEPTS[random.nextInt(ACCEPTS.length)];
        long id = 1 + random.nextInt(100);
        URI uri = URI.create("http://127.0.0.1:" + replica.port() + "/users/" + id);
        // defective too, so a content type that is JSON after all still cannot make the answer a 200
        String body = "{\"name\":\"Ada\\u0001\",\"email\":\"ada@herdlab.test\"}";
        return new Case("PUT /users/" + id + " Content-Type: " + contentType + " Accept: " + accept,
                () -> exchange("PUT", uri, contentType, accept, body, null));
    }

    private static final String[] ACTIONS = {"seed", "warm", "reset", "flush", "Seed", "seed/", "..", "%00", "keys"};
    private static final String[] ADMIN_FIELDS = {"users", "ttlSeconds", "expiresAtEpochMs", "aligned", "ttl", "",
            "USERS", "users\u0000"};
    private static final String[] ADMIN_VALUES = {"-5", "0", "1001", "99999999999", "9223372036854775807",
            "-9223372036854775808", "1.5", "\"10\"", "true", "null", "[]", "{}", "1e400", "\"\\u0000\""};
    private static final String[] TOKENS = {null, "", "Bearer", "Bearer ", "Bearer wrong", "Basic Zm9vOmJhcg==",
            "bearer " + TOKEN + "x", "Bearer " + TOKEN.toUpperCase(), "Bearer \u00e9"};

    private Case badAdmin(Random random) {
        String action = ACTIONS[random.nextInt(ACTIONS.length)];
        boolean authorized = random.nextInt(3) > 0;
        String authorization = authorized ? "Bearer " + TOKEN : TOKENS[random.nextInt(TOKENS.length)];
        String body;
        if (random.nextInt(5) == 0) {
            body = BROKEN[1 + random.nextInt(BROKEN.length - 1)]; // not "" (that is {}, valid)
        }
        else {
            String field = ADMIN_FIELDS[random.nextInt(ADMIN_FIELDS.length)];
            String value = ADMIN_VALUES[random.nextInt(ADMIN_VALUES.length)];
            body = "{\"" + field.replace("\u0000", "\\u0000") + "\":" + value + "}";
        }
        URI uri = URI.create("http://127.0.0.1:" + replica.managementPort() + "/actuator/herd/" + action);
        boolean reachesAnAction = authorized && List.of("seed", "warm", "reset", "flush").contains(action);
        // reset and flush take no fields and every generated body has one (or is broken), so all are refused;
        // seed/warm get only values outside their bounds or of the wrong type
        return new Case("POST /actuator/herd/" + action + (reachesAnAction ? " (token) " : " ") + body,
                () -> exchange("POST", uri, "application/json", null, body, authorization));
    }

    private static final String[] METHODS = {"DELETE", "PATCH", "POST", "PUT", "GET"};
    private static final String[] TRAFFIC_PATHS = {"/", "/users", "/users/", "/users/1/2", "/admin", "/actuator",
            "/actuator/herd", "/actuator/env", "/%2e%2e/etc/passwd", "/users/1?id=2"};
    private static final String[] MANAGEMENT_PATHS = {"/actuator/env", "/actuator/heapdump", "/actuator/herd/",
            "/actuator/herd/keys/1", "/actuator/shutdown", "/users/1", "/actuator/herd/summary/x"};

    private Case badRoute(Random random) {
        String method = METHODS[random.nextInt(METHODS.length)];
        boolean management = random.nextBoolean();
        String path;
        if (management) {
            path = MANAGEMENT_PATHS[random.nextInt(MANAGEMENT_PATHS.length)];
        }
        else {
            path = method.equals("GET") || method.equals("PUT") ? TRAFFIC_PATHS[random.nextInt(TRAFFIC_PATHS.length)]
                    : "/users/" + (1 + random.nextInt(100));
        }
        URI uri = URI.create("http://127.0.0.1:" + (management ? replica.managementPort() : replica.port()) + path);
        return new Case(method + " " + uri, () -> exchange(method, uri, "application/json", null, "{}", null));
    }

    /** One answer as received; the JDK client sends headers as given, however malformed. */
    record Answer(int status, String contentType, String body) {
    }

    private static Answer exchange(String method, URI uri, String contentType, String accept, String body,
            String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (authorization != null && !authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        }
        catch (java.io.IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
