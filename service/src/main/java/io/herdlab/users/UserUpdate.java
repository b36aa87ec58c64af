package io.herdlab.users;

import java.util.List;
import java.util.Map;

import io.herdlab.problem.Refusal;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code PUT /users/{id}}, read strictly so that nothing PostgreSQL would refuse
 * (a NUL byte, a lone surrogate) ever reaches it: a JSON object with {@code name} (1–100
 * characters), {@code email} (an address, at most 200) and optionally {@code bio} (at most
 * 1,000; may contain line breaks and tabs), all strings without control characters. Anything
 * else is a 400 naming the field.
 */
record UserUpdate(String name, String email, String bio) {

    /** The limits, in characters (UTF-16 code units), as the README documents them. */
    static final Map<String, Integer> MAX_LENGTH = Map.of("name", 100, "email", 200, "bio", 1000);
    private static final List<String> FIELDS = List.of("name", "email", "bio");

    static UserUpdate parse(JsonMapper json, String raw) {
        JsonNode body;
        try {
            body = json.readTree(raw);
        }
        catch (JacksonException ex) {
            throw Refusal.badRequest("the body is not valid JSON: send {\"name\":…,\"email\":…,\"bio\":…}");
        }
        if (body == null || !body.isObject()) {
            throw Refusal.badRequest("the body must be a JSON object with name, email and optionally bio");
        }
        for (String field : body.propertyNames()) {
            if (!FIELDS.contains(field)) {
                throw Refusal.badRequest(field, "unknown field '" + printable(field)
                        + "': a PUT body has name, email and optionally bio");
            }
        }
        String name = text(body, "name", true, false).strip();
        if (name.isEmpty()) {
            throw Refusal.badRequest("name", "name is required (1 to 100 characters)");
        }
        String email = text(body, "email", true, false).strip();
        if (!email.matches("[^@\\s]+@[^@\\s]+")) {
            throw Refusal.badRequest("email", "email must look like an e-mail address (name@host)");
        }
        String bio = text(body, "bio", false, true);
        return new UserUpdate(name, email, bio);
    }

    private static String text(JsonNode body, String field, boolean required, boolean multiline) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw Refusal.badRequest(field, field + " is required");
            }
            return "";
        }
        if (!node.isString()) {
            throw Refusal.badRequest(field, field + " must be a JSON string, not " + kind(node));
        }
        String value = node.stringValue();
        int max = MAX_LENGTH.get(field);
        if (value.length() > max) {
            throw Refusal.badRequest(field, field + " must be at most " + max + " characters, not "
                    + value.length());
        }
        String problem = badCharacter(value, multiline);
        if (problem != null) {
            throw Refusal.badRequest(field, field + " must not contain " + problem);
        }
        return value;
    }

    /** What is wrong with a character of {@code value}, or null when every one is acceptable. */
    private static @Nullable String badCharacter(String value, boolean multiline) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                return "an unpaired surrogate (\\u" + Integer.toHexString(c) + ") at position " + i;
            }
            else if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                return "control characters (\\u" + String.format("%04x", (int) c) + " at position " + i + ")"
                        + (multiline ? "; line breaks and tabs are fine" : "");
            }
        }
        return null;
    }

    private static String kind(JsonNode node) {
        return node.isNumber() ? "a number" : node.isBoolean() ? "a boolean" : node.isArray() ? "an array"
                : node.isObject() ? "an object" : "that";
    }

    private static String printable(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return shown.codePoints().map(c -> Character.isISOControl(c) || Character.isSurrogate((char) c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
