package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import static io.herdlab.k8s.KubernetesManifests.named;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster-level pieces (kind-config.yaml, k8s/) agree with the chart, artillery/ and
 * each other: the names and ports one side writes are the ones the other side reads.
 */
class ClusterManifestsTest {

	static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void kindClusterHasOneControlPlaneAndTwoWorkersMappingTheAppNodePort() throws IOException {
		Map<String, Object> kind = yaml(Path.of("kind-config.yaml"));
		assertThat(kind).containsEntry("kind", "Cluster").containsEntry("apiVersion", "kind.x-k8s.io/v1alpha4");
		List<Map<String, Object>> nodes = list(kind.get("nodes"));
		assertThat(nodes).extracting(node -> node.get("role")).containsExactly("control-plane", "worker", "worker");
		List<Map<String, Object>> mappings = list(nodes.get(0).get("extraPortMappings"));

		Service traffic = named(kindRender(), Service.class, "herdlab");
		assertThat(traffic.getSpec().getType()).isEqualTo("NodePort");
		int nodePort = traffic.getSpec().getPorts().get(0).getNodePort();
		assertThat(mappings).singleElement().satisfies(mapping -> {
			assertThat(mapping.get("containerPort")).isEqualTo(nodePort);
			assertThat(mapping.get("hostPort")).isEqualTo(8080);
		});
	}

	@Test
	void loadJobTargetsTheChartsServicesWithTheArtilleryImageOfArtilleryPackageJson() throws IOException {
		Job job = loadJob();
		Container artillery = job.getSpec().getTemplate().getSpec().getContainers().get(0);
		JsonNode packageJson = JSON.readTree(Path.of("artillery", "package.json").toFile());
		assertThat(artillery.getImage())
				.isEqualTo("artilleryio/artillery:" + packageJson.path("dependencies").path("artillery").asText());

		List<HasMetadata> chart = KubernetesManifests.parse(HelmChart.template(Map.of()));
		Service traffic = named(chart, Service.class, "herdlab");
		Service management = named(chart, Service.class, "herdlab-management");
		assertThat(env(artillery, "TARGET"))
				.isEqualTo("http://" + traffic.getMetadata().getName() + ":" + traffic.getSpec().getPorts().get(0).getPort());
		assertThat(env(artillery, "HERD_MANAGEMENT_SERVICE")).isEqualTo(management.getMetadata().getName());
		assertThat(env(artillery, "HERD_MANAGEMENT_PORT"))
				.isEqualTo(String.valueOf(management.getSpec().getPorts().get(0).getPort()));
		assertThat(management.getSpec().getClusterIP()).as("one DNS record per pod").isEqualTo("None");
		assertThat(env(artillery, "ARTILLERY_DISABLE_TELEMETRY")).isEqualTo("1");
		String script = String.join("\n", artillery.getArgs());
		assertThat(script).containsSubsequence("herd-admin.js prime", "bin/run run --target \"$TARGET\"",
				"\"/artillery/scenarios/$SCENARIO\"", "herd-admin.js report");
	}

	@Test
	void loadJobMountsTheScenarioTheWayHerdYmlFindsItsProcessor() throws IOException {
		Job job = loadJob();
		Container artillery = job.getSpec().getTemplate().getSpec().getContainers().get(0);
		String scenario = env(artillery, "SCENARIO");
		Path scenarioFile = Path.of("artillery", "scenarios", scenario);
		assertThat(scenarioFile).exists();
		Map<String, Object> config = map(yaml(scenarioFile).get("config"));

		VolumeMount scenarios = mount(artillery, "/artillery/scenarios");
		VolumeMount processor = mount(artillery, "/artillery/processor.js");
		assertThat(processor.getSubPath()).isEqualTo("processor.js");
		assertThat(Path.of(scenarios.getMountPath()).resolve(String.valueOf(config.get("processor"))).normalize())
				.isEqualTo(Path.of(processor.getMountPath()));
		String configMap = job.getSpec().getTemplate().getSpec().getVolumes().stream()
				.filter(volume -> volume.getName().equals(scenarios.getName())).findFirst().orElseThrow()
				.getConfigMap().getName();
		String loadScript = Files.readString(Path.of("k8s", "scripts", "load.sh"));
		assertThat(loadScript).contains("create configmap " + configMap)
				.contains("--from-file=\"$root/artillery/scenarios/\"")
				.contains("--from-file=\"$root/artillery/processor.js\"")
				.contains("--from-file=\"$root/k8s/load/herd-admin.js\"");
	}

	@Test
	void keysExpireJustBeforeTheSpikeOfEachScenarioProfile() throws IOException {
		Job job = loadJob();
		Map<String, Object> config = map(yaml(Path.of("artillery", "scenarios", "herd.yml")).get("config"));
		int warm = warmDuration(list(config.get("phases")));
		String jobExpiry = env(job.getSpec().getTemplate().getSpec().getContainers().get(0), "HERD_EXPIRE_AFTER_SECONDS");
		assertThat(Integer.parseInt(jobExpiry)).isEqualTo(warm);

		String loadScript = Files.readString(Path.of("k8s", "scripts", "load.sh"));
		assertThat(assignedExpiry(loadScript, "\"\"")).isEqualTo(warm);
		int quickWarm = warmDuration(list(map(map(config.get("environments")).get("quick")).get("phases")));
		assertThat(assignedExpiry(loadScript, "quick")).isEqualTo(quickWarm);
	}

	@Test
	void kubePrometheusStackSelectsTheChartsMonitorsAndDashboards() throws IOException {
		Map<String, Object> stack = yaml(Path.of("k8s", "kube-prometheus-stack-values.yaml"));
		Map<String, Object> prometheusSpec = map(map(stack.get("prometheus")).get("prometheusSpec"));
		assertThat(prometheusSpec).containsEntry("serviceMonitorSelectorNilUsesHelmValues", false)
				.containsEntry("podMonitorSelectorNilUsesHelmValues", false);
		Map<String, Object> dashboards = map(map(map(stack.get("grafana")).get("sidecar")).get("dashboards"));
		assertThat(dashboards).containsEntry("enabled", true).containsEntry("searchNamespace", "ALL");

		Map<String, Object> chartValues = yaml(HelmChart.DIRECTORY.resolve("values.yaml"));
		Map<String, Object> chartDashboardLabels = map(map(map(chartValues.get("grafana")).get("dashboards")).get("labels"));
		assertThat(chartDashboardLabels).containsEntry(String.valueOf(dashboards.get("label")), dashboards.get("labelValue"));
		assertThat(dashboards.get("folderAnnotation")).isEqualTo("grafana_folder");

		String release = map(map(chartValues.get("monitoring")).get("labels")).get("release").toString();
		assertThat(Files.readString(Path.of("k8s", "scripts", "kind-up.sh")))
				.contains("helm upgrade --install " + release + " prometheus-community/kube-prometheus-stack");
	}

	@Test
	void imageNameAndVersionAgreeAcrossPomChartAndMakefile() throws IOException {
		String pom = Files.readString(Path.of("pom.xml"));
		Matcher version = Pattern.compile("<artifactId>herdlab</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
		assertThat(version.find()).isTrue();
		Map<String, Object> chart = yaml(HelmChart.DIRECTORY.resolve("Chart.yaml"));
		assertThat(chart.get("appVersion")).isEqualTo(version.group(1));
		String makefile = Files.readString(Path.of("Makefile"));
		assertThat(makefile).contains("IMG_TAG ?= " + version.group(1)).contains("IMG_REPO ?= herdlab");
		assertThat(pom).contains("<image>herdlab:${project.version}</image>");

		Deployment app = named(KubernetesManifests.parse(HelmChart.template(Map.of())), Deployment.class, "herdlab");
		assertThat(app.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
				.isEqualTo("herdlab:" + version.group(1));
	}

	static Job loadJob() {
		try {
			List<HasMetadata> objects = KubernetesManifests.parse(Files.readString(Path.of("k8s", "load", "job.yaml")));
			assertThat(objects).singleElement().isInstanceOf(Job.class);
			return (Job) objects.get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static List<HasMetadata> kindRender() {
		TemplateCommand command = HelmChart.helm().template().withName(HelmChart.RELEASE)
				.withNamespace(HelmChart.NAMESPACE).withValuesFile(Path.of("k8s", "herdlab-kind-values.yaml"));
		return KubernetesManifests.parse(command.call());
	}

	private static int warmDuration(List<Map<String, Object>> phases) {
		return phases.stream().filter(phase -> "warm".equals(phase.get("name"))).findFirst()
				.map(phase -> ((Number) phase.get("duration")).intValue()).orElseThrow();
	}

	private static int assignedExpiry(String loadScript, String profile) {
		Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(profile) + "\\)\\s*expire_after=(\\d+)").matcher(loadScript);
		assertThat(matcher.find()).as("load.sh sets expire_after for profile " + profile).isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private static String env(Container container, String name) {
		return container.getEnv().stream().filter(env -> env.getName().equals(name)).map(EnvVar::getValue)
				.findFirst().orElseThrow(() -> new AssertionError("no env " + name));
	}

	private static VolumeMount mount(Container container, String path) {
		return container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(path)).findFirst()
				.orElseThrow(() -> new AssertionError("nothing mounted at " + path));
	}

	private static Map<String, Object> yaml(Path file) throws IOException {
		return KubernetesManifests.documents(Files.readString(file)).get(0);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Object value) {
		return (List<Map<String, Object>>) value;
	}

}
