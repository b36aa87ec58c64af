package io.herdlab.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import org.springframework.core.io.ClassPathResource;
import reactor.core.publisher.Mono;

/**
 * A Lua script sent by its SHA1 ({@code EVALSHA}: a few bytes on the wire, not the script's
 * text); when Redis does not know it (first call, or a Redis restarted since), the one call
 * falls back to {@code EVAL}, which also teaches Redis the script for the next ones.
 */
public final class RedisScript {

    private final String body;
    private final String sha;

    public RedisScript(String body) {
        this.body = body;
        try {
            this.sha = HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("this JVM has no SHA-1, which Redis names scripts by", ex);
        }
    }

    /** The script at {@code path} on the class path, after {@code preludes} (shared functions), if any. */
    public static RedisScript load(String path, String... preludes) {
        StringBuilder text = new StringBuilder();
        for (String prelude : preludes) {
            text.append(read(prelude)).append('\n');
        }
        return new RedisScript(text.append(read(path)).toString());
    }

    /** One call: its reply (a {@code List<Object>} for {@link ScriptOutputType#MULTI}). */
    public <T> Mono<T> run(RedisClusterReactiveCommands<String, String> redis, ScriptOutputType type, String[] keys,
            String... args) {
        return redis.<T>evalsha(sha, type, keys, args).next()
                .onErrorResume(RedisNoScriptException.class, missing -> redis.<T>eval(body, type, keys, args).next());
    }

    /** Sends the script's text once ({@code SCRIPT LOAD}), so its first calls are not refused. */
    public Mono<Void> preload(RedisClusterReactiveCommands<String, String> redis) {
        return redis.scriptLoad(body).then();
    }

    private static String read(String path) {
        try {
            return new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
