package io.herdlab.k8s;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.herdlab.k8s.KubernetesManifests.named;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/scripts/load.sh run for real: its client-side pipelines go through the real kubectl
 * (Debian's kubernetes-client; `--dry-run=client`, `--local`), and a stand-in kubectl answers
 * only the calls that would reach the cluster, keeping what `apply -f -` received. Every
 * object the script would apply is parsed strictly.
 */
class LoadScriptTest {

	static final String LOAD_IMG = "herdlab-load:0123456789ab";

	@TempDir
	Path shim;

	@BeforeEach
	void standInKubectl() throws IOException {
		String realKubectl = Scripts.onPath("kubectl", "apt-get install kubernetes-client (scripts/install-test-tools.sh)");
		Scripts.executable(shim.resolve("bin/kubectl"), """
				#!/usr/bin/env bash
				# client-side calls: the real kubectl, which reaches no cluster with these flags
				for arg in "$@"; do
				  case "$arg" in --dry-run=client | --local) exec %s "$@" ;; esac
				done
				printf '%%s\\n' "$*" >> "%s/calls"
				case " $* " in
				  *" apply -f - "*)
				    n=$(find "%s" -maxdepth 1 -name 'applied-*' | wc -l)
				    cat > "%s/applied-$n.yaml"
				    [ -s "%s/applied-$n.yaml" ] || { echo 'error: no objects passed to apply' >&2; exit 1; } ;;
				  *" get job "*) cat "%s/job-status" ;;
				  *" get pods "*) cat "%s/pod-waiting" 2>/dev/null || true ;;
				  *" logs "*) cat "%s/job-log" ;;
				  *" delete job "*) ;;
				  *) echo "stand-in kubectl: unexpected call: $*" >&2; exit 3 ;;
				esac
				""".formatted(realKubectl, shim, shim, shim, shim, shim, shim, shim));
		Files.writeString(shim.resolve("job-status"), "1/");
		Files.writeString(shim.resolve("job-log"), """
				herd-admin: 3 replica(s): http://10.244.1.5:8081 http://10.244.2.6:8081 http://10.244.2.7:8081
				herd-admin: seeded 10000 users in 812 ms
				Phase started: warm (index: 0, duration: 61s) 10:00:01(+0000)
				herd-admin: warmed 10000 keys to expire at 2026-11-27T10:01:01.000Z (warm phase 61 s; jitter up to 0 ms); counters reset
				Phase started: spike (index: 1, duration: 1s) 10:01:02(+0000)
				All VUs finished. Total time: 1 minute, 33 seconds
				Summary report @ 10:01:35(+0000)
				http.codes.200: ..... 5124
				herdlab replicas after the run:
				cluster: 2630 DB queries for 2500 distinct keys -> 130 duplicate queries (4.9%) across 3 replica(s)
				herd-admin: keys expired at 2026-11-27T10:01:01.000Z, the spike started at 2026-11-27T10:01:02.003Z: 1003 ms after the expiry
				""");
	}

	@Test
	void defaultsApplyTheParametersTheScenarioAndTheJobThenPrintTheReport() {
		Scripts.Result result = load(Map.of());
		assertThat(result.exit()).as(result.both()).isZero();

		List<HasMetadata> applied = applied();
		ConfigMap params = named(applied, ConfigMap.class, "herdlab-load-params");
		assertThat(params.getData()).containsEntry("TARGET", "http://herdlab:8080")
				.containsEntry("HERD_MANAGEMENT_SERVICE", "herdlab-management")
				.containsEntry("HERD_MANAGEMENT_PORT", "8081")
				.containsEntry("SCENARIO", "herd.yml")
				.containsEntry("ARTILLERY_ENVIRONMENT", "")
				.containsEntry("HERD_DIST", "uniform")
				.containsEntry("HERD_WARM_ALIGNED", "false")
				.containsEntry("HERD_USERS", "10000");
		ConfigMap scenario = named(applied, ConfigMap.class, "herdlab-artillery");
		assertThat(scenario.getData()).containsKeys("herd.yml", "processor.js", "herd-admin.js");
		assertThat(scenario.getData().get("herd-admin.js")).isEqualTo(read(RepositoryRoot.path("k8s/load/herd-admin.js")));

		Job job = named(applied, Job.class, "herdlab-load");
		Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(container.getImage()).isEqualTo(LOAD_IMG);
		assertThat(container.getImagePullPolicy()).as("built and kind-loaded, never pulled").isEqualTo("Never");
		assertThat(container.getEnvFrom()).singleElement()
				.satisfies(from -> assertThat(from.getConfigMapRef().getName()).isEqualTo("herdlab-load-params"));
		assertThat(container.getEnv()).filteredOn(env -> env.getName().equals("HERD_ADMIN_TOKEN")).singleElement()
				.satisfies(env -> {
					assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("herdlab-credentials");
					assertThat(env.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("admin-token");
				});

		// every call that reaches the cluster names the kind context and the namespace
		assertThat(Scripts.lines(shim.resolve("calls"))).isNotEmpty()
				.allMatch(call -> call.startsWith("--context kind-herdlab --namespace herdlab "));
		// herd-admin's lines before Artillery's summary, then the summary and the report
		assertThat(result.out()).containsSubsequence("herd-admin: seeded 10000 users", "herd-admin: warmed 10000 keys",
				"Summary report", "cluster: 2630 DB queries", "1003 ms after the expiry", "load: full log in reports/");
		assertThat(result.out()).doesNotContain("All VUs finished");
	}

	@Test
	void everyParameterReachesTheJobThroughTheConfigMap() {
		Scripts.Result result = load(Map.of("RELEASE", "lab", "NAMESPACE", "herd2", "KIND_CLUSTER", "other",
				"LOAD_ENV", "quick", "HERD_DIST", "zipf", "HERD_WARM_ALIGNED", "true", "HERD_USERS", "500"));
		assertThat(result.exit()).as(result.both()).isZero();

		List<HasMetadata> applied = applied();
		assertThat(named(applied, ConfigMap.class, "herdlab-load-params").getData())
				.containsEntry("TARGET", "http://lab:8080").containsEntry("HERD_MANAGEMENT_SERVICE", "lab-management")
				.containsEntry("ARTILLERY_ENVIRONMENT", "quick").containsEntry("HERD_DIST", "zipf")
				.containsEntry("HERD_WARM_ALIGNED", "true").containsEntry("HERD_USERS", "500");
		assertThat(named(applied, Job.class, "herdlab-load").getSpec().getTemplate().getSpec().getContainers().get(0)
				.getEnv().get(0).getValueFrom().getSecretKeyRef().getName()).isEqualTo("lab-credentials");
		assertThat(Scripts.lines(shim.resolve("calls"))).allMatch(call -> call.startsWith("--context kind-other --namespace herd2 "));
	}

	@Test
	void theJobReachesTheChartsServicesAndMountsTheScenarioWhereHerdYmlFindsItsProcessor() {
		assertThat(load(Map.of()).exit()).isZero();
		List<HasMetadata> applied = applied();
		List<HasMetadata> chart = KubernetesManifests.parse(HelmChart.template(HelmChart.KIND_VALUES, Map.of()));
		Map<String, String> params = named(applied, ConfigMap.class, "herdlab-load-params").getData();
		Service traffic = named(chart, Service.class, "herdlab");
		Service management = named(chart, Service.class, "herdlab-management");
		assertThat(params.get("TARGET")).isEqualTo("http://herdlab:" + traffic.getSpec().getPorts().get(0).getPort());
		assertThat(params.get("HERD_MANAGEMENT_SERVICE")).isEqualTo(management.getMetadata().getName());
		assertThat(params.get("HERD_MANAGEMENT_PORT")).isEqualTo(String.valueOf(management.getSpec().getPorts().get(0).getPort()));
		assertThat(management.getSpec().getClusterIP()).as("one DNS record per pod").isEqualTo("None");

		Job job = named(applied, Job.class, "herdlab-load");
		PodSpec pod = job.getSpec().getTemplate().getSpec();
		Container container = pod.getContainers().get(0);
		VolumeMount scenarios = mount(container, "/artillery/scenarios");
		VolumeMount processor = mount(container, "/artillery/processor.js");
		assertThat(processor.getSubPath()).isEqualTo("processor.js");
		Map<String, Object> config = map(KubernetesManifests.documents(read(RepositoryRoot.path("artillery/scenarios/herd.yml"))).get(0)
				.get("config"));
		assertThat(Path.of(scenarios.getMountPath()).resolve(String.valueOf(config.get("processor"))).normalize())
				.isEqualTo(Path.of(processor.getMountPath()));
		String mounted = pod.getVolumes().stream().filter(volume -> volume.getName().equals(scenarios.getName()))
				.findFirst().orElseThrow().getConfigMap().getName();
		assertThat(named(applied, ConfigMap.class, mounted).getData()).containsKeys(params.get("SCENARIO"), "herd-admin.js");
		assertThat(container.getCommand()).containsExactly("node", "/artillery/scenarios/herd-admin.js", "run");

		// the chart's NetworkPolicy lets the Job's pods reach the management port
		Deployment app = named(chart, Deployment.class, "herdlab");
		assertThat(HelmChartTest.managementPortPeers(chart)).anySatisfy(peer -> assertThat(peer.getPodSelector()
				.getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name",
						job.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/name"))));
		// and its container runs with the chart's security context
		assertThat(container.getSecurityContext()).isEqualTo(HelmChartTest.appContainer(app).getSecurityContext());
	}

	@Test
	void anotherReleaseNameReachesTheObjectsMakeDeployNamesAfterIt(@TempDir Path stubs) {
		// load.sh with RELEASE=lab, and the chart as `make deploy RELEASE=lab` installs it
		assertThat(load(Map.of("RELEASE", "lab")).exit()).isZero();
		Map<String, String> params = named(applied(), ConfigMap.class, "herdlab-load-params").getData();
		String credentials = named(applied(), Job.class, "herdlab-load").getSpec().getTemplate().getSpec().getContainers().get(0)
				.getEnv().get(0).getValueFrom().getSecretKeyRef().getName();

		ClusterStandIns standIns = new ClusterStandIns(stubs);
		Scripts.Result deploy = standIns.make("deploy", "RELEASE=lab", "IMG_TAG=abc123def456");
		assertThat(deploy.exit()).as(deploy.both()).isZero();
		List<HasMetadata> release = KubernetesManifests.parse(HelmChart.templateAsInstalled(standIns.helmInstall()));
		assertThat(URI.create(params.get("TARGET")).getHost()).isEqualTo(named(release, Service.class, "lab").getMetadata().getName());
		Service management = named(release, Service.class, params.get("HERD_MANAGEMENT_SERVICE"));
		assertThat(String.valueOf(management.getSpec().getPorts().get(0).getPort())).isEqualTo(params.get("HERD_MANAGEMENT_PORT"));
		named(release, io.fabric8.kubernetes.api.model.Secret.class, credentials);
		// make scale, mitigate and deploy's rollout name deployment/$RELEASE
		named(release, Deployment.class, "lab");
		assertThat(standIns.calls()).contains("kubectl --context kind-herdlab -n herdlab rollout status deployment/lab --timeout=5m");
	}

	@Test
	void aNewRunWaitsUntilThePreviousRunsPodIsGoneAndNodeIsNotPid1() {
		assertThat(load(Map.of()).exit()).isZero();
		// foreground: the delete returns when the Job's pods are gone, not only the Job
		assertThat(Scripts.lines(shim.resolve("calls"))).filteredOn(call -> call.contains(" delete job herdlab-load "))
				.singleElement().asString().contains("--wait=true").contains("--cascade=foreground");
		// the pause container is the pod's PID 1: node gets SIGTERM's default action, it stops
		PodSpec pod = named(applied(), Job.class, "herdlab-load").getSpec().getTemplate().getSpec();
		assertThat(pod.getShareProcessNamespace()).isTrue();
		assertThat(pod.getTerminationGracePeriodSeconds()).isLessThanOrEqualTo(10L);
	}

	@Test
	void anImageThatCannotBePulledFailsAtOnceWithTheReasonAndTheFix() throws IOException {
		Files.writeString(shim.resolve("job-status"), "/");
		Files.writeString(shim.resolve("pod-waiting"),
				"ErrImageNeverPull\tContainer image \"" + LOAD_IMG + "\" is not present with pull policy of Never\n");
		Scripts.Result result = load(Map.of("LOAD_TIMEOUT", "600"));
		assertThat(result.exit()).isEqualTo(1);
		assertThat(result.took()).as("fails fast, not after LOAD_TIMEOUT").isLessThan(Duration.ofSeconds(30));
		assertThat(result.err()).contains("ErrImageNeverPull").contains(LOAD_IMG).contains("make load-image");
		assertThat(Scripts.lines(shim.resolve("calls"))).anyMatch(call -> call.contains("delete job herdlab-load"));
	}

	@Test
	void aFailedJobExitsNonZeroAfterPrintingItsLog() throws IOException {
		Files.writeString(shim.resolve("job-status"), "/1");
		Files.writeString(shim.resolve("job-log"), "herd-admin: no replica behind herdlab-management\n");
		Scripts.Result result = load(Map.of());
		assertThat(result.exit()).isEqualTo(1);
		assertThat(result.out()).contains("herd-admin: no replica behind herdlab-management");
		assertThat(result.err()).contains("job/herdlab-load failed");
	}

	@Test
	void aWrongParameterStopsBeforeTouchingTheCluster() {
		Scripts.Result result = load(Map.of("HERD_DIST", "pareto"));
		assertThat(result.exit()).isEqualTo(1);
		assertThat(result.err()).contains("HERD_DIST must be uniform or zipf, not 'pareto'");
		assertThat(Scripts.lines(shim.resolve("calls"))).isEmpty();
	}

	private Scripts.Result load(Map<String, String> parameters) {
		Map<String, String> env = new HashMap<>(parameters);
		env.put("PATH", shim.resolve("bin") + ":" + System.getenv("PATH"));
		env.put("LOAD_IMG", LOAD_IMG);
		env.put("POLL_SECONDS", "1");
		Scripts.Result result = Scripts.run(List.of("k8s/scripts/load.sh"), env, Duration.ofMinutes(2));
		deleteReportLogs(result.out());
		return result;
	}

	/** Objects from every `apply -f -`, in order. */
	private List<HasMetadata> applied() {
		List<HasMetadata> objects = new ArrayList<>();
		try (Stream<Path> files = Files.list(shim)) {
			for (Path file : files.filter(f -> f.getFileName().toString().startsWith("applied-")).sorted().toList()) {
				List<HasMetadata> parsed = KubernetesManifests.parse(Files.readString(file));
				assertThat(parsed).as(file + " is not empty").isNotEmpty();
				objects.addAll(parsed);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return objects;
	}

	private static void deleteReportLogs(String out) {
		out.lines().filter(line -> line.startsWith("load: full log in ")).forEach(line -> {
			try {
				Files.deleteIfExists(Path.of(line.substring("load: full log in ".length()).trim()));
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static VolumeMount mount(Container container, String path) {
		return container.getVolumeMounts().stream().filter(mount -> mount.getMountPath().equals(path)).findFirst()
				.orElseThrow(() -> new AssertionError("nothing mounted at " + path));
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object value) {
		return (Map<String, Object>) value;
	}

}
