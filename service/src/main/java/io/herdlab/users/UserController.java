package io.herdlab.users;

import io.herdlab.problem.Refusal;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** {@code PUT /users/{id}}; the hit path, {@code GET}, is a router function ({@link UserRoutes}). */
@RestController
class UserController {

    private final UserService users;
    private final JsonMapper json;

    UserController(UserService users, JsonMapper json) {
        this.users = users;
        this.json = json;
    }

    /** The body is read as text and parsed strictly by {@link UserUpdate#parse}, so every mistake names its field. */
    @PutMapping(path = "/users/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<String>> put(@PathVariable String id, @RequestBody(required = false) Mono<String> body) {
        return Mono.fromCallable(() -> UserIds.parse(id))
                .flatMap(userId -> body
                        .switchIfEmpty(Mono.error(() -> Refusal.badRequest("a JSON body is required")))
                        .map(raw -> UserUpdate.parse(json, raw))
                        .flatMap(update -> users.update(userId, update)))
                .map(UserController::json);
    }

    private static ResponseEntity<String> json(String body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
