package io.herdlab.readthrough;

import reactor.core.publisher.Mono;

/**
 * Where the read-through cache loads a row from on a miss: one statement, under the statement
 * deadline (the cache wraps it in the database guard). Empty when there is no such row.
 */
public interface RowSource {

    Mono<Row> find(long id);

    /** A row as served: its JSON and its version (bumped by every update). */
    record Row(String json, long version) {
    }
}
