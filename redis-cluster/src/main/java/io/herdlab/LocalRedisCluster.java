package io.herdlab;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Redis Cluster of a test's (or a lab run's) own: 3 masters and 3 replicas from the machine's {@code redis-server}
 * (7 or newer: sharded pub/sub), cluster-enabled on private ports in a directory of their own,
 * joined by {@code redis-cli --cluster create … --cluster-replicas 1}, and killed (by process) and
 * deleted on close. The ports come from a range keyed by the owning class, each probed free
 * together with its cluster bus port (+10000). The service's cluster suites and the lab's cluster
 * experiments ({@code --redis-cluster=local}, the {@code cluster} set) both start this one class
 * (module {@code redis-cluster}: test-scoped in the service, inside the lab's jar).
 *
 * <p>Faults for the tests: kill a node, a manual failover, a slot migrated to another master. And
 * {@link #standalone}: one node of the same binary, not cluster-enabled, for a comparison with the cluster.
 */
public final class LocalRedisCluster implements AutoCloseable {

    /** How long a node may be silent before the others call it failed and promote its replica. */
    public static final int NODE_TIMEOUT_MS = 2000;

    private final Path dir;
    /** Every node's {@code requirepass} (and {@code masterauth}); null: none. */
    private final String password;
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();

    private LocalRedisCluster(Path dir, String password) {
        this.dir = dir;
        this.password = password;
    }

    /** Starts six nodes, creates the cluster and waits until every node says it is ok. */
    public static LocalRedisCluster start(Class<?> owner) {
        return start(owner, null);
    }

    /** The same, every node asking for {@code password} (null: none). */
    public static LocalRedisCluster start(Class<?> owner, String password) {
        LocalRedisCluster cluster;
        try {
            cluster = new LocalRedisCluster(Files.createTempDirectory("herd-cluster-" + owner.getSimpleName()),
                    password);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        try {
            for (int port : freePorts(owner, 6)) {
                cluster.startNode(port);
            }
            List<String> create = new ArrayList<>(List.of("--cluster", "create"));
            cluster.nodes.keySet().forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            cluster.cli(create.toArray(String[]::new));
            cluster.awaitOk();
            return cluster;
        }
        catch (RuntimeException ex) {
            cluster.close();
            throw ex;
        }
    }

    /**
     * {@code n} ports from 30000–39999 whose bus ports (+10000) are free too, starting at an offset
     * keyed by {@code owner} so that test classes running at once rarely probe the same ones.
     */
    static List<Integer> freePorts(Class<?> owner, int n) {
        int start = 30_000 + Math.floorMod(owner.getName().hashCode(), 500) * 20;
        List<Integer> ports = new ArrayList<>();
        for (int port = start; ports.size() < n; port++) {
            int candidate = 30_000 + (port - 30_000) % 10_000;
            if (free(candidate) && free(candidate + 10_000)) {
                ports.add(candidate);
            }
        }
        return ports;
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return true;
        }
        catch (IOException taken) {
            return false;
        }
    }

    /**
     * One redis-server of the same binary, not cluster-enabled, killed and deleted on close as a cluster is: the
     * one node a comparison with the cluster runs on ({@link #nodes()} is its {@code host:port}).
     */
    public static LocalRedisCluster standalone(Class<?> owner) {
        LocalRedisCluster node;
        try {
            node = new LocalRedisCluster(Files.createTempDirectory("herd-node-" + owner.getSimpleName()), null);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        try {
            node.startNode(freePorts(owner, 1).get(0), false);
            return node;
        }
        catch (RuntimeException ex) {
            node.close();
            throw ex;
        }
    }

    private void startNode(int port) {
        startNode(port, true);
    }

    private void startNode(int port, boolean clusterEnabled) {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1"));
        if (clusterEnabled) {
            command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
                    "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MS),
                    // a master that is down takes only its own slots away, not the whole cluster
                    "--cluster-require-full-coverage", "no"));
        }
        command.addAll(List.of("--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"));
        if (password != null) {
            command.addAll(List.of("--requirepass", password, "--masterauth", password));
        }
        try {
            nodes.put(port, new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start());
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start redis-server (is it installed?): " + ex.getMessage(), ex);
        }
        for (int i = 0; i < 100; i++) {
            if (ping(port)) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("redis-server did not start on port " + port + "; see " + dir);
    }

    private boolean ping(int port) {
        try {
            return "PONG".equals(cli("-p", Integer.toString(port), "PING").trim());
        }
        catch (RuntimeException notYet) {
            return false;
        }
    }

    /** Waits until every live node reports {@code cluster_state:ok} and agrees on who serves every slot. */
    public void awaitOk() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (live().stream().allMatch(port -> info(port).contains("cluster_state:ok")
                    && info(port).contains("cluster_slots_assigned:16384")) && mastersAgree()) {
                return;
            }
            sleep(100);
        }
        throw new IllegalStateException("the cluster did not become ok in 60 s; see " + dir);
    }

    private boolean mastersAgree() {
        return live().stream().map(port -> masters(port).keySet()).distinct().count() == 1;
    }

    private String info(int port) {
        try {
            return cli("-p", Integer.toString(port), "CLUSTER", "INFO");
        }
        catch (RuntimeException down) {
            return "";
        }
    }

    /** {@code host:port,…} of every node, for {@code spring.data.redis.cluster.nodes}. */
    public String nodes() {
        return nodes.keySet().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** The ports of the nodes still running. */
    public List<Integer> live() {
        return nodes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
    }

    /** The port of the master serving {@code key}'s slot, as a live node sees it. */
    public int masterOf(String key) {
        int slot = slot(key);
        int asked = live().get(0);
        for (String line : cli("-p", Integer.toString(asked), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                for (int i = 8; i < f.length; i++) {
                    if (covers(f[i], slot)) {
                        return port(f[1]);
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    /** The port of a live replica of the master on {@code masterPort}. */
    public int replicaOf(int masterPort) {
        String masterId = nodeId(masterPort);
        for (String line : cli("-p", Integer.toString(masterPort), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 3 && f[2].contains("slave") && f[3].equals(masterId) && !f[2].contains("fail")) {
                return port(f[1]);
            }
        }
        throw new IllegalStateException("the master on " + masterPort + " has no live replica");
    }

    /** Masters by port, each with its slot ranges, as the node on {@code port} sees them. */
    private Map<Integer, String> masters(int port) {
        Map<Integer, String> out = new java.util.TreeMap<>();
        for (String line : info(port).isEmpty() ? new String[0]
                : cli("-p", Integer.toString(port), "CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length > 8 && f[2].contains("master") && !f[2].contains("fail")) {
                out.put(port(f[1]), String.join(" ", Arrays.copyOfRange(f, 8, f.length)));
            }
        }
        return out;
    }

    public String nodeId(int port) {
        return cli("-p", Integer.toString(port), "CLUSTER", "MYID").trim();
    }

    public int slot(String key) {
        return Integer.parseInt(cli("-p", Integer.toString(live().get(0)), "CLUSTER", "KEYSLOT", key).trim());
    }

    /** Kills a node at once (SIGKILL): its replica is promoted after {@link #NODE_TIMEOUT_MS}. */
    public void kill(int port) {
        Process process = nodes.get(port);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code CLUSTER FAILOVER} on a replica: it and its master swap roles without losing a write. */
    public void failover(int replicaPort) {
        cli("-p", Integer.toString(replicaPort), "CLUSTER", "FAILOVER");
    }

    /**
     * Moves {@code slot} with its keys from the master on {@code from} to the one on {@code to}, as
     * {@code redis-cli --cluster reshard} does: importing/migrating, {@code MIGRATE} of its keys
     * (requests meanwhile get ASK redirects), then the slot given to {@code to} on every master.
     */
    public void migrate(int slot, int from, int to) {
        String s = Integer.toString(slot);
        String fromId = nodeId(from);
        String toId = nodeId(to);
        cli("-p", Integer.toString(to), "CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
        cli("-p", Integer.toString(from), "CLUSTER", "SETSLOT", s, "MIGRATING", toId);
        while (true) {
            String keys = cli("-p", Integer.toString(from), "CLUSTER", "GETKEYSINSLOT", s, "100").trim();
            if (keys.isEmpty()) {
                break;
            }
            List<String> migrate = new ArrayList<>(List.of("-p", Integer.toString(from), "MIGRATE", "127.0.0.1",
                    Integer.toString(to), "", "0", "5000", "REPLACE"));
            if (password != null) {
                migrate.addAll(List.of("AUTH", password));
            }
            migrate.add("KEYS");
            migrate.addAll(Arrays.asList(keys.split("\n")));
            cli(migrate.toArray(String[]::new));
        }
        for (int port : live()) {
            if (masters(port).containsKey(port)) {
                cli("-p", Integer.toString(port), "CLUSTER", "SETSLOT", s, "NODE", toId);
            }
        }
    }

    /** Another master than the one on {@code port}. */
    public int otherMaster(int port) {
        return masters(live().get(0)).keySet().stream().filter(p -> p != port).findFirst().orElseThrow();
    }

    /** Runs {@code redis-cli} with {@code args}; its output. */
    public String cli(String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1"));
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || out.startsWith("ERR")
                    || out.contains("Could not connect")) {
                throw new IllegalStateException("redis-cli " + String.join(" ", args) + ": " + out);
            }
            return out;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    private static boolean covers(String range, int slot) {
        if (range.startsWith("[")) {
            return false; // a slot being imported or migrated, not served yet
        }
        int dash = range.indexOf('-');
        int low = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int high = dash < 0 ? low : Integer.parseInt(range.substring(dash + 1));
        return low <= slot && slot <= high;
    }

    /** The port of {@code ip:port@bus}. */
    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1, address.indexOf('@')));
    }

    /** Kills every node it started (by process) and deletes their directory. */
    @Override
    public void close() {
        nodes.values().forEach(Process::destroyForcibly);
        for (Process process : nodes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
        catch (IOException ex) {
            // a temporary directory left behind is no failure
        }
    }
}
