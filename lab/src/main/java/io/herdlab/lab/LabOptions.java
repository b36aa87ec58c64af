package io.herdlab.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@code lab} invocation runs. Every option is {@code --name=value}; an empty value
 * means the profile's default, so a Makefile can pass its variables through unchanged.
 *
 * @param replicas     replica processes of the matrix experiments (the scaling set names its own)
 * @param launcher     how a replica JVM is started: {@code -jar <jar>} or {@code -cp <classpath> <main>}
 * @param postgresJdbc an existing PostgreSQL as a JDBC URL, or null for the embedded one
 * @param redisUrl     an existing Redis, or null for the embedded one
 * @param redisCluster the Redis Cluster of the experiments that run on one: {@link #LOCAL_CLUSTER} (the lab starts
 *                     one), an existing cluster's {@code host:port,…}, or null when none runs on a cluster
 * @param reportFrom   a report folder whose recorded runs are rendered again instead of running anything, or null
 */
public record LabOptions(
        Profile profile,
        List<Experiment> experiments,
        int replicas,
        int spikeRequests,
        String spread,
        double zipfExponent,
        int users,
        String postgresJdbc,
        String redisUrl,
        String redisCluster,
        String keyPrefix,
        String queryDelay,
        List<String> replicaArgs,
        List<String> launcher,
        List<String> replicaJvmOptions,
        Path artilleryDir,
        Path reportsDir,
        Path reportFrom) {

    /** The service module's jar, which the replicas run (relative to the repository root, where make lab runs). */
    public static final String SERVICE_JAR = "service/target/herdlab.jar";
    /** Where the lab's own jar is built: what the report names as the command that made it. */
    public static final String LAB_JAR = "lab/target/herdlab-lab.jar";
    /** The service's main class, for {@code --classpath} (the end-to-end test runs the replicas from its classpath). */
    static final String SERVICE_MAIN = "io.herdlab.HerdlabApplication";
    static final List<Integer> SCALING_REPLICAS = List.of(1, 2, 3, 5);
    /** {@code --redis-cluster=local}: a Redis Cluster the lab starts itself (3 masters, 3 replicas) and tears down. */
    public static final String LOCAL_CLUSTER = "local";

    static final String USAGE = """
            usage: java -jar lab/target/herdlab-lab.jar [--name=value ...]   (from the repository root)
              --profile=default|quick     default: 10,000 keys expire at t=60 s, 5,000-request spike at t=61 s,
                                          3 replicas, every preset but tiered x uniform,zipf and the scaling set;
                                          quick: keys expire at t=15 s, 1,000-request spike, 2 replicas,
                                          baseline,jitter,full x uniform (a few minutes)
              --experiments=a,b           presets: baseline jitter local redisson lua tiered full owner, and
                                          scaling: local, lua, tiered, redisson, owner with jitter off on zipf
                                          ids at each --scaling-replicas; cluster: local, lua, redisson with
                                          jitter off on zipf ids on one Redis node, then on a Redis Cluster
                                          (--redis-cluster's, else one the lab starts), --replicas each
              --scaling-replicas=1,2,3,5  replica counts of the scaling set
              --spike=5000                requests the spike puts on the wire at once (default: the profile's)
              --dist=uniform,zipf         key distributions (default: the profile's)
              --zipf-s=1.0                Zipf exponent for dist=zipf (id k has weight 1/k^s)
              --replicas=N                replica processes (default: 3, quick: 2)
              --spread=connection|request how requests are spread over replicas: a random replica per
                                          connection (kube-proxy) or per request (default: connection)
              --postgres=jdbc:postgresql://127.0.0.1:5432/postgres   use this PostgreSQL (default: embedded)
              --redis=redis://127.0.0.1:6379                         use this Redis (default: embedded)
                                          (with a Redis Cluster the lab starts: a redis-server of its binary)
              --redis-cluster=local|HOST:PORT,...   run every experiment on a Redis Cluster (the cluster set's
                                          one-node half stays on --redis): one the lab starts from the
                                          machine's redis-server (local: 3 masters + 3 replicas on free
                                          ports, torn down at the end), or an existing one's nodes
              --key-prefix=herdlab-lab:   Redis key prefix of the replicas (flushed before each experiment)
              --users=10000               users seeded and warmed
              --query-delay=50ms          the replicas' simulated query cost (herd.db.query-delay; default: the
                                          service's 50ms); longer makes the herd visible with a slow client
              --replica-args=--a=b,--c=d  extra properties for every replica, e.g. --herd.mitigation.jitter-max=0s
                                          to see the coalescers without jitter
              --jar=service/target/herdlab.jar   the service jar replicas run (or --classpath=... to run its
                                          main class)
              --replica-jvm=-Xmx512m,-XX:+UseSerialGC   JVM options of each replica
              --artillery=artillery       folder with package.json and scenarios/herd.yml
              --out=reports               reports/<timestamp>/ is written below it
              --report-from=reports/<timestamp>   run nothing: compute the figures again from the runs recorded
                                          there and rewrite its report (give the same --profile it ran with)
            """;

    public static LabOptions parse(String... args) {
        Option o = Option.parse(args);
        Profile profile = Profile.parse(o.get("profile", "default"));
        List<String> presets = o.list("experiments", profile.experiments);
        List<String> dists = o.list("dist", profile.distributions);
        int replicas = o.integer("replicas", profile.replicas);
        List<Integer> scalingReplicas = o.list("scaling-replicas", List.of()).stream()
                .map(v -> parseInt("scaling-replicas", v))
                .toList();
        List<Integer> allCounts = new ArrayList<>(scalingReplicas);
        allCounts.add(replicas);
        for (int n : allCounts) {
            if (n < 1 || n > 16) {
                throw new UsageException("replica counts must be between 1 and 16, not " + n);
            }
        }
        List<Experiment> experiments = new ArrayList<>();
        for (String dist : dists) {
            for (String preset : presets) {
                if (!isSet(preset)) {
                    experiments.add(Experiment.of(preset, dist, replicas));
                }
            }
        }
        if (presets.stream().anyMatch(p -> p.equalsIgnoreCase("scaling"))) {
            experiments.addAll(Experiment.scalingSet(scalingReplicas.isEmpty() ? SCALING_REPLICAS : scalingReplicas));
        }
        String givenCluster = o.nullable("redis-cluster");
        if (givenCluster != null) {
            // the matrix and the scaling set on the cluster; the cluster set keeps its one-node half, its point
            experiments.replaceAll(Experiment::onCluster);
        }
        if (presets.stream().anyMatch(p -> p.equalsIgnoreCase("cluster"))) {
            experiments.addAll(Experiment.clusterSet(replicas));
        }
        String redisCluster = givenCluster;
        if (redisCluster == null && experiments.stream().anyMatch(Experiment::redisCluster)) {
            redisCluster = LOCAL_CLUSTER;
        }
        int spike = o.integer("spike", profile.spikeRequests);
        if (spike < 1 || spike > 15_000) {
            throw new UsageException("--spike must be between 1 and 15000 requests");
        }
        String spread = o.get("spread", "connection").toLowerCase(Locale.ROOT);
        if (!spread.equals("connection") && !spread.equals("request")) {
            throw new UsageException("--spread must be connection or request");
        }
        List<String> launcher;
        String classpath = o.get("classpath", "");
        if (!classpath.isEmpty()) {
            launcher = List.of("-cp", classpath, SERVICE_MAIN);
        }
        else {
            launcher = List.of("-jar", Path.of(o.get("jar", SERVICE_JAR)).toAbsolutePath().toString());
        }
        LabOptions options = new LabOptions(profile, List.copyOf(experiments), replicas, spike, spread,
                Double.parseDouble(o.get("zipf-s", "1.0")), o.integer("users", 10_000),
                o.nullable("postgres"), o.nullable("redis"), redisCluster, o.get("key-prefix", "herdlab-lab:"),
                o.nullable("query-delay"), o.list("replica-args", List.of()), launcher,
                o.list("replica-jvm", List.of("-Xmx512m", "-XX:+UseSerialGC")),
                Path.of(o.get("artillery", "artillery")).toAbsolutePath(),
                Path.of(o.get("out", "reports")).toAbsolutePath(),
                o.nullable("report-from") == null ? null : Path.of(o.get("report-from", "")).toAbsolutePath());
        o.requireAllRead();
        return options;
    }

    /** {@code scaling} and {@code cluster} name sets of experiments, not presets. */
    private static boolean isSet(String name) {
        return name.equalsIgnoreCase("scaling") || name.equalsIgnoreCase("cluster");
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value);
        }
        catch (NumberFormatException ex) {
            throw new UsageException("--" + name + " must be a number, not '" + value + "'");
        }
    }

    /** Bad command line; a null message asks for the usage text alone. */
    public static final class UsageException extends IllegalArgumentException {
        public UsageException(String message) {
            super(message);
        }
    }

    /** The given options, remembering which were read (the burst harness's commands read theirs here too). */
    public static final class Option {
        private final Map<String, String> given;
        private final List<String> read = new ArrayList<>();

        private Option(Map<String, String> given) {
            this.given = given;
        }

        /** {@code --name=value} arguments; {@code -h} or {@code --help} asks for the usage text. */
        public static Option parse(String... args) {
            Map<String, String> given = new LinkedHashMap<>();
            for (String arg : args) {
                if (arg.equals("-h") || arg.equals("--help")) {
                    throw new UsageException(null);
                }
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new UsageException("options are --name=value, not '" + arg + "'");
                }
                int eq = arg.indexOf('=');
                given.put(arg.substring(2, eq), arg.substring(eq + 1).trim());
            }
            return new Option(given);
        }

        public String get(String name, String fallback) {
            read.add(name);
            String value = given.get(name);
            return value == null || value.isEmpty() ? fallback : value;
        }

        public String nullable(String name) {
            String value = get(name, "");
            return value.isEmpty() ? null : value;
        }

        public int integer(String name, int fallback) {
            String value = get(name, "");
            return value.isEmpty() ? fallback : parseInt(name, value);
        }

        public List<String> list(String name, List<String> fallback) {
            String value = get(name, "");
            if (value.isEmpty()) {
                return fallback;
            }
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        List<String> unused() {
            return given.keySet().stream().filter(k -> !read.contains(k)).toList();
        }

        /** Fails naming the options nobody read. */
        public void requireAllRead() {
            if (!unused().isEmpty()) {
                throw new UsageException("unknown option(s): " + unused());
            }
        }
    }
}
