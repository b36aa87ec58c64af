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
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.herdlab.dashboards.GrafanaDashboards;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

	static final List<String> PRESETS = List.of("baseline", "jitter", "local", "redisson", "lua", "tiered", "full", "owner");

	static final ObjectMapper JSON = new ObjectMapper();

	static List<HasMetadata> defaults;

	@BeforeAll
	static void renderDefaults() {
		defaults = KubernetesManifests.parse(HelmChart.template(Map.of()));
	}

	@Test
	void lintsStrictWithoutWarnings() {
		assertLintClean(HelmChart.helm().lint().strict().call());
	}

	@ParameterizedTest
	@ValueSource(strings = { "baseline", "jitter", "local", "redisson", "lua", "full", "owner" })
	void everyPresetLintsStrictAndRendersWithDefaultsAndWithTheKindValues(String preset, @TempDir Path scratch)
			throws IOException {
		assertLintClean(HelmChart.lint(null, Map.of("mitigation.preset", preset), Files.createDirectory(scratch.resolve("defaults"))));
		assertLintClean(HelmChart.lint(HelmChart.KIND_VALUES, Map.of("mitigation.preset", preset),
				Files.createDirectory(scratch.resolve("kind"))));
		List<HasMetadata> kind = KubernetesManifests.parse(HelmChart.template(HelmChart.KIND_VALUES,
				Map.of("mitigation.preset", preset)));
		assertThat(env(appContainer(named(kind, Deployment.class, "herdlab")), "HERD_MITIGATION_PRESET").getValue())
				.isEqualTo(preset);
		assertThat(named(kind, Service.class, "herdlab").getSpec().getType()).isEqualTo("NodePort");
		assertThat(ofType(kind, NetworkPolicy.class)).hasSize(4);
	}

	private static void assertLintClean(LintResult result) {
		assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
		assertThat(result.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
	}

	@Test
	void valuesYamlListsExactlyThePresetsOfTheSchema() throws IOException {
		Map<?, ?> schema = JSON.readValue(HelmChart.DIRECTORY.resolve("values.schema.json").toFile(), Map.class);
		Object presetEnum = ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) schema.get("properties"))
				.get("mitigation")).get("properties")).get("preset")).get("enum");
		assertThat(presetEnum).isEqualTo(PRESETS);
	}

	@ParameterizedTest
	@ValueSource(strings = { "baseline", "jitter", "local", "redisson", "lua", "tiered", "full", "owner" })
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
		assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo("herdlab-credentials");
		assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
		assertThat(env(container, "SPRING_DATA_REDIS_URL").getValue()).as("no password in the URL")
				.isEqualTo("redis://herdlab-redis:6379");
		assertThat(env(container, "SPRING_DATA_REDIS_PASSWORD").getValueFrom().getSecretKeyRef())
				.satisfies(ref -> assertThat(ref.getName() + "/" + ref.getKey()).isEqualTo("herdlab-credentials/redis-password"));
		assertThat(env(container, "HERD_ADMIN_TOKEN").getValueFrom().getSecretKeyRef())
				.satisfies(ref -> assertThat(ref.getName() + "/" + ref.getKey()).isEqualTo("herdlab-credentials/admin-token"));
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
	void dashboardsRenderFromACheckoutWithoutSymlinks(@TempDir Path scratch) throws IOException {
		// core.symlinks=false (Windows, some archives): git writes a symlink as a file holding its target
		Path checkout = Files.createDirectories(scratch.resolve("herdlab"));
		try (Stream<Path> files = Files.walk(HelmChart.DIRECTORY)) {
			for (Path file : files.toList()) {
				Path target = checkout.resolve(HelmChart.DIRECTORY.relativize(file).toString());
				if (Files.isSymbolicLink(file)) {
					Files.writeString(target, Files.readSymbolicLink(file).toString());
				}
				else if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else if (!Files.exists(target)) {
					Files.copy(file, target);
				}
			}
		}
		FakeKubernetesApi.ensureRunning();
		List<HasMetadata> objects = KubernetesManifests.parse(new com.marcnuri.helm.Helm(checkout).template()
				.withName(HelmChart.RELEASE).withNamespace(HelmChart.NAMESPACE).call());
		assertThat(dashboardConfigMaps(objects)).isNotEmpty().hasSameSizeAs(dashboardFiles());

		// and a chart without any dashboard says so instead of rendering none
		try (Stream<Path> files = Files.list(checkout.resolve("dashboards"))) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		assertThatThrownBy(() -> new com.marcnuri.helm.Helm(checkout).template().withName(HelmChart.RELEASE)
				.withNamespace(HelmChart.NAMESPACE).call()).hasMessageContaining("the chart has no dashboards/*.json");
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
	void helmTestPodKeepsItsLogAndAsksEveryReplicaByItsAddress(@TempDir Path scratch) throws IOException {
		Pod test = ofType(KubernetesManifests.parse(HelmChart.templateHooks(Map.of(), scratch)), Pod.class).get(0);
		assertThat(test.getMetadata().getAnnotations()).containsEntry("herdlab.test/hook", "test");
		assertThat(test.getMetadata().getAnnotations().get("helm.sh/hook-delete-policy"))
				.as("`helm test --logs` reads the pod after it succeeded (helm/helm#9098)").doesNotContain("hook-succeeded");

		// its script, run by sh with stand-ins for busybox's nslookup, wget and nc
		Path bin = Files.createDirectories(scratch.resolve("bin"));
		Path calls = scratch.resolve("calls");
		Scripts.executable(bin.resolve("nslookup"), """
				#!/bin/sh
				echo "nslookup $*" >> %1$s
				printf 'Server:\\t\\t10.96.0.10\\nAddress:\\t10.96.0.10:53\\n\\n'
				for address in $(cat %2$s/addresses); do printf 'Name:\\t%%s\\nAddress: %%s\\n\\n' "$2" "$address"; done
				""".formatted(calls, scratch));
		Scripts.executable(bin.resolve("wget"), """
				#!/bin/sh
				echo "wget $*" >> %1$s
				for url; do :; done
				if grep -qF "//$(cat %2$s/down 2>/dev/null):" <<EOF
				$url
				EOF
				then echo '{"status":"DOWN"}'; else echo '{"status":"UP"}'; fi
				""".formatted(calls, scratch));
		Scripts.executable(bin.resolve("nc"), "#!/bin/sh\necho \"nc $*\" >> " + calls + "\n");
		Container check = test.getSpec().getContainers().get(0);
		Map<String, String> path = Map.of("PATH", bin + ":" + System.getenv("PATH"));

		Files.writeString(scratch.resolve("addresses"), "10.244.1.5 10.244.2.6 10.244.2.7");
		Scripts.Result ready = Scripts.run(check.getCommand(), path, java.time.Duration.ofSeconds(30));
		assertThat(ready.exit()).as(ready.both()).isZero();
		assertThat(Scripts.lines(calls)).containsExactly(
				"nslookup -type=a herdlab-management.herdlab.svc.cluster.local",
				"wget -q -T 5 -O- http://10.244.1.5:8081/actuator/health/readiness",
				"wget -q -T 5 -O- http://10.244.2.6:8081/actuator/health/readiness",
				"wget -q -T 5 -O- http://10.244.2.7:8081/actuator/health/readiness",
				"nc -z -w 5 herdlab 8080");
		assertThat(ready.out()).contains("herdlab is ready: 3 replica(s)");

		Files.writeString(scratch.resolve("down"), "10.244.2.6");
		Scripts.Result oneNotReady = Scripts.run(check.getCommand(), path, java.time.Duration.ofSeconds(30));
		assertThat(oneNotReady.exit()).isNotZero();
		assertThat(oneNotReady.err()).contains("the replica at 10.244.2.6 is not ready");

		Files.delete(scratch.resolve("down"));
		Files.writeString(scratch.resolve("addresses"), "10.244.1.5 10.244.2.6");
		Scripts.Result oneMissing = Scripts.run(check.getCommand(), path, java.time.Duration.ofSeconds(30));
		assertThat(oneMissing.exit()).as("a pod not ready has no DNS record: counted").isNotZero();
		assertThat(oneMissing.err()).contains("2 replica(s) ready behind herdlab-management.herdlab.svc.cluster.local, expected 3");
	}

	@Test
	void aChangedCredentialRollsEveryPodThatReadsIt() {
		Map<String, Map<String, String>> first = podAnnotations(Map.of("redis.password", "one"));
		Map<String, Map<String, String>> again = podAnnotations(Map.of("redis.password", "one"));
		Map<String, Map<String, String>> changed = podAnnotations(Map.of("redis.password", "two"));
		assertThat(again).as("the same values: no pod rolls").isEqualTo(first);
		for (String reader : List.of("herdlab", "herdlab-redis", "herdlab-postgresql", "herdlab-postgres-exporter")) {
			assertThat(changed.get(reader)).as(reader + " reads the credentials Secret").isNotEqualTo(first.get(reader));
		}
		// the exporter's queries, already, and PostgreSQL's init script: each rolls the pods that read it
		assertThat(podAnnotations(Map.of("redis.password", "one", "postgresExporter.queries.herdlab_pg_stat_activity.query", "SELECT 1"))
				.get("herdlab-postgres-exporter")).isNotEqualTo(first.get("herdlab-postgres-exporter"));
		assertThat(first.get("herdlab-postgresql")).containsKey("checksum/init");
	}

	private static Map<String, Map<String, String>> podAnnotations(Map<String, ?> values) {
		return ofType(KubernetesManifests.parse(HelmChart.template(values)), Deployment.class).stream()
				.collect(Collectors.toMap(deployment -> deployment.getMetadata().getName(),
						deployment -> deployment.getSpec().getTemplate().getMetadata().getAnnotations()));
	}

	@Test
	void schemaRejectsAnUnknownPresetAndATypo() {
		assertThatThrownBy(() -> HelmChart.template(Map.of("mitigation.preset", "bogus")))
				.hasMessageContaining("preset");
		assertThatThrownBy(() -> HelmChart.template(Map.of("mitigaton.preset", "lua")))
				.hasMessageContaining("mitigaton");
		assertThatThrownBy(() -> HelmChart.template(Map.of("replicaCount", -1))).hasMessageContaining("replicaCount");
	}

	@Test
	void networkPoliciesLetOnlyTheirPeersIn() {
		Map<String, NetworkPolicy> policies = ofType(defaults, NetworkPolicy.class).stream()
				.collect(Collectors.toMap(policy -> policy.getMetadata().getName(), policy -> policy));
		assertThat(policies).containsOnlyKeys("herdlab-app", "herdlab-postgresql", "herdlab-redis", "herdlab-postgres-exporter");
		for (NetworkPolicy policy : policies.values()) {
			assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
			assertThat(selectedDeployments(policy.getSpec().getPodSelector().getMatchLabels())).as(policy.getMetadata().getName())
					.hasSize(1);
		}
		Map<String, String> app = podLabels("herdlab");
		Map<String, String> exporter = podLabels("herdlab-postgres-exporter");
		assertThat(peersOn(policies.get("herdlab-postgresql"), 5432)).containsExactlyInAnyOrder(app, exporter);
		assertThat(peersOn(policies.get("herdlab-redis"), 6379)).containsExactly(app);

		NetworkPolicy appPolicy = policies.get("herdlab-app");
		assertThat(appPolicy.getSpec().getIngress()).filteredOn(rule -> port(rule) == 8080).singleElement()
				.satisfies(rule -> assertThat(rule.getFrom()).as("traffic from anyone").isNullOrEmpty());
		List<NetworkPolicyPeer> management = managementPortPeers(defaults);
		assertThat(management).hasSize(3);
		NetworkPolicyPeer prometheus = management.get(0);
		assertThat(prometheus.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring");
		assertThat(prometheus.getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "prometheus");
		assertThat(management.get(2).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component", "test");
		assertThat(policies.get("herdlab-postgres-exporter").getSpec().getIngress()).singleElement()
				.satisfies(rule -> assertThat(rule.getFrom()).containsExactly(prometheus));
	}

	@Test
	void theOwnerPresetFindsItsMembersByTheHeadlessServiceAndLetsThePodsForwardToEachOther() {
		List<HasMetadata> objects = KubernetesManifests.parse(HelmChart.template(Map.of("mitigation.preset", "owner",
				"owner.forwardTimeout", "5s")));
		Container container = appContainer(named(objects, Deployment.class, "herdlab"));
		Service members = named(objects, Service.class, "herdlab-management");
		assertThat(members.getSpec().getClusterIP()).as("headless: one address per ready pod").isEqualTo("None");
		assertThat(env(container, "HERD_OWNER_DNS").getValue()).isEqualTo("herdlab-management.herdlab.svc.cluster.local");
		assertThat(env(container, "HERD_OWNER_DNSPORT").getValue()).isEqualTo("8081");
		assertThat(env(container, "POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
		assertThat(env(container, "HERD_OWNER_SELF").getValue()).isEqualTo("http://$(POD_IP):8081");
		assertThat(env(container, "HERD_OWNER_DNSREFRESH").getValue()).isEqualTo("5s");
		assertThat(env(container, "HERD_OWNER_FORWARDTIMEOUT").getValue()).isEqualTo("5s");
		assertThat(container.getEnv()).extracting(EnvVar::getName).as("POD_IP before the variable that expands it")
				.containsSubsequence("POD_IP", "HERD_OWNER_SELF");
		assertThat(managementPortPeers(objects)).as("the app pods reach each other's management port")
				.hasSize(4).contains(new NetworkPolicyPeerBuilder().withNewPodSelector()
						.withMatchLabels(podLabels("herdlab")).endPodSelector().build());

		Container other = appContainer(named(defaults, Deployment.class, "herdlab"));
		assertThat(other.getEnv()).extracting(EnvVar::getName).as("other presets: no members")
				.noneMatch(name -> name.startsWith("HERD_OWNER_"));
		assertThat(managementPortPeers(defaults)).hasSize(3);
	}

	@Test
	void credentialsAreGeneratedOnceAndKeptAcrossUpgrades() {
		Map<String, String> first = credentials(HelmChart.template(Map.of()));
		assertThat(first).containsOnlyKeys("postgres-password", "password", "exporter-password", "redis-password", "admin-token");
		first.values().forEach(value -> assertThat(value).matches("[A-Za-z0-9]{32}"));
		Map<String, String> fresh = credentials(HelmChart.template(Map.of()));
		assertThat(fresh.get("password")).as("a new install draws new ones").isNotEqualTo(first.get("password"));

		// an upgrade: Helm's lookup finds the release's Secret and keeps every value of it
		String data = first.entrySet().stream()
				.map(e -> "\"" + e.getKey() + "\":\"" + java.util.Base64.getEncoder().encodeToString(e.getValue().getBytes()) + "\"")
				.collect(Collectors.joining(","));
		FakeKubernetesApi.secrets.put("herdlab/herdlab-credentials",
				"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"herdlab-credentials\",\"namespace\":\"herdlab\"},"
						+ "\"type\":\"Opaque\",\"data\":{" + data + "}}");
		try {
			assertThat(credentials(HelmChart.template(Map.of("mitigation.preset", "lua")))).isEqualTo(first);
			// a value given explicitly wins over the kept one
			assertThat(credentials(HelmChart.template(Map.of("redis.password", "chosen"))))
					.containsEntry("redis-password", "chosen").containsEntry("password", first.get("password"));
		}
		finally {
			FakeKubernetesApi.secrets.clear();
		}
	}

	@Test
	void anExistingSecretReplacesTheGeneratedOne() {
		List<HasMetadata> objects = KubernetesManifests.parse(HelmChart.template(Map.of("existingSecret", "mine")));
		assertThat(ofType(objects, Secret.class)).isEmpty();
		assertThat(env(appContainer(named(objects, Deployment.class, "herdlab")), "SPRING_R2DBC_PASSWORD").getValueFrom()
				.getSecretKeyRef().getName()).isEqualTo("mine");
	}

	@Test
	void redisRequiresThePasswordTheAppSendsAndEvictsBelowItsMemoryLimit() {
		Container redis = named(defaults, Deployment.class, "herdlab-redis").getSpec().getTemplate().getSpec()
				.getContainers().get(0);
		List<String> args = redis.getArgs();
		assertThat(args.get(args.indexOf("--requirepass") + 1)).isEqualTo("$(REDIS_PASSWORD)");
		assertThat(env(redis, "REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("redis-password");
		assertThat(env(redis, "REDISCLI_AUTH").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("redis-password");
		long maxmemory = redisBytes(args.get(args.indexOf("--maxmemory") + 1));
		long limit = Quantity.getAmountInBytes(redis.getResources().getLimits().get("memory")).longValue();
		assertThat(maxmemory).isPositive().isLessThanOrEqualTo(limit * 8 / 10);
		assertThat(args.get(args.indexOf("--maxmemory-policy") + 1)).isEqualTo("allkeys-lru");

		// an external Redis without a password gets none
		List<HasMetadata> external = KubernetesManifests.parse(HelmChart.template(
				Map.of("redis.enabled", false, "redis.url", "redis://cache:6379")));
		assertThat(appContainer(named(external, Deployment.class, "herdlab")).getEnv())
				.noneMatch(e -> e.getName().equals("SPRING_DATA_REDIS_PASSWORD"));
	}

	@Test
	void anExternalRedisClusterGetsItsNodesThePasswordAndTls() {
		List<HasMetadata> release = KubernetesManifests.parse(HelmChart.template(Map.of("redis.enabled", false,
				"redis.cluster.nodes[0]", "redis-cluster-0.redis-cluster-headless:6379",
				"redis.cluster.nodes[1]", "redis-cluster-1.redis-cluster-headless:6379",
				"redis.cluster.auth", true, "redis.cluster.tls", true)));
		Container app = appContainer(named(release, Deployment.class, "herdlab"));
		assertThat(env(app, "SPRING_DATA_REDIS_CLUSTER_NODES").getValue())
				.isEqualTo("redis-cluster-0.redis-cluster-headless:6379,redis-cluster-1.redis-cluster-headless:6379");
		assertThat(app.getEnv()).as("no single-server URL beside the nodes")
				.noneMatch(e -> e.getName().equals("SPRING_DATA_REDIS_URL"));
		assertThat(env(app, "SPRING_DATA_REDIS_PASSWORD").getValueFrom().getSecretKeyRef().getKey())
				.isEqualTo("redis-password");
		assertThat(env(app, "SPRING_DATA_REDIS_SSL_ENABLED").getValue()).isEqualTo("true");
		assertThat(release).as("no Redis of the release's own").noneMatch(r -> r.getMetadata().getName()
				.equals("herdlab-redis"));

		assertThatThrownBy(() -> HelmChart.template(Map.of("redis.cluster.nodes[0]", "redis-cluster-0:6379")))
				.as("the nodes with the release's own Redis").hasMessageContaining("redis.enabled to false");
		assertThatThrownBy(() -> HelmChart.template(Map.of("redis.enabled", false,
				"redis.cluster.nodes[0]", "redis-cluster-0"))).as("a node without its port")
				.hasMessageContaining("nodes");
	}

	@Test
	void everyContainerRunsWithTheSameSecurityContext() {
		List<PodSpec> pods = podSpecs(defaults);
		assertThat(pods).hasSize(4);
		SecurityContext expected = appContainer(named(defaults, Deployment.class, "herdlab")).getSecurityContext();
		assertThat(expected.getReadOnlyRootFilesystem()).isTrue();
		assertThat(expected.getAllowPrivilegeEscalation()).isFalse();
		assertThat(expected.getCapabilities().getDrop()).containsExactly("ALL");
		for (PodSpec pod : pods) {
			assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
			assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
			assertThat(pod.getAutomountServiceAccountToken()).isFalse();
			Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream())
					.forEach(container -> assertThat(container.getSecurityContext()).as(container.getName()).isEqualTo(expected));
		}
	}

	@Test
	void appWaitsForPostgresqlThenStartsAJvmSizedForItsContainer() {
		Deployment app = named(defaults, Deployment.class, "herdlab");
		Container wait = app.getSpec().getTemplate().getSpec().getInitContainers().get(0);
		Container postgres = named(defaults, Deployment.class, "herdlab-postgresql").getSpec().getTemplate().getSpec()
				.getContainers().get(0);
		assertThat(wait.getImage()).isEqualTo(postgres.getImage());
		assertThat(String.join(" ", wait.getArgs())).contains("pg_isready");
		assertThat(env(wait, "PGHOST").getValue()).isEqualTo("herdlab-postgresql");

		Container container = appContainer(app);
		List<String> flags = List.of(env(container, "JAVA_TOOL_OPTIONS").getValue().split(" "));
		assertThat(flags).contains("-XX:MaxRAMPercentage=60.0", "-XX:ActiveProcessorCount=2", "-XX:+UseG1GC");
		long limit = Quantity.getAmountInBytes(container.getResources().getLimits().get("memory")).longValue();
		assertThat(limit * 40 / 100).as("memory left beside the heap").isGreaterThanOrEqualTo(384L << 20);
		assertThat(env(appContainer(named(KubernetesManifests.parse(HelmChart.template(Map.of("javaToolOptions", "-Dx=1"))),
				Deployment.class, "herdlab")), "JAVA_TOOL_OPTIONS").getValue()).endsWith(" -XX:+UseG1GC -Dx=1");
	}

	@Test
	void probesRideOutASpikeOfSeveralSeconds() {
		Container container = appContainer(named(defaults, Deployment.class, "herdlab"));
		for (Probe probe : List.of(container.getReadinessProbe(), container.getLivenessProbe(), container.getStartupProbe())) {
			assertThat(probe.getTimeoutSeconds()).isGreaterThanOrEqualTo(5);
		}
		Probe readiness = container.getReadinessProbe();
		assertThat(readiness.getPeriodSeconds() * readiness.getFailureThreshold()).as("out of the Service after")
				.isGreaterThanOrEqualTo(15);
		Probe liveness = container.getLivenessProbe();
		assertThat(liveness.getPeriodSeconds() * liveness.getFailureThreshold()).as("restarted after")
				.isGreaterThanOrEqualTo(60);
	}

	/** Images pinned by tag only, each with why (docs/kubernetes.md): no digest of it could be confirmed offline. */
	static final List<String> TAG_ONLY = List.of("quay.io/prometheuscommunity/postgres-exporter:v0.17.1");

	@Test
	void everyImageIsPinnedByTagAndDigestAndTheAppRunsTheTagOfItsBuild(@TempDir Path scratch) {
		List<PodSpec> pods = new java.util.ArrayList<>(podSpecs(defaults));
		pods.addAll(podSpecs(KubernetesManifests.parse(HelmChart.templateHooks(Map.of(), scratch))));
		List<String> images = pods.stream().flatMap(pod -> Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()))
				.map(Container::getImage).filter(image -> !image.startsWith("herdlab:")).distinct().toList();
		assertThat(images).as("the test pod's busybox too").anyMatch(image -> image.startsWith("busybox:"));
		for (String image : images) {
			assertThat(image).as("pinned").matches(TAG_ONLY.contains(image) ? ".+:v?\\d+\\.\\d+(\\.\\d+)?"
					: ".+:v?\\d+\\.\\d+(\\.\\d+)?@sha256:[0-9a-f]{64}");
		}
		Deployment app = named(KubernetesManifests.parse(HelmChart.template(Map.of("image.tag", "1a2b3c4d5e6f-dirty-0a1b2c3d"))),
				Deployment.class, "herdlab");
		assertThat(appContainer(app).getImage()).isEqualTo("herdlab:1a2b3c4d5e6f-dirty-0a1b2c3d");
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
		return GrafanaDashboards.files();
	}

	/** Who may reach the app's management port, by the app's NetworkPolicy. */
	static List<NetworkPolicyPeer> managementPortPeers(List<HasMetadata> objects) {
		NetworkPolicy policy = named(objects, NetworkPolicy.class, "herdlab-app");
		return peersOf(policy, 8081);
	}

	private static List<NetworkPolicyPeer> peersOf(NetworkPolicy policy, int port) {
		return policy.getSpec().getIngress().stream().filter(rule -> port(rule) == port).findFirst()
				.orElseThrow(() -> new AssertionError(policy.getMetadata().getName() + " has no rule for " + port)).getFrom();
	}

	private static List<Map<String, String>> peersOn(NetworkPolicy policy, int port) {
		return peersOf(policy, port).stream().map(peer -> {
			assertThat(peer.getNamespaceSelector()).as("same namespace only").isNull();
			return peer.getPodSelector().getMatchLabels();
		}).toList();
	}

	private static int port(NetworkPolicyIngressRule rule) {
		assertThat(rule.getPorts()).hasSize(1);
		return rule.getPorts().get(0).getPort().getIntVal();
	}

	private static Map<String, String> podLabels(String deployment) {
		Map<String, String> labels = named(defaults, Deployment.class, deployment).getSpec().getSelector().getMatchLabels();
		assertThat(labels).isNotEmpty();
		return labels;
	}

	private static List<Deployment> selectedDeployments(Map<String, String> matchLabels) {
		return ofType(defaults, Deployment.class).stream().filter(deployment -> deployment.getSpec().getTemplate()
				.getMetadata().getLabels().entrySet().containsAll(matchLabels.entrySet())).toList();
	}

	private static Map<String, String> credentials(String rendered) {
		Secret secret = named(KubernetesManifests.parse(rendered), Secret.class, "herdlab-credentials");
		return secret.getData().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
				e -> new String(java.util.Base64.getDecoder().decode(e.getValue()))));
	}

	private static long redisBytes(String size) {
		long number = Long.parseLong(size.replaceAll("[a-z]+$", ""));
		return switch (size.replaceAll("^[0-9]+", "")) {
			case "kb" -> number << 10;
			case "mb" -> number << 20;
			case "gb" -> number << 30;
			default -> throw new AssertionError("unknown unit in " + size);
		};
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
