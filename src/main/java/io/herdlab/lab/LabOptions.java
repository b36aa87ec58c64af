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
 * @param launcher     how a replica JVM is started: {@code -jar <jar>} or {@code -cp <classpath> <main>}
 * @param postgresJdbc an existing PostgreSQL as a JDBC URL, or null for the embedded one
 * @param redisUrl     an existing Redis, or null for the embedded one
 */
record LabOptions(
        Profile profile,
        List<Experiment> experiments,
        int replicas,
        String spread,
        double zipfExponent,
        int users,
        String postgresJdbc,
        String redisUrl,
        String keyPrefix,
        String queryDelay,
        List<String> replicaArgs,
        List<String> launcher,
        List<String> replicaJvmOptions,
        Path artilleryDir,
        Path reportsDir) {

    static final String USAGE = """
            usage: java -jar target/herdlab.jar lab [--name=value ...]
              --profile=default|quick     default: 10,000 keys expire at t=60 s, 5,000-request spike, 3 replicas,
                                          all presets x uniform,zipf; quick: keys expire at t=15 s, 1,000-request
                                          burst, 2 replicas, baseline,jitter,full x uniform (a few minutes)
              --experiments=a,b           presets: baseline jitter local redisson lua full (default: the profile's)
              --dist=uniform,zipf         key distributions (default: the profile's)
              --zipf-s=1.0                Zipf exponent for dist=zipf (id k has weight 1/k^s)
              --replicas=N                replica processes (default: 3, quick: 2)
              --spread=connection|request how requests are spread over replicas: a random replica per
                                          connection (kube-proxy) or per request (default: connection)
              --postgres=jdbc:postgresql://127.0.0.1:5432/postgres   use this PostgreSQL (default: embedded)
              --redis=redis://127.0.0.1:6379                         use this Redis (default: embedded)
              --key-prefix=herdlab-lab:   Redis key prefix of the replicas (flushed before each experiment)
              --users=10000               users seeded and warmed
              --query-delay=50ms          the replicas' simulated query cost (herd.db.query-delay; default: the
                                          service's 50ms); longer makes the herd visible with a slow client
              --replica-args=--a=b,--c=d  extra properties for every replica, e.g. --herd.mitigation.jitter-max=0s
                                          to see the coalescers without jitter
              --jar=target/herdlab.jar    the jar replicas run (or --classpath=... to run io.herdlab.HerdlabApplication)
              --replica-jvm=-Xmx512m,-XX:+UseSerialGC   JVM options of each replica
              --artillery=artillery       folder with package.json and scenarios/herd.yml
              --out=reports               reports/<timestamp>/ is written below it
            """;

    static LabOptions parse(String... args) {
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
        Option o = new Option(given);
        Profile profile = Profile.parse(o.get("profile", "default"));
        List<String> presets = o.list("experiments", profile.experiments);
        List<String> dists = o.list("dist", profile.distributions);
        List<Experiment> experiments = new ArrayList<>();
        for (String dist : dists) {
            for (String preset : presets) {
                experiments.add(Experiment.of(preset, dist));
            }
        }
        int replicas = o.integer("replicas", profile.replicas);
        if (replicas < 1 || replicas > 16) {
            throw new UsageException("--replicas must be between 1 and 16");
        }
        String spread = o.get("spread", "connection").toLowerCase(Locale.ROOT);
        if (!spread.equals("connection") && !spread.equals("request")) {
            throw new UsageException("--spread must be connection or request");
        }
        List<String> launcher;
        String classpath = o.get("classpath", "");
        if (!classpath.isEmpty()) {
            launcher = List.of("-cp", classpath, "io.herdlab.HerdlabApplication");
        }
        else {
            launcher = List.of("-jar", Path.of(o.get("jar", "target/herdlab.jar")).toAbsolutePath().toString());
        }
        LabOptions options = new LabOptions(profile, List.copyOf(experiments), replicas, spread,
                Double.parseDouble(o.get("zipf-s", "1.0")), o.integer("users", 10_000),
                o.nullable("postgres"), o.nullable("redis"), o.get("key-prefix", "herdlab-lab:"),
                o.nullable("query-delay"), o.list("replica-args", List.of()), launcher,
                o.list("replica-jvm", List.of("-Xmx512m", "-XX:+UseSerialGC")),
                Path.of(o.get("artillery", "artillery")).toAbsolutePath(),
                Path.of(o.get("out", "reports")).toAbsolutePath());
        if (!o.unused().isEmpty()) {
            throw new UsageException("unknown option(s): " + o.unused());
        }
        return options;
    }

    /** Bad command line; a null message asks for the usage text alone. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The given options, remembering which were read. */
    private static final class Option {
        private final Map<String, String> given;
        private final List<String> read = new ArrayList<>();

        Option(Map<String, String> given) {
            this.given = given;
        }

        String get(String name, String fallback) {
            read.add(name);
            String value = given.get(name);
            return value == null || value.isEmpty() ? fallback : value;
        }

        String nullable(String name) {
            String value = get(name, "");
            return value.isEmpty() ? null : value;
        }

        int integer(String name, int fallback) {
            String value = get(name, "");
            try {
                return value.isEmpty() ? fallback : Integer.parseInt(value);
            }
            catch (NumberFormatException ex) {
                throw new UsageException("--" + name + " must be a number, not '" + value + "'");
            }
        }

        List<String> list(String name, List<String> fallback) {
            String value = get(name, "");
            if (value.isEmpty()) {
                return fallback;
            }
            return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        List<String> unused() {
            return given.keySet().stream().filter(k -> !read.contains(k)).toList();
        }
    }
}
