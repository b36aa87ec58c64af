package io.herdlab.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The floor {@code make bench} measures herdlab's hit path against: the simplest WebFlux +
 * Lettuce endpoint, {@code GET /users/{id}} answering the string cached at
 * {@code <prefix>{user:<id>}} (404 when there is none). No metrics, no envelope, no coalescing:
 * what any read-through cache on this stack costs at least.
 *
 * <pre>java -jar bench/target/herdlab-floor.jar --server.port=18000 --floor.redis-url=redis://127.0.0.1:6379 --floor.key-prefix=floor:</pre>
 */
@SpringBootApplication(proxyBeanMethods = false)
public class Floor {

    public static void main(String[] args) {
        SpringApplication.run(Floor.class, args);
    }

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(@Value("${floor.redis-url:redis://127.0.0.1:6379}") String url) {
        return RedisClient.create(url);
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    RouterFunction<ServerResponse> users(StatefulRedisConnection<String, String> connection,
            @Value("${floor.key-prefix:floor:}") String prefix) {
        RedisReactiveCommands<String, String> redis = connection.reactive();
        return RouterFunctions.route(RequestPredicates.GET("/users/{id}"),
                request -> redis.get(prefix + "{user:" + request.pathVariable("id") + "}")
                        .flatMap(json -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(json))
                        .switchIfEmpty(ServerResponse.notFound().build()));
    }
}
