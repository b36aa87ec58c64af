package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.herdlab.dashboards.GrafanaDashboards;
import io.herdlab.dashboards.PromQl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboards follow the house rules and chart what the issue asks for. */
class GrafanaDashboardTest {

	static final Pattern RATE_WINDOW = Pattern.compile("\\b(rate|irate|increase)\\s*\\([^\\[]*\\[([^\\]]*)]");

	@Test
	void everyDashboardIsValidJsonWithAFixedUidAndADatasourceVariable() {
		Set<String> uids = new HashSet<>();
		assertThat(GrafanaDashboards.files()).isNotEmpty();
		for (Path file : GrafanaDashboards.files()) {
			JsonNode dashboard = GrafanaDashboards.read(file);
			String uid = dashboard.path("uid").asText();
			assertThat(uid).as(file + " uid").matches("[a-z0-9-]{3,40}");
			assertThat(uids.add(uid)).as("unique uid " + uid).isTrue();
			assertThat(dashboard.has("id")).as(file + ": no instance-specific id").isFalse();
			JsonNode datasource = variable(dashboard, "datasource");
			assertThat(datasource.path("type").asText()).isEqualTo("datasource");
			assertThat(datasource.path("query").asText()).isEqualTo("prometheus");
		}
	}

	@Test
	void everyQueryUsesTheDatasourceVariableAndRateInterval() {
		for (Path file : GrafanaDashboards.files()) {
			JsonNode dashboard = GrafanaDashboards.read(file);
			for (JsonNode panel : GrafanaDashboards.panels(dashboard)) {
				if (panel.path("type").asText().equals("row")) {
					continue;
				}
				assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
						.isEqualTo("${datasource}");
				for (JsonNode target : panel.path("targets")) {
					assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
				}
			}
			for (String expression : GrafanaDashboards.expressions(dashboard)) {
				Matcher window = RATE_WINDOW.matcher(expression);
				while (window.find()) {
					assertThat(window.group(2)).as(expression).isEqualTo("$__rate_interval");
				}
			}
		}
	}

	@Test
	void panelsDoNotOverlap() {
		for (Path file : GrafanaDashboards.files()) {
			List<JsonNode> panels = GrafanaDashboards.panels(GrafanaDashboards.read(file));
			for (int i = 0; i < panels.size(); i++) {
				for (int j = i + 1; j < panels.size(); j++) {
					assertThat(overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos")))
							.as(panels.get(i).path("title") + " / " + panels.get(j).path("title")).isFalse();
				}
			}
		}
	}

	@Test
	void herdlabDashboardChartsWhatTheLabNeeds() {
		JsonNode dashboard = GrafanaDashboards.read(GrafanaDashboards.DIRECTORY.resolve("herdlab.json"));
		List<String> expressions = GrafanaDashboards.expressions(dashboard);

		assertThat(expressions).anyMatch(e -> e.contains("http_server_requests_seconds_count")
				&& PromQl.groupingLabels(e).contains("replica"));
		for (String quantile : List.of("0.5", "0.95", "0.99")) {
			assertThat(expressions).anyMatch(e -> e.startsWith("histogram_quantile(" + quantile + ",")
					&& e.contains("http_server_requests_seconds_bucket") && PromQl.groupingLabels(e).contains("replica"));
		}
		assertThat(expressions).anyMatch(e -> e.contains("herd_cache_requests_total")
				&& PromQl.groupingLabels(e).contains("result"));
		assertThat(expressions).anyMatch(e -> e.contains("herd_db_queries_total") && PromQl.groupingLabels(e).contains("replica"));
		assertThat(expressions).anyMatch(e -> e.contains("herd_db_duplicate_queries_total")
				&& PromQl.groupingLabels(e).contains("replica"));
		assertThat(expressions).anyMatch(e -> e.contains("r2dbc_pool_acquired_connections")
				&& PromQl.groupingLabels(e).contains("replica"));
		assertThat(expressions).anyMatch(e -> e.contains("r2dbc_pool_pending_connections")
				&& PromQl.groupingLabels(e).contains("replica"));
		assertThat(expressions).anyMatch(e -> e.contains("herdlab_pg_stat_activity_connections")
				&& PromQl.groupingLabels(e).containsAll(List.of("application_name", "state")));
		assertThat(expressions).anyMatch(e -> e.contains("herd_lease_total") && PromQl.groupingLabels(e).contains("outcome"));
		assertThat(expressions).anyMatch(e -> e.contains("herd_coalesce_timeouts_total"));
		assertThat(expressions).anyMatch(e -> e.contains("herd_breaker_state"));

		JsonNode presetAnnotation = null;
		for (JsonNode annotation : dashboard.path("annotations").path("list")) {
			if (annotation.path("expr").asText().contains("herd_mitigation_info")) {
				presetAnnotation = annotation;
			}
		}
		assertThat(presetAnnotation).as("an annotation marking the running preset").isNotNull();
		assertThat(variable(dashboard, "preset").path("query").path("query").asText())
				.contains("herd_mitigation_info").contains("preset");
	}

	@Test
	void herdlabDashboardCatchesAOneSecondSpike() {
		JsonNode dashboard = GrafanaDashboards.read(GrafanaDashboards.DIRECTORY.resolve("herdlab.json"));
		List<String> expressions = GrafanaDashboards.expressions(dashboard);
		// peaks since the previous scrape, per pod: a spike between two 5 s scrapes still shows
		for (String peak : List.of("herd_db_pool_acquired_peak", "herd_db_pool_pending_peak", "herd_db_inflight_peak")) {
			assertThat(expressions).anyMatch(e -> PromQl.metricNames(e).contains(peak)
					&& PromQl.groupingLabels(e).contains("replica") && e.contains("replica=~\"$replica\""));
		}
		// connections of the app pods only (their application_name is a replica id), filtered by $replica
		String connections = expressions.stream().filter(e -> e.contains("herdlab_pg_stat_activity_connections"))
				.findFirst().orElseThrow();
		assertThat(connections).contains("application_name=~\"$replica\"").contains("and on (application_name)");
		assertThat(PromQl.metricNames(connections)).containsExactly("herdlab_pg_stat_activity_connections", "herd_mitigation_info");
		// single-flight vs lease: duplicate loads per pod, labelled with the pod's preset
		JsonNode comparison = GrafanaDashboards.panels(dashboard).stream()
				.filter(panel -> panel.path("title").asText().startsWith("Single-flight vs lease")).findFirst().orElseThrow();
		String duplicates = comparison.path("targets").get(0).path("expr").asText();
		assertThat(PromQl.metricNames(duplicates)).containsExactly("herd_db_duplicate_queries_total", "herd_mitigation_info");
		assertThat(duplicates).contains("group_left (preset)");
		assertThat(comparison.path("targets").get(0).path("legendFormat").asText()).contains("{{preset}}").contains("{{replica}}");
	}

	@Test
	void exporterQueriesUseOnlyNamesTheExporterServes() throws IOException {
		List<HasMetadata> rendered = KubernetesManifests.parse(HelmChart.template(Map.of()));
		Map<String, List<String>> custom = ExporterMetrics.customMetricNames(rendered);
		Set<String> documented = new HashSet<>();
		for (String line : Files.readAllLines(Path.of("src/test/resources/k8s/postgres-exporter-metrics.txt"))) {
			if (!line.isBlank() && !line.startsWith("#")) {
				documented.add(line.trim());
			}
		}
		Set<String> used = new HashSet<>();
		for (Path file : GrafanaDashboards.files()) {
			for (String expression : GrafanaDashboards.expressions(GrafanaDashboards.read(file))) {
				for (String name : PromQl.metricNames(expression)) {
					if (!GrafanaDashboards.isExporterMetric(name)) {
						continue;
					}
					used.add(name);
					assertThat(custom.containsKey(name) || documented.contains(name))
							.as("%s in %s is neither a herdlab exporter query nor a documented exporter metric", name, file)
							.isTrue();
					if (custom.containsKey(name)) {
						assertThat(custom.get(name)).as("labels of " + name).containsAll(
								PromQl.groupingLabels(expression).stream().filter(l -> !l.equals("namespace")).toList());
					}
				}
			}
		}
		assertThat(used).contains("herdlab_pg_stat_activity_connections");
	}

	@Test
	void promQlReaderFindsMetricNamesOnly() {
		assertThat(PromQl.metricNames(
				"histogram_quantile(0.99, sum by (replica, le) (rate(http_server_requests_seconds_bucket{uri!~\"/actuator.*\", replica=~\"$replica\"}[$__rate_interval])))"))
				.containsExactly("http_server_requests_seconds_bucket");
		assertThat(PromQl.metricNames("sum(rate(a_total[5m])) / sum(rate(b_total[5m])) and on (x) c"))
				.containsExactly("a_total", "b_total", "c");
		assertThat(PromQl.metricNames("label_values(herd_mitigation_info{namespace=~\"$namespace\"}, preset)"))
				.containsExactly("herd_mitigation_info");
		assertThat(PromQl.groupingLabels("sum by (application_name, state) (x)"))
				.containsExactly("application_name", "state");
	}

	private static JsonNode variable(JsonNode dashboard, String name) {
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if (variable.path("name").asText().equals(name)) {
				return variable;
			}
		}
		throw new AssertionError("no template variable " + name);
	}

	private static boolean overlap(JsonNode a, JsonNode b) {
		return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
				&& b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
				&& a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
				&& b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
	}

}
