package io.herdlab.users;

import java.time.OffsetDateTime;

/** A user profile, as stored and as served. */
public record User(Long id, String name, String email, String bio, Long version, OffsetDateTime updatedAt) {
}
