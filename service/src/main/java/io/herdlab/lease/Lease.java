package io.herdlab.lease;

/**
 * A lease held on user {@code id}: the token the scripts check, and for a Redisson lock the
 * hash field that marks its holder ({@code ""} for herdlab's string lease).
 */
record Lease(long id, String token, String field) {
}
