package io.herdlab.users;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

@RestController
class UserController {

    private final UserService users;

    UserController(UserService users) {
        this.users = users;
    }

    @GetMapping("/users/{id}")
    Mono<ResponseEntity<String>> get(@PathVariable String id) {
        return Mono.fromCallable(() -> UserIds.parse(id)).flatMap(users::get).map(UserController::json);
    }

    @PutMapping(path = "/users/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<String>> put(@PathVariable String id, @RequestBody Mono<UserUpdate> body) {
        return Mono.fromCallable(() -> UserIds.parse(id))
                .flatMap(userId -> body
                        .switchIfEmpty(Mono.error(() -> new BadRequestException("a JSON body is required")))
                        .flatMap(update -> {
                            var problems = update.problems();
                            if (!problems.isEmpty()) {
                                return Mono.error(new BadRequestException(String.join("; ", problems)));
                            }
                            return users.update(userId, update.withDefaults());
                        }))
                .map(UserController::json);
    }

    private static ResponseEntity<String> json(String body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
