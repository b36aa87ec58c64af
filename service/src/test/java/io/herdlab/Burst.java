package io.herdlab;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import reactor.core.publisher.Flux;

/** Fires requests at replicas all at once and collects the status codes. */
public final class Burst {

    private Burst() {
    }

    /** {@code requests} concurrent GETs of {@code /users/{id}}, spread round-robin over the replicas. */
    public static List<Integer> get(List<Replica> replicas, int requests, java.util.function.IntFunction<Long> idOf) {
        return Flux.fromStream(IntStream.range(0, requests).boxed())
                .flatMap(i -> replicas.get(i % replicas.size()).client().get().uri("/users/" + idOf.apply(i))
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                        .onErrorReturn(-1), requests)
                .collectList()
                .block(Duration.ofSeconds(120));
    }
}
