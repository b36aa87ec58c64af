package io.herdlab.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.herdlab.problem.Refusal;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON body of an admin action, read strictly: a field the action does not take, a value
 * of the wrong type or out of its bounds is a 400 naming the field, never silently a default.
 */
final class AdminRequest {

    static final Duration MAX_TTL = Duration.ofDays(1);
    static final Duration MAX_EXPIRY_AHEAD = Duration.ofDays(1);
    static final int DEFAULT_USERS = 10_000;

    /** The fields each action takes. */
    static final Map<String, List<String>> FIELDS = Map.of(
            "seed", List.of("users"),
            "warm", List.of("users", "ttlSeconds", "expiresAtEpochMs", "aligned"),
            "reset", List.of(),
            "flush", List.of());

    private final String action;
    private final JsonNode body;

    private AdminRequest(String action, JsonNode body) {
        this.action = action;
        this.body = body;
    }

    /** Parses {@code raw} (empty means {@code {}}) for {@code action}, which must be a key of {@link #FIELDS}. */
    static AdminRequest parse(JsonMapper json, String action, String raw) {
        JsonNode body;
        try {
            body = raw.isBlank() ? json.createObjectNode() : json.readTree(raw);
        }
        catch (JacksonException ex) {
            throw Refusal.badRequest(null, "the body must be a JSON object, e.g. {} or {\"users\":10000}");
        }
        if (body == null || !body.isObject()) {
            throw Refusal.badRequest(null, "the body must be a JSON object, e.g. {} or {\"users\":10000}");
        }
        List<String> allowed = FIELDS.get(action);
        for (String name : body.propertyNames()) {
            if (!allowed.contains(name)) {
                throw Refusal.badRequest(name, "unknown field '" + abbreviate(name) + "': " + action
                        + (allowed.isEmpty() ? " takes no fields (send {})" : " takes " + String.join(", ", allowed)));
            }
        }
        return new AdminRequest(action, body);
    }

    /** {@code users}: 1…max, {@value #DEFAULT_USERS} when absent. */
    int users(int max) {
        Long users = whole("users", 1, max);
        return users == null ? DEFAULT_USERS : users.intValue();
    }

    /** {@code ttlSeconds}: 1 s … 1 day, or null when absent. */
    @Nullable Long ttlSeconds() {
        return whole("ttlSeconds", 1, MAX_TTL.toSeconds());
    }

    /** {@code expiresAtEpochMs}: after {@code nowMs} and within a day of it, or null when absent. */
    @Nullable Long expiresAtEpochMs(long nowMs) {
        if (!body.has("expiresAtEpochMs")) {
            return null;
        }
        JsonNode node = body.get("expiresAtEpochMs");
        long max = nowMs + MAX_EXPIRY_AHEAD.toMillis();
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() <= nowMs
                || node.longValue() > max) {
            throw Refusal.badRequest("expiresAtEpochMs", "expiresAtEpochMs must be an epoch-millisecond instant after"
                    + " now (" + nowMs + ") and at most one day ahead (" + max + "), not " + shown(node));
        }
        return node.longValue();
    }

    boolean aligned() {
        if (!body.has("aligned")) {
            return false;
        }
        JsonNode node = body.get("aligned");
        if (!node.isBoolean()) {
            throw Refusal.badRequest("aligned", "aligned must be true or false, not " + shown(node));
        }
        return node.booleanValue();
    }

    private @Nullable Long whole(String field, long min, long max) {
        if (!body.has(field)) {
            return null;
        }
        JsonNode node = body.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            throw Refusal.badRequest(field, field + " must be a whole number from " + min + " to " + max + ", not "
                    + shown(node));
        }
        return node.longValue();
    }

    String action() {
        return action;
    }

    private static String shown(JsonNode node) {
        return abbreviate(node.toString());
    }

    private static String abbreviate(String text) {
        String printable = text.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }
}
