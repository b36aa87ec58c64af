package io.herdlab.users;

import io.herdlab.problem.Problems;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code GET /users/{id}}, the hit path, as a router function: WebFlux's cheapest dispatch (no
 * argument resolution, no reflective call, no result-handler negotiation), which the hit path
 * needs to stay near the floor of docs/performance.md. Its errors are the same problem JSON as
 * the annotated routes' ({@link Problems#respond}).
 *
 * <p>The route has a handler mapping of its own that answers only on the main server: the
 * management server's child context collects router functions and handler mappings from its
 * parent too, and would otherwise serve users on the management port.
 */
@Configuration(proxyBeanMethods = false)
class UserRoutes {

    @Bean
    RouterFunctionMapping userReads(UserService users, Problems problems, ServerCodecConfigurer codecs) {
        RouterFunctionMapping mapping = new MainServerOnly(route(users, problems));
        mapping.setOrder(-2); // ahead of WebFlux's own router-function (-1) and annotated (0) mappings
        mapping.setMessageReaders(codecs.getReaders());
        return mapping;
    }

    /** A router-function mapping for the requests of the context it was declared in alone. */
    private static final class MainServerOnly extends RouterFunctionMapping {

        MainServerOnly(RouterFunction<?> route) {
            super(route);
        }

        @Override
        protected Mono<?> getHandlerInternal(ServerWebExchange exchange) {
            return exchange.getApplicationContext() == obtainApplicationContext() ? super.getHandlerInternal(exchange)
                    : Mono.empty();
        }
    }

    private static RouterFunction<ServerResponse> route(UserService users, Problems problems) {
        // HEAD as well, as an annotated GET mapping would (WebFlux drops the body)
        return RouterFunctions.route(RequestPredicates.methods(HttpMethod.GET, HttpMethod.HEAD)
                .and(RequestPredicates.path("/users/{id}")), request -> UserIds.answer(request, problems,
                        id -> users.get(id).flatMap(json -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(json))));
    }
}
