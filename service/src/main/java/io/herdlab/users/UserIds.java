package io.herdlab.users;

import io.herdlab.problem.Refusal;

/** Parses the {@code {id}} of a users route: a positive whole number below 2^53. */
final class UserIds {

    static final long MAX = (1L << 53) - 1;

    private UserIds() {
    }

    static long parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 16 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Refusal.badRequest("user id must be a positive whole number of at most 16 digits, not '"
                    + abbreviate(raw) + "'");
        }
        long id = Long.parseLong(raw);
        if (id < 1 || id > MAX) {
            throw Refusal.badRequest("user id must be between 1 and " + MAX + ", not " + raw);
        }
        return id;
    }

    private static String abbreviate(String raw) {
        if (raw == null) {
            return "";
        }
        return raw.length() > 40 ? raw.substring(0, 40) + "…" : raw;
    }
}
