package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.herdlab.k8s.KubernetesManifests.named;
import static io.herdlab.k8s.KubernetesManifests.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart, linted and rendered by Helm (helm-java), every object parsed into the typed
 * Kubernetes models with no unknown field.
 */
class HelmChartTest {

	static final List<String> PRESETS = List.of("baseline", "jitter", "local", "redisson", "lua", "full");

	static final ObjectMapper JSON = new ObjectMapper();

	static List<HasMetadata> defaults;

	@BeforeAll
	static void renderDefaults() {
		defaults = KubernetesManifests.parse(HelmChart.template(Map.of()));
	}

	@Test
	void lintsStrictWithoutWarnings() {
		LintResult result = HelmChart.helm().lint().strict().call();
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
	}

	@Test
	void valuesYamlListsExactlyTheSixPresetsOfTheSchema() throws IOException {
		Map<?, ?> schema = JSON.readValue(HelmChart.DIRECTORY.resolve("values.schema.json").toFile(), Map.class);
		Object presetEnum = ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) schema.get("properties"))
				.get("mitigation")).get("properties")).get("preset")).get("enum");
		assertThat(presetEnum).isEqualTo(PRESETS);
	}

	@ParameterizedTest
	@ValueSource(strings = { "baseline", "jitter", "local", "redisson", "lua", "full" })
	void everyPresetReachesEveryPodWithTheReplicaCount(String preset) {
		List<HasMetadata> objects = KubernetesManifests
				.parse(HelmChart.template(Map.of("mitigation.preset", preset, "replicaCount", 4)));

		Deployment app = named(objects, Deployment.class, "herdlab");
		assertThat(app.getSpec().getReplicas()).isEqualTo(4);
		Container container = appContainer(app);
		assertThat(env(container, "HERD_MITIGATION_PRESET").getValue()).isEqualTo(preset);
		assertThat(app.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("herdlab.io/preset", preset);
		// the rest of the release does not depend on the preset
		assertThat(objects).hasSameSizeAs(defaults);
	}

	@Test
	void defaultsRunThreeBaselineReplicas() {
		Deployment app = named(defaults, Deployment.class, "herdlab");
		assertThat(app.getSpec().getReplicas()).isEqualTo(3);
		assertThat(env(appContainer(app), "HERD_MITIGATION_PRESET").getValue()).isEqualTo("baseline");
	}

	@Test
	void appEnvironmentFollowsTheContract() {
		Container container = appContainer(named(defaults, Deployment.class, "herdlab"));

		EnvVar instanceId = env(container, "HERD_INSTANCE_ID");
		assertThat(instanceId.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
		assertThat(env(container, "SPRING_R2DBC_URL").getValue())
				.isEqualTo("r2dbc:postgresql://herdlab-postgresql:5432/herdlab");
		assertThat(env(container, "SPRING_R2DBC_USERNAME").getValue()).isEqualTo("herdlab");
		EnvVar password = env(container, "SPRING_R2DBC_PASSWORD");
		assertThat(password.getValue()).isNull();
		assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("herdlab-postgresql");
		assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
		assertThat(env(container, "SPRING_DATA_REDIS_URL").getValue()).isEqualTo("redis://herdlab-redis:6379");
		assertThat(env(container, "SPRING_R2DBC_POOL_MAX_SIZE").getValue()).isEqualTo("10");
		assertThat(env(container, "HERD_DB_QUERYDELAY").getValue()).isEqualTo("50ms");
	}

	@Test
	void extraEnvIsRenderedAfterTheChartsOwn() {
		List<HasMetadata> objects = KubernetesManifests
				.parse(HelmChart.template(Map.of("extraEnv.HERD_MITIGATION_JITTER", "0.3")));
		List<EnvVar> env = appContainer(named(objects, Deployment.class, "herdlab")).getEnv();
		assertThat(env.get(env.size() - 1)).isEqualTo(new EnvVar("HERD_MITIGATION_JITTER", "0.3", null));
	}

	@Test
	void probesUseTheActuatorHealthGroupsOnTheManagementPort() {
		Container container = appContainer(named(defaults, Deployment.class, "herdlab"));
		assertThat(container.getPorts()).extracting("name", "containerPort")
				.containsExactly(org.assertj.core.groups.Tuple.tuple("http", 8080),
						org.assertj.core.groups.Tuple.tuple("management", 8081));
		assertProbe(container.getLivenessProbe(), "/actuator/health/liveness");
		assertProbe(container.getReadinessProbe(), "/actuator/health/readiness");
		assertProbe(container.getStartupProbe(), "/actuator/health/liveness");
		assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(named(defaults, Deployment.class, "herdlab").getSpec().getTemplate().getSpec()
				.getSecurityContext().getRunAsNonRoot()).isTrue();
	}

	@Test
	void trafficServiceExposesOnlyTheTrafficPort() {
		Service traffic = named(defaults, Service.class, "herdlab");
		assertThat(traffic.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(8080);
		assertThat(traffic.getSpec().getSelector()).isEqualTo(podLabelsSubset(named(defaults, Deployment.class, "herdlab"),
				traffic.getSpec().getSelector()));

		Service management = named(defaults, Service.class, "herdlab-management");
		assertThat(management.getSpec().getClusterIP()).isEqualTo("None");
		assertThat(management.getSpec().getPorts()).extracting(ServicePort::getPort).containsExactly(8081);
		assertThat(management.getSpec().getSelector()).isEqualTo(traffic.getSpec().getSelector());
	}

	@Test
	void everyServiceSelectsTheDeploymentItServes() {
		for (Service service : ofType(defaults, Service.class)) {
			Map<String, String> selector = service.getSpec().getSelector();
			assertThat(ofType(defaults, Deployment.class))
					.as("pods selected by Service %s", service.getMetadata().getName())
					.filteredOn(deployment -> deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet()
							.containsAll(selector.entrySet()))
					.hasSize(1);
		}
	}

	@Test
	void everySecretAndConfigMapReferenceResolvesInTheRelease() {
		Map<String, Map<String, String>> secrets = ofType(defaults, Secret.class).stream()
				.collect(Collectors.toMap(secret -> secret.getMetadata().getName(), Secret::getData));
		Map<String, Map<String, String>> configMaps = ofType(defaults, ConfigMap.class).stream()
				.collect(Collectors.toMap(configMap -> configMap.getMetadata().getName(), ConfigMap::getData));
		for (PodSpec pod : podSpecs(defaults)) {
			for (Container container : pod.getContainers()) {
				for (EnvVar env : container.getEnv()) {
					if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
						var ref = env.getValueFrom().getSecretKeyRef();
						assertThat(secrets).as(env.getName()).containsKey(ref.getName());
						assertThat(secrets.get(ref.getName())).as(env.getName()).containsKey(ref.getKey());
					}
				}
			}
			for (Volume volume : pod.getVolumes()) {
				if (volume.getConfigMap() != null) {
					assertThat(configMaps).as(volume.getName()).containsKey(volume.getConfigMap().getName());
				}
			}
		}
	}

	@Test
	void postgresqlGivesTheExporterPgStatActivityAndPgStatStatements() {
		Container postgres = named(defaults, Deployment.class, "herdlab-postgresql").getSpec().getTemplate().getSpec()
				.getContainers().get(0);
		assertThat(postgres.getImage()).startsWith("postgres:");
		assertThat(postgres.getArgs()).contains("shared_preload_libraries=pg_stat_statements");
		String init = named(defaults, ConfigMap.class, "herdlab-postgresql-init").getData().get("10-monitoring.sh");
		assertThat(init).contains("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
				.contains("GRANT pg_monitor TO postgres_exporter");

		Container exporter = named(defaults, Deployment.class, "herdlab-postgres-exporter").getSpec().getTemplate()
				.getSpec().getContainers().get(0);
		assertThat(exporter.getImage()).startsWith("quay.io/prometheuscommunity/postgres-exporter:");
		assertThat(exporter.getArgs()).contains("--extend.query-path=/etc/postgres-exporter/queries.yaml",
				"--collector.stat_statements");
		assertThat(env(exporter, "DATA_SOURCE_USER").getValue()).isEqualTo("postgres_exporter");
		assertThat(ExporterMetrics.customMetricNames(defaults))
				.containsEntry("herdlab_pg_stat_activity_connections", List.of("application_name", "state"));
	}

	@Test
	void serviceMonitorsScrapeTheAppAndTheExporterForKubePrometheusStack() {
		List<ServiceMonitor> monitors = ofType(defaults, ServiceMonitor.class);
		assertThat(monitors).extracting(monitor -> monitor.getMetadata().getName())
				.containsExactlyInAnyOrder("herdlab-app", "herdlab-postgres-exporter");
		assertThat(ofType(defaults, PodMonitor.class)).isEmpty();
		for (ServiceMonitor monitor : monitors) {
			assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
		}

		ServiceMonitor app = named(defaults, ServiceMonitor.class, "herdlab-app");
		assertThat(selected(app.getSpec().getSelector().getMatchLabels()))
				.extracting(service -> service.getMetadata().getName()).containsExactly("herdlab-management");
		assertThat(app.getSpec().getEndpoints()).singleElement().satisfies(endpoint -> {
			assertThat(endpoint.getPort()).isEqualTo("management");
			assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
			assertThat(endpoint.getInterval()).isEqualTo("5s");
		});

		ServiceMonitor exporter = named(defaults, ServiceMonitor.class, "herdlab-postgres-exporter");
		assertThat(selected(exporter.getSpec().getSelector().getMatchLabels()))
				.extracting(service -> service.getMetadata().getName()).containsExactly("herdlab-postgres-exporter");
		assertThat(exporter.getSpec().getEndpoints()).singleElement()
				.satisfies(endpoint -> assertThat(endpoint.getPort()).isEqualTo("metrics"));
	}

	@Test
	void podMonitorsReplaceServiceMonitorsWhenSwitched() {
		List<HasMetadata> objects = KubernetesManifests.parse(HelmChart.template(Map.of("monitoring.kind", "PodMonitor")));
		assertThat(ofType(objects, ServiceMonitor.class)).isEmpty();
		PodMonitor app = named(objects, PodMonitor.class, "herdlab-app");
		assertThat(named(objects, Deployment.class, "herdlab").getSpec().getTemplate().getMetadata().getLabels())
				.containsAllEntriesOf(app.getSpec().getSelector().getMatchLabels());
		assertThat(app.getSpec().getPodMetricsEndpoints()).singleElement().satisfies(endpoint -> {
			assertThat(endpoint.getPort()).isEqualTo("management");
			assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
		});
		PodMonitor exporter = named(objects, PodMonitor.class, "herdlab-postgres-exporter");
		assertThat(named(objects, Deployment.class, "herdlab-postgres-exporter").getSpec().getTemplate().getMetadata()
				.getLabels()).containsAllEntriesOf(exporter.getSpec().getSelector().getMatchLabels());
	}

	@Test
	void monitorsAndDashboardsAreSwitchable() {
		List<HasMetadata> objects = KubernetesManifests.parse(HelmChart.template(
				Map.of("monitoring.enabled", false, "grafana.dashboards.enabled", false)));
		assertThat(ofType(objects, ServiceMonitor.class)).isEmpty();
		assertThat(ofType(objects, PodMonitor.class)).isEmpty();
		assertThat(dashboardConfigMaps(objects)).isEmpty();
		assertThat(objects).hasSize(defaults.size() - 2 - dashboardFiles().size());
	}

	@Test
	void everyDashboardFileIsProvisionedAsALabelledConfigMap() throws IOException {
		List<ConfigMap> configMaps = dashboardConfigMaps(defaults);
		List<Path> files = dashboardFiles();
		assertThat(files).isNotEmpty();
		assertThat(configMaps).hasSameSizeAs(files);
		for (Path file : files) {
			String key = file.getFileName().toString();
			ConfigMap configMap = configMaps.stream().filter(candidate -> candidate.getData().containsKey(key))
					.findFirst().orElseThrow(() -> new AssertionError("no dashboard ConfigMap for " + key));
			assertThat(configMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
			assertThat(JSON.readTree(configMap.getData().get(key))).isEqualTo(JSON.readTree(file.toFile()));
		}
	}

	@Test
	void helmTestHookChecksReadinessAndTheTrafficPort() throws IOException {
		// helm-java's template returns the release manifest, which leaves hooks out; lint renders
		// them (lintsStrictWithoutWarnings), so here the hook's own template is read.
		String hook = Files.readString(HelmChart.DIRECTORY.resolve("templates/tests/test-connection.yaml"));
		assertThat(hook).contains("helm.sh/hook: test")
				.contains("/actuator/health/readiness")
				.contains("nc -z -w 5 {{ include \"herdlab.fullname\" . }} {{ .Values.service.port }}");
	}

	@Test
	void schemaRejectsAnUnknownPresetAndATypo() {
		assertThatThrownBy(() -> HelmChart.template(Map.of("mitigation.preset", "bogus")))
				.hasMessageContaining("preset");
		assertThatThrownBy(() -> HelmChart.template(Map.of("mitigaton.preset", "lua")))
				.hasMessageContaining("mitigaton");
		assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCount", -1))).hasMessageContaining("replicaCount");
	}

	static Container appContainer(Deployment deployment) {
		return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
				.filter(container -> container.getName().equals("herdlab")).findFirst().orElseThrow();
	}

	static EnvVar env(Container container, String name) {
		return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst()
				.orElseThrow(() -> new AssertionError("no env " + name + " in " + container.getName()));
	}

	static List<ConfigMap> dashboardConfigMaps(List<HasMetadata> objects) {
		return ofType(objects, ConfigMap.class).stream()
				.filter(configMap -> configMap.getMetadata().getLabels().containsKey("grafana_dashboard")).toList();
	}

	static List<Path> dashboardFiles() {
		try (Stream<Path> files = Files.list(Path.of("grafana", "dashboards"))) {
			return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<PodSpec> podSpecs(List<HasMetadata> objects) {
		List<PodSpec> specs = new java.util.ArrayList<>();
		ofType(objects, Deployment.class).forEach(deployment -> specs.add(deployment.getSpec().getTemplate().getSpec()));
		ofType(objects, Pod.class).forEach(pod -> specs.add(pod.getSpec()));
		return specs;
	}

	private static List<Service> selected(Map<String, String> matchLabels) {
		return ofType(defaults, Service.class).stream()
				.filter(service -> service.getMetadata().getLabels().entrySet().containsAll(matchLabels.entrySet()))
				.toList();
	}

	private static Map<String, String> podLabelsSubset(Deployment deployment, Map<String, String> keys) {
		Map<String, String> subset = new HashMap<>();
		Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
		keys.keySet().forEach(key -> subset.put(key, labels.get(key)));
		return subset;
	}

	private static void assertProbe(Probe probe, String path) {
		assertThat(probe).isNotNull();
		assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
		assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("management");
	}

}
