package io.herdlab.k8s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The metric names postgres-exporter serves for herdlab: its custom queries (named the way
 * the exporter names them: {@code <query name>_<column>} for every GAUGE/COUNTER column, the
 * LABEL columns as labels) plus the built-in names listed in
 * src/test/resources/k8s/postgres-exporter-metrics.txt with where they are documented.
 */
final class ExporterMetrics {

	private ExporterMetrics() {
	}

	/** Metric name → label names, from the rendered queries.yaml ConfigMap. */
	@SuppressWarnings("unchecked")
	static Map<String, List<String>> customMetricNames(List<HasMetadata> rendered) {
		ConfigMap queries = KubernetesManifests.named(rendered, ConfigMap.class, "herdlab-postgres-exporter");
		Map<String, Object> byName = new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(queries.getData().get("queries.yaml"));
		Map<String, List<String>> metrics = new LinkedHashMap<>();
		byName.forEach((queryName, query) -> {
			List<String> labels = new ArrayList<>();
			List<String> values = new ArrayList<>();
			for (Object column : (List<Object>) ((Map<String, Object>) query).get("metrics")) {
				((Map<String, Map<String, Object>>) column).forEach((columnName, mapping) -> {
					String usage = String.valueOf(mapping.get("usage"));
					if (usage.equals("LABEL")) {
						labels.add(columnName);
					}
					else if (usage.equals("GAUGE") || usage.equals("COUNTER")) {
						values.add(columnName);
					}
				});
			}
			values.forEach(column -> metrics.put(queryName + "_" + column, List.copyOf(labels)));
		});
		return metrics;
	}

}
