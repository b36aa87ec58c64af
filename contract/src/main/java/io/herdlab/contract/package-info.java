/**
 * What the service and the lab both compile against: the JSON of {@code GET /actuator/herd},
 * {@code GET /actuator/herd/keys} and {@code GET /actuator/herd/lease-events} as typed records
 * (the service writes them, the lab reads them), the lease outcomes they count, the preset
 * names, the Redis key of a user's value, and the latency buckets with their one quantile rule.
 * Nothing here depends on Spring; a reader ignores fields it does not name, so a snapshot from a
 * newer or older service still reads.
 */
package io.herdlab.contract;
