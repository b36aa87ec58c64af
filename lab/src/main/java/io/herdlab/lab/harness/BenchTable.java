package io.herdlab.lab.harness;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import io.herdlab.lab.LabOptions;
import io.herdlab.lab.data.AdminClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code bench-table}: make bench's table from the runs scripts/bench.sh recorded in {@code --out}:
 * {@code runs/hit-<target>-<round>.json} (wrk's summary, scripts/bench/wrk-report.lua) and
 * {@code runs/burst-<preset>-<round>.json} (the burst harness's result). Writes results.json and
 * table.md there, and the table into {@code --doc} between its markers when one is given.
 */
public final class BenchTable {

    static final String BEGIN = "<!-- bench:begin -->";
    static final String END = "<!-- bench:end -->";
    private static final Pattern HIT_RUN = Pattern.compile("hit-(.+)-(\\d+)\\.json");
    private static final Pattern BURST_RUN = Pattern.compile("burst-(.+)-(\\d+)\\.json");
    /** The preset every cold burst is compared with, round by round, when it ran. */
    private static final String BURST_REFERENCE = "local";

    /**
     * One target's warm hit: the median of its rounds; its ratios the median of its rounds' ratios to
     * the floor's run in the same round.
     */
    record Hit(double rps, double p50Ms, double p99Ms, double p999Ms, double rpsRatio, double p99Ratio, long errors,
            int rounds, List<Long> roundsRps) {
    }

    /**
     * One preset's cold bursts: the round with the median server P99 (shown in full), every round in
     * order, and the median of the rounds' server P99 ratios to {@code local}'s burst of the same
     * round (NaN when {@code local} did not run).
     */
    record Burst(ColdBurst.Result median, List<ColdBurst.Result> rounds, double serverP99Ratio) {
    }

    /** One wrk run, as scripts/bench/wrk-report.lua writes it (latencies in µs). */
    private record WrkRun(int round, double rps, double p50Us, double p99Us, double p999Us, long errors) {
    }

    private BenchTable() {
    }

    public static void run(LabOptions.Option o, PrintStream out) throws IOException {
        Path dir = Path.of(o.get("out", "."));
        String doc = o.get("doc", "");
        List<String> presets = o.list("presets", List.of());
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("started", o.get("started", ""));
        meta.put("settings", o.get("settings", ""));
        meta.put("loadBefore", o.get("load-before", ""));
        meta.put("loadAfter", o.get("load-after", ""));
        String cores = o.get("cores", "");
        boolean flames = Boolean.parseBoolean(o.get("flame-graphs", "false"));
        o.requireAllRead();

        List<String> targets = new ArrayList<>(List.of("floor"));
        targets.addAll(presets);
        Map<String, List<WrkRun>> runs = new LinkedHashMap<>();
        for (String target : targets) {
            runs.put(target, wrkRuns(dir.resolve("runs"), target));
        }
        Map<String, Hit> hit = new LinkedHashMap<>();
        targets.forEach(target -> hit.put(target, hit(runs.get(target), runs.get("floor"))));
        Map<String, List<ColdBurst.Result>> bursts = new LinkedHashMap<>();
        for (String preset : presets) {
            bursts.put(preset, bursts(dir.resolve("runs"), preset));
        }
        Map<String, Burst> burst = new LinkedHashMap<>();
        bursts.forEach((preset, rounds) -> burst.put(preset, burst(rounds, bursts.get(BURST_REFERENCE))));
        meta.put("hit", hit);
        meta.put("burst", burst);
        AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("results.json").toFile(), meta);

        String table = table(meta, cores, hit, burst, flames ? dir : null);
        Files.writeString(dir.resolve("table.md"), table);
        out.println();
        out.print(table);
        if (!doc.isEmpty()) {
            Path file = Path.of(doc);
            String text = Files.exists(file) ? Files.readString(file) : BEGIN + "\n" + END + "\n";
            int begin = text.indexOf(BEGIN);
            int end = text.indexOf(END);
            if (begin < 0 || end < begin) {
                throw new IOException(doc + " has no " + BEGIN + " … " + END + " section to write the table into");
            }
            Files.writeString(file, text.substring(0, begin) + BEGIN + "\n" + table + text.substring(end));
            out.println("written into " + doc + " (and " + dir.resolve("table.md") + ")");
        }
    }

    private static List<WrkRun> wrkRuns(Path runs, String target) throws IOException {
        List<WrkRun> found = new ArrayList<>();
        try (var files = Files.list(runs)) {
            for (Path file : files.sorted().toList()) {
                Matcher m = HIT_RUN.matcher(file.getFileName().toString());
                if (m.matches() && m.group(1).equals(target)) {
                    JsonNode r = AdminClient.JSON.readTree(file.toFile());
                    found.add(new WrkRun(Integer.parseInt(m.group(2)),
                            r.path("requests").asDouble() / r.path("durationUs").asDouble() * 1e6,
                            r.path("p50Us").asDouble(),
                            r.path("p99Us").asDouble(), r.path("p999Us").asDouble(),
                            r.path("socketErrors").asLong() + r.path("non2xx").asLong()));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no wrk run of " + target + " in " + runs);
        }
        return found;
    }

    private static List<ColdBurst.Result> bursts(Path runs, String preset) throws IOException {
        Map<Integer, ColdBurst.Result> found = new TreeMap<>();
        try (var files = Files.list(runs)) {
            for (Path file : files.toList()) {
                Matcher m = BURST_RUN.matcher(file.getFileName().toString());
                if (m.matches() && m.group(1).equals(preset)) {
                    found.put(Integer.parseInt(m.group(2)), AdminClient.JSON.readValue(file.toFile(),
                            ColdBurst.Result.class));
                }
            }
        }
        if (found.isEmpty()) {
            throw new IOException("no cold burst of " + preset + " in " + runs);
        }
        return List.copyOf(found.values());
    }

    /** {@code reference}: the same rounds of {@code local}, or null. */
    private static Burst burst(List<ColdBurst.Result> rounds, List<ColdBurst.Result> reference) {
        List<ColdBurst.Result> byP99 = rounds.stream()
                .sorted(Comparator.comparingDouble(ColdBurst.Result::serverP99Ms)).toList();
        double ratio = Double.NaN;
        if (reference != null && reference.size() == rounds.size()) {
            List<Integer> index = IntStream.range(0, rounds.size()).boxed().toList();
            ratio = median(index, i -> rounds.get(i).serverP99Ms() / reference.get(i).serverP99Ms());
        }
        return new Burst(byP99.get((byP99.size() - 1) / 2), rounds, ratio);
    }

    private static Hit hit(List<WrkRun> rounds, List<WrkRun> floor) {
        Map<Integer, WrkRun> floorByRound = new LinkedHashMap<>();
        floor.forEach(r -> floorByRound.put(r.round(), r));
        return new Hit(median(rounds, WrkRun::rps), median(rounds, WrkRun::p50Us) / 1000,
                median(rounds, WrkRun::p99Us) / 1000, median(rounds, WrkRun::p999Us) / 1000,
                median(rounds, r -> r.rps() / floorByRound.get(r.round()).rps()),
                median(rounds, r -> r.p99Us() / floorByRound.get(r.round()).p99Us()),
                rounds.stream().mapToLong(WrkRun::errors).sum(), rounds.size(),
                rounds.stream().map(r -> Math.round(r.rps())).toList());
    }

    /** The middle value; the mean of the two middle ones for an even count. */
    private static <T> double median(List<T> items, ToDoubleFunction<T> value) {
        double[] v = items.stream().mapToDouble(value).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String table(Map<String, Object> meta, String cores, Map<String, Hit> hit,
            Map<String, Burst> burst, Path flameDir) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "Run %s on %s cores, load average %s at start and %s at the end;"
                + " `make bench` (%s).", meta.get("started"), cores, meta.get("loadBefore"), meta.get("loadAfter"),
                meta.get("settings")));
        lines.addAll(List.of("", "**Warm hit** (one cached user, wrk -t1, keep-alive; median of the rounds):", "",
                "| target | req/s | × floor | P50 ms | P99 ms | P99 × floor | P99.9 ms | errors | req/s per round |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|"));
        hit.forEach((target, h) -> lines.add(String.format(Locale.ROOT,
                "| %s | %,.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %d | %s |", target, h.rps(), h.rpsRatio(), h.p50Ms(),
                h.p99Ms(), h.p99Ratio(), h.p999Ms(), h.errors(),
                String.join(", ", h.roundsRps().stream().map(n -> String.format(Locale.ROOT, "%,d", n)).toList()))));
        int rounds = burst.values().stream().mapToInt(b -> b.rounds().size()).max().orElse(0);
        lines.addAll(List.of("", "**Cold hot-key burst** (a fresh replica per preset and round, the presets' order"
                + " rotated every round; every key expired in the same instant; DB reads from PostgreSQL's idx_scan;"
                + " wake-up = leader's fill → follower's answer; the row is the round with the median server P99 of "
                + rounds + ", × local the median of the rounds' ratios to local's burst in the same round):", "",
                "| preset | ok | client P50 ms | client P99 ms | client P99.9 ms | server P99 ms | server P99 × local"
                        + " | DB reads (PostgreSQL) | herdlab's count | wake-ups | wake-up P50 ms | wake-up P99 ms"
                        + " | server P99 ms (DB reads) per round |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"));
        burst.forEach((preset, r) -> {
            ColdBurst.Result b = r.median();
            lines.add(String.format(Locale.ROOT,
                    "| %s | %d/%d | %.0f | %.0f | %.0f | %s | %s | %d | %d | %s | %s | %s | %s |", preset,
                    b.client().ok(), b.client().requests(), b.client().p50Ms(), b.client().p99Ms(),
                    b.client().p999Ms(), decimals(b.serverP99Ms(), 0), decimals(r.serverP99Ratio(), 2), b.reads(),
                    b.herdQueries(), b.wakeUp().count() == 0 ? "–" : Long.toString(b.wakeUp().count()),
                    decimals(b.wakeUp().p50Ms(), 1), decimals(b.wakeUp().p99Ms(), 1),
                    String.join(", ", r.rounds().stream()
                            .map(x -> decimals(x.serverP99Ms(), 0) + " (" + x.reads() + ")").toList())));
        });
        lines.addAll(List.of("", "Quantiles: the warm hit's are wrk's own (a rank in its recorded latencies,"
                + " 1 µs apart); the burst's " + ColdBurst.QUANTILES + "."));
        if (flameDir != null) {
            lines.addAll(List.of("", "Flame graphs: " + String.join(", ", hit.keySet().stream()
                    .map(t -> "`flame-" + t + ".html`").toList()) + " in `" + flameDir + "/` (not committed)."));
        }
        return String.join("\n", lines) + "\n";
    }

    /** The value with {@code places} decimals; "–" where there was nothing to measure. */
    private static String decimals(double value, int places) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + places + "f", value);
    }
}
