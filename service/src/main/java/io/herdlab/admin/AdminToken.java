package io.herdlab.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import org.jspecify.annotations.Nullable;

/** Checks an {@code Authorization} header against {@code herd.admin.token}, in constant time. */
final class AdminToken {

    private final byte @Nullable [] token;

    AdminToken(AdminProperties admin) {
        this.token = admin.open() ? null : admin.token().getBytes(StandardCharsets.UTF_8);
    }

    boolean configured() {
        return token != null;
    }

    /** Whether {@code authorization} is {@code Bearer <the token>}; false when no token is configured. */
    boolean matches(@Nullable String authorization) {
        if (token == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }
}
