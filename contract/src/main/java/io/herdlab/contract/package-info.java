/**
 * What the service and the lab both compile against: the JSON of {@code GET /actuator/herd},
 * {@code GET /actuator/herd/keys} and {@code GET /actuator/herd/lease-events} as typed records, and
 * the preset names. Nothing here depends on Spring; the records ignore fields they do not name,
 * so the service can add to its snapshot without breaking a reader.
 */
package io.herdlab.contract;
