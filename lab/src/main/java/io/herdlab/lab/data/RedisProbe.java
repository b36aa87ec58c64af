package io.herdlab.lab.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import io.herdlab.contract.UserKey;

/**
 * The lab's questions to Redis, over plain RESP connections: how many commands of each kind it
 * has served (INFO commandstats), and which user keys are still cached; and the bench's one
 * write, the floor's copy of a user. On one node, one connection. On a Redis Cluster
 * ({@link #cluster}), one connection per master, found with {@code CLUSTER SLOTS}: the command
 * counts are read from every master (in total and per shard), the cached keys are a {@code SCAN}
 * of every master, and a key's write goes to the master of its slot ({@link #slot}: CRC16 of the
 * key, or of its hash tag), following a {@code MOVED} reply once the slots have moved.
 */
public final class RedisProbe implements AutoCloseable {

    /** Redis Cluster's slot count. */
    public static final int SLOTS = 16_384;
    /** What a single node serves: every slot. */
    static final String ALL_SLOTS = "0-" + (SLOTS - 1);
    /** A cluster replica's acknowledgements to its master (once a second): replication, not a client's command. */
    static final String REPLICATION = "replconf";
    /**
     * Left out of the counts: the lab's own commands (its INFO reads, its SCANs, the topology it asked for) and
     * the cluster's replication.
     */
    private static final List<String> NOT_THE_REPLICAS = List.of("info", "eval", "scan", "cluster|slots", REPLICATION);

    /** Node address ({@code host:port}) → its connection: the node, or every master of a cluster. */
    private final Map<String, Connection> masters = new TreeMap<>();
    /** Slot → the address of the master serving it; null on a single node. */
    private String[] slotOwner;
    private final List<String> seeds;

    private RedisProbe(List<String> seeds, boolean cluster) throws IOException {
        this.seeds = seeds;
        try {
            if (cluster) {
                discover();
            }
            else {
                masters.put(seeds.get(0), new Connection(seeds.get(0)));
            }
        }
        catch (IOException | RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** One Redis node: {@code redis://host:port[/db]}. */
    public RedisProbe(String redisUrl) throws IOException {
        this(List.of(address(redisUrl)), false);
        String path = URI.create(redisUrl).getPath() == null ? "" : URI.create(redisUrl).getPath().replace("/", "");
        if (!path.isEmpty()) {
            masters.values().iterator().next().command("SELECT", path);
        }
    }

    /** A Redis Cluster, found from any of its nodes ({@code host:port,host:port,…}). */
    public static RedisProbe cluster(String nodes) throws IOException {
        List<String> seeds = Arrays.stream(nodes.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (seeds.isEmpty()) {
            throw new IOException("no Redis Cluster node given");
        }
        return new RedisProbe(seeds, true);
    }

    /** Calls per command since the servers started (or their last CONFIG RESETSTAT), summed over the masters. */
    public Map<String, Long> commandCalls() throws IOException {
        return sum(commandCallsByShard());
    }

    /** Calls per command, per master ({@code host:port}); one entry on a single node. */
    public Map<String, Map<String, Long>> commandCallsByShard() throws IOException {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (Map.Entry<String, Connection> m : masters.entrySet()) {
            out.put(m.getKey(), parseCommandStats((String) m.getValue().command("INFO", "commandstats")));
        }
        return out;
    }

    /** The slot ranges each master serves ({@code 0-5460}, …); every slot on a single node. */
    public Map<String, List<String>> slotsByShard() {
        Map<String, List<String>> out = new TreeMap<>();
        if (slotOwner == null) {
            masters.keySet().forEach(node -> out.put(node, List.of(ALL_SLOTS)));
            return out;
        }
        int start = 0;
        for (int slot = 1; slot <= SLOTS; slot++) {
            if (slot == SLOTS || !java.util.Objects.equals(slotOwner[slot], slotOwner[start])) {
                if (slotOwner[start] != null) {
                    out.computeIfAbsent(slotOwner[start], k -> new ArrayList<>())
                            .add(start == slot - 1 ? Integer.toString(start) : start + "-" + (slot - 1));
                }
                start = slot;
            }
        }
        return out;
    }

    /**
     * The ids among 1..users whose cache key ({@link UserKey}) under {@code keyPrefix} exists now:
     * {@code SCAN MATCH <prefix>{user:*} on every master (never KEYS), leases and outcome keys left out.
     */
    public List<Long> cachedIds(String keyPrefix, int users) throws IOException {
        String pattern = glob(keyPrefix + UserKey.BEFORE_ID) + "*";
        TreeSet<Long> ids = new TreeSet<>();
        for (Connection master : masters.values()) {
            String cursor = "0";
            do {
                List<?> page = (List<?>) master.command("SCAN", cursor, "MATCH", pattern, "COUNT", "1000");
                cursor = (String) page.get(0);
                for (Object key : (List<?>) page.get(1)) {
                    long id = userId(keyPrefix, (String) key);
                    if (id >= 1 && id <= users) {
                        ids.add(id);
                    }
                }
            }
            while (!cursor.equals("0"));
        }
        return new ArrayList<>(ids);
    }

    /** SET key value EX seconds: the bench's floor serves what it finds there. */
    public void set(String key, String value, long seconds) throws IOException {
        routed(key, "SET", key, value, "EX", Long.toString(seconds));
    }

    public void delete(String key) throws IOException {
        routed(key, "UNLINK", key);
    }

    /** The master a key's commands go to ({@code host:port}). */
    public String nodeOf(String key) {
        return slotOwner == null ? masters.keySet().iterator().next() : slotOwner[slot(key)];
    }

    /**
     * Redis Cluster's hash slot of {@code key}: CRC16 (XMODEM) of the key modulo 16384, or of its
     * hash tag, the part between the first {@code {} and the next {@code }}, when that is not empty.
     */
    public static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int from = 0;
        int to = bytes.length;
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) {
                from = open + 1;
                to = close;
            }
        }
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }
        return (crc & 0xffff) % SLOTS;
    }

    /** {@code after − before} per command, leaving out the lab's own reads and replication ({@link #NOT_THE_REPLICAS}). */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((command, calls) -> {
            long n = calls - before.getOrDefault(command, 0L);
            if (n > 0 && !NOT_THE_REPLICAS.contains(command)) {
                out.put(command, n);
            }
        });
        return out;
    }

    /** {@link #delta} per shard: every shard of {@code after}, an unknown one counted from zero. */
    public static Map<String, Map<String, Long>> deltaByShard(Map<String, Map<String, Long>> before,
            Map<String, Map<String, Long>> after) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        after.forEach((shard, calls) -> out.put(shard, delta(before.getOrDefault(shard, Map.of()), calls)));
        return out;
    }

    /** Calls per command summed over shards. */
    public static Map<String, Long> sum(Map<String, Map<String, Long>> byShard) {
        Map<String, Long> out = new TreeMap<>();
        byShard.values().forEach(calls -> calls.forEach((command, n) -> out.merge(command, n, Long::sum)));
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

    /** The id of {@code <prefix>{user:<id>}}, or -1 for any other key (a lease, an outcome). */
    static long userId(String keyPrefix, String key) {
        String head = keyPrefix + UserKey.BEFORE_ID;
        if (!key.startsWith(head) || !key.endsWith(UserKey.AFTER_ID)) {
            return -1;
        }
        String id = key.substring(head.length(), key.length() - UserKey.AFTER_ID.length());
        return !id.isEmpty() && id.length() < 19 && id.chars().allMatch(Character::isDigit) ? Long.parseLong(id) : -1;
    }

    /** {@code s} with the glob's special characters escaped, for SCAN's MATCH. */
    static String glob(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("*?[]\\".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Sends a key's command to its slot's master; a MOVED reply (the slot moved) re-reads the slots and retries once. */
    private Object routed(String key, String... args) throws IOException {
        try {
            return masters.get(nodeOf(key)).command(args);
        }
        catch (RedisError ex) {
            if (slotOwner == null || !ex.getMessage().startsWith("MOVED")) {
                throw ex;
            }
            discover();
            return masters.get(nodeOf(key)).command(args);
        }
    }

    /** Asks the first node that answers for {@code CLUSTER SLOTS}, and connects to every master it names. */
    private void discover() throws IOException {
        IOException last = null;
        for (String seed : seeds) {
            try (Connection c = new Connection(seed)) {
                String host = seed.substring(0, seed.lastIndexOf(':'));
                String[] owner = new String[SLOTS];
                for (Object range : (List<?>) c.command("CLUSTER", "SLOTS")) {
                    List<?> r = (List<?>) range;
                    List<?> master = (List<?>) r.get(2);
                    String ip = (String) master.get(0);
                    String node = (ip == null || ip.isEmpty() || ip.equals("?") ? host : ip) + ":" + master.get(1);
                    Arrays.fill(owner, ((Long) r.get(0)).intValue(), ((Long) r.get(1)).intValue() + 1, node);
                }
                for (String node : new TreeSet<>(Arrays.stream(owner).filter(java.util.Objects::nonNull).toList())) {
                    if (!masters.containsKey(node)) {
                        masters.put(node, new Connection(node));
                    }
                }
                List<String> serving = Arrays.asList(owner);
                for (String gone : masters.keySet().stream().filter(n -> !serving.contains(n)).toList()) {
                    masters.remove(gone).close();
                }
                slotOwner = owner;
                return;
            }
            catch (IOException ex) {
                last = ex;
            }
        }
        throw new IOException("no Redis Cluster node of " + seeds + " answered CLUSTER SLOTS", last);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String address(String redisUrl) {
        URI uri = URI.create(redisUrl);
        return uri.getHost() + ":" + (uri.getPort() < 0 ? 6379 : uri.getPort());
    }

    @Override
    public void close() throws IOException {
        for (Connection c : masters.values()) {
            c.close();
        }
    }

    /** Redis's error reply. */
    static final class RedisError extends IOException {
        RedisError(String message) {
            super(message);
        }
    }

    /** One RESP connection. */
    private static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Connection(String address) throws IOException {
            int colon = address.lastIndexOf(':');
            socket = new Socket(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        Object command(String... args) throws IOException {
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
                case '-' -> throw new RedisError(line);
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
}
