package io.herdlab.admin;

import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * The {@code /actuator/herd} routes, imported into the management server's context through
 * {@code META-INF/spring/…ManagementContextConfiguration.imports}. Deliberately not a
 * {@code @Configuration}: component scanning must not put these routes on the traffic port.
 */
class AdminRoutes {

    @Bean
    RouterFunction<ServerResponse> herdAdminRoutes(HerdAdmin admin, WebEndpointProperties endpoints) {
        String base = endpoints.getBasePath() + "/herd";
        return route(GET(base), admin::snapshot)
                .andRoute(GET(base + "/{view}"), admin::view)
                .andRoute(POST(base + "/{action}"), admin::act)
                .andRoute(path(base).or(path(base + "/**")), request -> admin.notServed(request, base));
    }
}
