package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.Test;

import static io.herdlab.k8s.KubernetesManifests.named;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster-level pieces (kind-config.yaml, k8s/) agree with the chart, artillery/ and
 * each other: the names and ports one side writes are the ones the other side reads.
 */
class ClusterManifestsTest {

	/**
	 * The newest kind release the docs can name with its node image (release notes of v0.33.0,
	 * github.com/kubernetes-sigs/kind/releases/tag/v0.33.0: "The default node image is now
	 * kindest/node:v1.37.0@sha256:a1ed…"), as found on 2026-12-02.
	 */
	static final String NEWEST_KIND = "v0.33.0";

	/** kind release → the default node image its release notes name, by digest. */
	static final Map<String, String> KIND_NODE_IMAGES = Map.of("v0.33.0",
			"kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5");

	@Test
	void kindClusterHasOneControlPlaneAndTwoWorkersMappingTheAppNodePort() throws IOException {
		Map<String, Object> kind = yaml(RepositoryRoot.path("kind-config.yaml"));
		assertThat(kind).containsEntry("kind", "Cluster").containsEntry("apiVersion", "kind.x-k8s.io/v1alpha4");
		List<Map<String, Object>> nodes = list(kind.get("nodes"));
		assertThat(nodes).extracting(node -> node.get("role")).containsExactly("control-plane", "worker", "worker");
		assertThat(nodes).extracting(node -> String.valueOf(node.get("image"))).as("one node image, pinned by digest")
				.containsOnly(String.valueOf(nodes.get(0).get("image")))
				.allMatch(image -> image.matches("kindest/node:v\\d+\\.\\d+\\.\\d+@sha256:[0-9a-f]{64}"));
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
	void kubePrometheusStackSelectsTheChartsMonitorsAndDashboards() throws IOException {
		Map<String, Object> stack = yaml(RepositoryRoot.path("k8s", "kube-prometheus-stack-values.yaml"));
		Map<String, Object> prometheusSpec = map(map(stack.get("prometheus")).get("prometheusSpec"));
		assertThat(prometheusSpec).containsEntry("serviceMonitorSelectorNilUsesHelmValues", false)
				.containsEntry("podMonitorSelectorNilUsesHelmValues", false);
		Map<String, Object> dashboards = map(map(map(stack.get("grafana")).get("sidecar")).get("dashboards"));
		assertThat(dashboards).containsEntry("enabled", true).containsEntry("searchNamespace", "ALL");

		Map<String, Object> chartValues = yaml(HelmChart.DIRECTORY.resolve("values.yaml"));
		Map<String, Object> chartDashboardLabels = map(map(map(chartValues.get("grafana")).get("dashboards")).get("labels"));
		assertThat(chartDashboardLabels).containsEntry(String.valueOf(dashboards.get("label")), dashboards.get("labelValue"));
		assertThat(dashboards.get("folderAnnotation")).isEqualTo("grafana_folder");

		// ClusterScriptsTest: kind-up.sh installs the stack under the release name the monitors carry
	}

	@Test
	void prometheusScrapesTheClusterAtTheUsualPaceAndHerdlabsPodsEveryFiveSeconds() throws IOException {
		Map<String, Object> prometheusSpec = map(map(yaml(RepositoryRoot.path("k8s", "kube-prometheus-stack-values.yaml"))
				.get("prometheus")).get("prometheusSpec"));
		// every target the stack brings (kubelets, cAdvisor, node-exporters, ...) at the global interval
		assertThat(Duration.parse("PT" + prometheusSpec.get("scrapeInterval")).toSeconds()).isGreaterThanOrEqualTo(30);
		// herdlab's monitors set their own: the spike lasts seconds
		List<ServiceMonitor> monitors = KubernetesManifests.ofType(kindRender(), ServiceMonitor.class);
		assertThat(monitors).isNotEmpty().allSatisfy(monitor -> assertThat(monitor.getSpec().getEndpoints())
				.allSatisfy(endpoint -> assertThat(endpoint.getInterval()).isEqualTo("5s")));
	}

	@Test
	void theClusterRunsTheNodeImageOfTheNewestKindReleaseTheWorkflowInstalls() throws IOException {
		Map<String, Object> workflow = yaml(RepositoryRoot.path(".github", "workflows", "kind.yml"));
		List<Map<String, Object>> steps = list(map(map(workflow.get("jobs")).get("herd-on-kind")).get("steps"));
		Object kind = steps.stream().filter(step -> String.valueOf(step.get("uses")).startsWith("helm/kind-action@"))
				.map(step -> map(step.get("with")).get("version")).findFirst().orElseThrow();
		assertThat(kind).isEqualTo(NEWEST_KIND);
		List<Map<String, Object>> nodes = list(yaml(RepositoryRoot.path("kind-config.yaml")).get("nodes"));
		assertThat(nodes).extracting(node -> node.get("image")).containsOnly(KIND_NODE_IMAGES.get(NEWEST_KIND));
	}

	@Test
	void imageNameAndVersionAgreeAcrossPomAndChart() throws IOException {
		String pom = Files.readString(RepositoryRoot.path("pom.xml"));
		Matcher version = Pattern.compile("<artifactId>herdlab</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
		assertThat(version.find()).isTrue();
		Map<String, Object> chart = yaml(HelmChart.DIRECTORY.resolve("Chart.yaml"));
		assertThat(chart.get("appVersion")).isEqualTo(version.group(1));
		assertThat(Files.readString(RepositoryRoot.path("service", "pom.xml"))).contains("<image>herdlab:${project.version}</image>");

		// without image.tag (make deploy always sets the build's own) the chart runs its appVersion
		Deployment app = named(KubernetesManifests.parse(HelmChart.template(Map.of())), Deployment.class, "herdlab");
		assertThat(app.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
				.isEqualTo("herdlab:" + version.group(1));
	}

	private static List<HasMetadata> kindRender() {
		return KubernetesManifests.parse(HelmChart.template(HelmChart.KIND_VALUES, Map.of()));
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
