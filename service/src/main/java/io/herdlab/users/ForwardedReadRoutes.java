package io.herdlab.users;

import io.herdlab.owner.OwnerHttp;
import io.herdlab.problem.Problems;
import io.herdlab.problem.Refusal;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/**
 * Owner routing's internal routes on the management port, imported into the management
 * server's context like the admin routes (so never on the traffic port): a read forwarded by
 * another replica, served here whatever this replica believes about who owns the key, and the
 * members' health probe. The answer is the owner's: 200 with the profile and its version, a 404
 * problem, or the 503 problem with its Retry-After; a replica that does not route by owner
 * answers 409, which the forwarder takes as "load it yourself".
 */
class ForwardedReadRoutes {

    @Bean
    RouterFunction<ServerResponse> forwardedReads(UserService users, Problems problems) {
        return route(GET(OwnerHttp.PATH + "{id}"), request -> read(users, problems, request))
                .andRoute(GET(OwnerHttp.PING), request -> ServerResponse.ok().bodyValue("ok"));
    }

    private static Mono<ServerResponse> read(UserService users, Problems problems, ServerRequest request) {
        if (!users.servesForwarded()) {
            return problems.respond(Refusal.of(HttpStatus.CONFLICT, "this replica does not route reads by owner"
                    + " (herd.mitigation.coalescer=owner)"), request);
        }
        if (request.headers().firstHeader(OwnerHttp.FORWARDED) == null) {
            return problems.respond(Refusal.badRequest("only replicas call this route, with the header "
                    + OwnerHttp.FORWARDED), request);
        }
        return UserIds.answer(request, problems, id -> users.getForwarded(id)
                .flatMap(entry -> entry.exists()
                        ? ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .header(OwnerHttp.VERSION, Long.toString(entry.version())).bodyValue(entry.json())
                        : Mono.error(Refusal.noSuchUser(id))));
    }
}
