package io.herdlab.lab.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.herdlab.contract.UserKey;

/**
 * The lab's two questions to Redis, over one plain RESP connection: how many commands of each
 * kind it has served (INFO commandstats), and which user keys are still cached; and the bench's
 * one write, the floor's copy of a user.
 */
public final class RedisProbe implements AutoCloseable {

    /** Ids 1..ARGV[2] whose key ARGV[1]..id..ARGV[3] still exists, in one round trip. */
    private static final String CACHED_IDS = """
            local alive = {}
            for id = 1, tonumber(ARGV[2]) do
              if redis.call('EXISTS', ARGV[1] .. id .. ARGV[3]) == 1 then alive[#alive + 1] = id end
            end
            return alive""";

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public RedisProbe(String redisUrl) throws IOException {
        URI uri = URI.create(redisUrl);
        socket = new Socket(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
        String path = uri.getPath() == null ? "" : uri.getPath().replace("/", "");
        if (!path.isEmpty()) {
            command("SELECT", path);
        }
    }

    /** Calls per command since the server started (or its last CONFIG RESETSTAT). */
    public Map<String, Long> commandCalls() throws IOException {
        return parseCommandStats((String) command("INFO", "commandstats"));
    }

    /** The ids among 1..users whose cache key ({@link UserKey}) under {@code keyPrefix} exists now. */
    public List<Long> cachedIds(String keyPrefix, int users) throws IOException {
        List<Long> out = new ArrayList<>();
        for (Object id : (List<?>) command("EVAL", CACHED_IDS, "0", keyPrefix + UserKey.BEFORE_ID,
                Integer.toString(users), UserKey.AFTER_ID)) {
            out.add((Long) id);
        }
        return out;
    }

    /** SET key value EX seconds: the bench's floor serves what it finds there. */
    public void set(String key, String value, long seconds) throws IOException {
        command("SET", key, value, "EX", Long.toString(seconds));
    }

    public void delete(String key) throws IOException {
        command("UNLINK", key);
    }

    /** {@code after − before} per command, leaving out the lab's own INFO and EVAL. */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((command, calls) -> {
            long n = calls - before.getOrDefault(command, 0L);
            if (n > 0 && !command.equals("info") && !command.equals("eval")) {
                out.put(command, n);
            }
        });
        return out;
    }

    /** {@code cmdstat_get:calls=12,usec=…} lines → {@code get → 12}; subcommands keep their {@code |}. */
    static Map<String, Long> parseCommandStats(String info) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                int colon = line.indexOf(':');
                int calls = line.indexOf("calls=");
                int end = line.indexOf(',', calls);
                out.put(line.substring("cmdstat_".length(), colon),
                        Long.parseLong(line.substring(calls + "calls=".length(), end < 0 ? line.length() : end)));
            }
        }
        return out;
    }

    private Object command(String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            request.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
        }
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return reply();
    }

    private Object reply() throws IOException {
        int type = in.read();
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new IOException("Redis answered: " + line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                byte[] data = in.readNBytes(length + 2);
                yield new String(data, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(reply());
                }
                yield items;
            }
            default -> throw new IOException("unexpected Redis reply type " + type);
        };
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            s.append((char) c);
        }
        in.read();
        return s.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
