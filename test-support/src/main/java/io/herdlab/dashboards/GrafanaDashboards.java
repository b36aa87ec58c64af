package io.herdlab.dashboards;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herdlab.RepositoryRoot;

/** helm/herdlab/dashboards/*.json, the dashboards' single source, and the queries in them. */
public final class GrafanaDashboards {

	public static final Path DIRECTORY = RepositoryRoot.path("helm", "herdlab", "dashboards");

	private static final ObjectMapper JSON = new ObjectMapper();

	private GrafanaDashboards() {
	}

	public static List<Path> files() {
		try (Stream<Path> files = Files.list(DIRECTORY)) {
			return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static JsonNode read(Path file) {
		try {
			return JSON.readTree(file.toFile());
		}
		catch (IOException ex) {
			throw new IllegalStateException(file + " is not valid JSON: " + ex.getMessage(), ex);
		}
	}

	/** Panels, rows' nested panels included. */
	public static List<JsonNode> panels(JsonNode dashboard) {
		List<JsonNode> panels = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panels.add(panel);
			panel.path("panels").forEach(panels::add);
		}
		return panels;
	}

	/** Every PromQL expression: panel targets, annotation queries and variable queries. */
	public static List<String> expressions(JsonNode dashboard) {
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : panels(dashboard)) {
			panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
		}
		dashboard.path("annotations").path("list").forEach(annotation -> {
			if (annotation.hasNonNull("expr")) {
				expressions.add(annotation.get("expr").asText());
			}
		});
		dashboard.path("templating").path("list").forEach(variable -> {
			if ("query".equals(variable.path("type").asText())) {
				JsonNode query = variable.path("query");
				expressions.add(query.isObject() ? query.path("query").asText() : query.asText());
			}
		});
		return expressions;
	}

	/** Metric names used by every dashboard. */
	public static Set<String> metricNames() {
		Set<String> names = new LinkedHashSet<>();
		for (Path file : files()) {
			expressions(read(file)).forEach(expression -> names.addAll(PromQl.metricNames(expression)));
		}
		return names;
	}

	/** postgres-exporter's metrics (pg_*, and herdlab's custom herdlab_pg_*); the rest are the app's. */
	public static boolean isExporterMetric(String name) {
		return name.startsWith("pg_") || name.startsWith("herdlab_pg_");
	}

}
