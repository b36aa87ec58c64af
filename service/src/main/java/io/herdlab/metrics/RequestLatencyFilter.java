package io.herdlab.metrics;

import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Times every {@code /users/**} request, whatever its outcome, into the lab's histogram. */
final class RequestLatencyFilter implements WebFilter {

    private final HerdMetrics metrics;

    RequestLatencyFilter(HerdMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().value().startsWith("/users/")) {
            return chain.filter(exchange);
        }
        long start = System.nanoTime();
        return chain.filter(exchange)
                .doFinally(signal -> metrics.requestLatency((System.nanoTime() - start) / 1_000_000));
    }
}
