package io.herdlab.users;

import java.util.function.LongFunction;

import io.herdlab.problem.Problems;
import io.herdlab.problem.Refusal;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** Parses the {@code {id}} of a users route: a positive whole number below 2^53. */
final class UserIds {

    static final long MAX = (1L << 53) - 1;

    private UserIds() {
    }

    static long parse(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 16 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Refusal.badRequest("user id must be a positive whole number of at most 16 digits, not '"
                    + abbreviate(raw) + "'");
        }
        long id = Long.parseLong(raw);
        if (id < 1 || id > MAX) {
            throw Refusal.badRequest("user id must be between 1 and " + MAX + ", not " + raw);
        }
        return id;
    }

    /**
     * A router function's answer about the user its {@code {id}} names: {@code handler}'s, or the
     * problem a bad id or the handler's error is answered with.
     */
    static Mono<ServerResponse> answer(ServerRequest request, Problems problems,
            LongFunction<Mono<ServerResponse>> handler) {
        long id;
        try {
            id = parse(request.pathVariable("id"));
        }
        catch (Refusal ex) {
            return problems.respond(ex, request);
        }
        return handler.apply(id).onErrorResume(error -> problems.respond(error, request));
    }

    private static String abbreviate(String raw) {
        if (raw == null) {
            return "";
        }
        return raw.length() > 40 ? raw.substring(0, 40) + "…" : raw;
    }
}
