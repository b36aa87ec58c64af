package io.herdlab.lease;

/**
 * A lease held on user {@code id}: the token the scripts check, and for a Redisson lock the
 * hash field that marks its holder ({@code ""} for herdlab's string lease).
 *
 * @param askedAt when the request that won it was sent (the scheduler's clock, ms): Redis granted
 *                it no earlier, so it runs out no earlier than {@code askedAt} + the lease time,
 *                however late its reply was read (a replica busy under the herd reads it seconds late)
 */
record Lease(long id, String token, String field, long askedAt) {
}
