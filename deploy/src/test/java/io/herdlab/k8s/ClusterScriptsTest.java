package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.herdlab.k8s.KubernetesManifests.named;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster scripts and the Makefile's Kubernetes targets, run for real with stand-ins for
 * docker, kind, kubectl, helm and mvn that record every call (ClusterStandIns): each call that
 * can reach a cluster names the kind context, versions are pinned, every build gets its own
 * image tag, and what `make deploy` passes to Helm is rendered by Helm (helm-java) again.
 */
class ClusterScriptsTest {

	static final String LOAD_IMAGE = "herdlab-load:0123456789ab";

	@TempDir
	Path scratch;

	ClusterStandIns standIns;

	@BeforeEach
	void standIns() {
		standIns = new ClusterStandIns(scratch);
	}

	@Test
	void kindUpCreatesThePinnedClusterOnceAndInstallsThePinnedStackInItsContext() throws IOException {
		Scripts.Result first = standIns.run(List.of("k8s/scripts/kind-up.sh"), Map.of());
		assertThat(first.exit()).as(first.both()).isZero();
		List<String> made = standIns.calls();
		assertThat(made).anyMatch(call -> call.startsWith("kind create cluster --name herdlab --config ")
				&& call.contains("/kind-config.yaml"));
		String install = made.stream().filter(call -> call.contains(" upgrade --install ")).findFirst().orElseThrow();
		Map<String, Object> chartValues = KubernetesManifests.documents(Files.readString(HelmChart.DIRECTORY.resolve("values.yaml"))).get(0);
		String release = String.valueOf(((Map<?, ?>) ((Map<?, ?>) chartValues.get("monitoring")).get("labels")).get("release"));
		assertThat(install).startsWith("helm --kube-context kind-herdlab upgrade --install " + release
				+ " prometheus-community/kube-prometheus-stack").containsPattern("--version \\d+\\.\\d+\\.\\d+ ");
		assertOnlyKindContext(made, "kind-herdlab");

		standIns.clusters("other", "herdlab");
		Files.delete(standIns.calls);
		Scripts.Result again = standIns.run(List.of("k8s/scripts/kind-up.sh"), Map.of());
		assertThat(again.exit()).as(again.both()).isZero();
		assertThat(standIns.calls()).noneMatch(call -> call.startsWith("kind create"));
	}

	@Test
	void mitigateUpgradesThePresetKeepingTheReplicaCountInTheKindContext() {
		Scripts.Result result = standIns.run(List.of("k8s/scripts/mitigate.sh"), Map.of("MODE", "lua", "KIND_CLUSTER", "lab2"));
		assertThat(result.exit()).as(result.both()).isZero();
		List<String> made = standIns.calls();
		assertThat(made).anyMatch(call -> call.startsWith("helm --kube-context kind-lab2 upgrade herdlab ")
				&& call.contains("--reuse-values --set mitigation.preset=lua --set replicaCount=4"));
		assertOnlyKindContext(made, "kind-lab2");
	}

	@Test
	void mitigateReturnsOnlyWhenEveryPodRunsTheNewPreset() {
		// Helm 3's --wait is content with replicas - maxUnavailable new pods: the rollout is awaited after it
		Scripts.Result result = standIns.run(List.of("k8s/scripts/mitigate.sh"), Map.of("MODE", "lua"));
		assertThat(result.exit()).as(result.both()).isZero();
		assertThat(standIns.calls()).filteredOn(call -> call.contains(" upgrade ") || call.contains(" rollout status "))
				.extracting(call -> call.split(" ")[0] + " " + (call.contains(" rollout status ") ? "rollout" : "upgrade"))
				.containsExactly("helm upgrade", "kubectl rollout");
		assertThat(standIns.calls()).contains("kubectl --context kind-herdlab -n herdlab rollout status deployment/herdlab --timeout=5m");
	}

	@Test
	void grafanaPrintsTheLoginAndForwardsInTheKindContext() {
		Scripts.Result result = standIns.run(List.of("k8s/scripts/grafana.sh"), Map.of("GRAFANA_PORT", "3901"));
		assertThat(result.exit()).as(result.both()).isZero();
		assertThat(result.out()).contains("http://localhost:3901/d/herdlab-overview   login: admin / pw");
		assertThat(standIns.calls()).last().asString()
				.startsWith("kubectl --context kind-herdlab --namespace monitoring port-forward svc/kube-prometheus-stack-grafana 3901:80");
		assertOnlyKindContext(standIns.calls(), "kind-herdlab");
	}

	@Test
	void makeTargetsNameTheKindContextAndDeployTheBuildsOwnTag() {
		Scripts.Result dryRun = Scripts.run(List.of("make", "-n", "doctor", "kind-up", "deploy", "scale", "mitigate",
				"load", "grafana", "kind-down", "KIND_CLUSTER=lab2", "IMG_TAG=abc123def456-dirty-0badf00d"),
				standIns.env(Map.of()), Duration.ofMinutes(1));
		assertThat(dryRun.exit()).as(dryRun.both()).isZero();
		List<String> commands = dryRun.out().replace("\\\n", " ").lines().map(String::strip).toList();
		assertThat(commands).filteredOn(line -> line.startsWith("kubectl ")).isNotEmpty()
				.allMatch(line -> line.startsWith("kubectl --context kind-lab2 "));
		assertThat(commands).filteredOn(line -> line.startsWith("helm ")).allMatch(line -> line.startsWith("helm --kube-context kind-lab2 "));
		assertThat(commands).filteredOn(line -> line.contains("k8s/scripts/")).hasSize(7)
				.allMatch(line -> line.startsWith("KIND_CLUSTER=lab2 ") || line.contains(" KIND_CLUSTER=lab2 "));
		assertThat(commands).filteredOn(line -> line.startsWith("kind ")).allMatch(line -> line.contains("--name lab2"));
		assertThat(dryRun.out()).contains("-Dimage=herdlab:abc123def456-dirty-0badf00d -Djib.from.platforms=linux/$(docker version --format '{{.Server.Arch}}')")
				.contains("IMG_TAG=abc123def456-dirty-0badf00d")
				.containsPattern("docker build --platform linux/\\$\\(docker version --format '\\{\\{.Server.Arch}}'\\) -f k8s/load/Dockerfile -t herdlab-load:[0-9a-f]{12} artillery")
				.containsPattern("LOAD_IMG=herdlab-load:[0-9a-f]{12} ");
	}

	@Test
	void deployInstallsTheBuildsTagRollsThePodsToItAndNamesOnlyTheKindContext() {
		Scripts.Result deploy = standIns.make("deploy", "KIND_CLUSTER=lab2", "IMG_TAG=abc123def456-dirty-0badf00d", "REPLICAS=4", "MODE=lua");
		assertThat(deploy.exit()).as(deploy.both()).isZero();
		Deployment app = named(installed(), Deployment.class, "herdlab");
		assertThat(HelmChartTest.appContainer(app).getImage()).isEqualTo("herdlab:abc123def456-dirty-0badf00d");
		assertThat(app.getSpec().getReplicas()).isEqualTo(4);
		assertThat(HelmChartTest.env(HelmChartTest.appContainer(app), "HERD_MITIGATION_PRESET").getValue()).isEqualTo("lua");
		assertThat(standIns.calls()).contains("kubectl --context kind-lab2 -n herdlab rollout status deployment/herdlab --timeout=5m");
		assertOnlyKindContext(standIns.calls(), "kind-lab2");
	}

	@Test
	void deployInstallsACommitOfDigitsOnlyAsATagNotANumber() {
		// `--set image.tag=123456789012` would make it an integer, which the schema refuses
		Scripts.Result deploy = standIns.make("deploy", "IMG_TAG=123456789012");
		assertThat(deploy.exit()).as(deploy.both()).isZero();
		assertThat(HelmChartTest.appContainer(named(installed(), Deployment.class, "herdlab")).getImage())
				.isEqualTo("herdlab:123456789012");
	}

	@Test
	void deployUnderHelm4TakesBackTheFieldsKubectlScaleOwns() {
		// Helm 4 applies server-side: after `make scale`, .spec.replicas belongs to kubectl
		standIns.helmVersion("v4.0.1+g1234567");
		Scripts.Result helm4 = standIns.make("deploy", "IMG_TAG=abc123def456");
		assertThat(helm4.exit()).as(helm4.both()).isZero();
		assertThat(standIns.helmInstall()).contains("--server-side=true", "--force-conflicts");
		assertThat(installed()).isNotEmpty();

		standIns.calls.toFile().delete();
		standIns.helmVersion("v3.18.4+gd80839c");
		Scripts.Result helm3 = standIns.make("deploy", "IMG_TAG=abc123def456");
		assertThat(helm3.exit()).as(helm3.both()).isZero();
		assertThat(standIns.helmInstall()).as("Helm 3 knows neither flag").doesNotContain("--server-side=true", "--force-conflicts");
	}

	@Test
	void deployCompilesNoTestAndImagesGoOnlyToTheWorkersLackingThem() {
		standIns.imageOn("herdlab-worker", "herdlab:abc123def456");
		Scripts.Result deploy = standIns.make("deploy", "IMG_TAG=abc123def456");
		assertThat(deploy.exit()).as(deploy.both()).isZero();
		assertThat(standIns.calls()).filteredOn(call -> call.startsWith("mvn ")).singleElement().asString()
				.contains(" -Dmaven.test.skip=true ").contains(" jib:dockerBuild ");
		assertThat(standIns.calls()).filteredOn(call -> call.startsWith("kind load ")).containsExactly(
				"kind load docker-image herdlab:abc123def456 --name herdlab --nodes herdlab-worker2");

		standIns.calls.toFile().delete();
		Scripts.Result load = standIns.make("load-image", "LOAD_IMG=" + LOAD_IMAGE);
		assertThat(load.exit()).as(load.both()).isZero();
		assertThat(standIns.calls()).filteredOn(call -> call.startsWith("kind load ")).containsExactly(
				"kind load docker-image " + LOAD_IMAGE + " --name herdlab --nodes herdlab-worker,herdlab-worker2");

		standIns.calls.toFile().delete();
		standIns.imageOn("herdlab-worker", LOAD_IMAGE).imageOn("herdlab-worker2", LOAD_IMAGE);
		Scripts.Result again = standIns.make("load-image", "LOAD_IMG=" + LOAD_IMAGE);
		assertThat(again.exit()).as(again.both()).isZero();
		assertThat(standIns.calls()).as("on every worker already").noneMatch(call -> call.startsWith("kind load "));
	}

	@Test
	void everyBuildGetsItsOwnImageTag(@TempDir Path repo) throws IOException {
		Path script = copyScripts(repo);
		git(repo, "init", "-q");
		Files.writeString(repo.resolve("App.java"), "class App {}\n");
		git(repo, "add", "-A");
		git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
		String commit = git(repo, "rev-parse", "--short=12", "HEAD").strip();

		assertThat(tag(script, Map.of())).isEqualTo(commit);
		Files.writeString(repo.resolve("App.java"), "class App { int a; }\n");
		String dirty = tag(script, Map.of());
		assertThat(dirty).matches(commit + "-dirty-[0-9a-f]{8}");
		Files.writeString(repo.resolve("App.java"), "class App { int b; }\n");
		String dirtier = tag(script, Map.of());
		assertThat(dirtier).as("another change, another tag").matches(commit + "-dirty-[0-9a-f]{8}").isNotEqualTo(dirty);
		assertThat(tag(script, Map.of())).as("the same tree, the same tag").isEqualTo(dirtier);
		Files.writeString(repo.resolve("New.java"), "class New {}\n");
		assertThat(tag(script, Map.of())).as("an untracked file counts").isNotEqualTo(dirtier);
	}

	@Test
	void imageTagsNeedNoSha256sum(@TempDir Path repo) throws IOException {
		// macOS 13 and older have shasum only: a PATH with what make and the scripts run, but no sha256sum
		Path bin = Files.createDirectories(scratch.resolve("macos-bin"));
		for (String tool : List.of("make", "bash", "env", "cat", "cut", "git", "xargs", "date", "dirname", "shasum", "perl")) {
			Files.createSymbolicLink(bin.resolve(tool), Path.of(Scripts.onPath(tool, ScriptLintTest.INSTALL)));
		}
		Map<String, String> macos = Map.of("PATH", bin.toString());
		Scripts.Result dryRun = Scripts.run(List.of("make", "-n", "load-image"), macos, Duration.ofMinutes(1));
		assertThat(dryRun.exit()).as(dryRun.both()).isZero();
		assertThat(dryRun.out()).containsPattern("-t herdlab-load:[0-9a-f]{12} artillery");

		Path script = copyScripts(repo);
		git(repo, "init", "-q");
		Files.writeString(repo.resolve("App.java"), "class App {}\n");
		git(repo, "add", "-A");
		git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
		Files.writeString(repo.resolve("App.java"), "class App { int a; }\n");
		String commit = git(repo, "rev-parse", "--short=12", "HEAD").strip();
		assertThat(tag(script, macos)).matches(commit + "-dirty-[0-9a-f]{8}").isEqualTo(tag(script, Map.of()));
	}

	@Test
	void scriptsKeepLfLineEndsInAWindowsCheckout(@TempDir Path repo) throws IOException {
		List<String> files = List.of("Makefile", "k8s/scripts/load.sh", "k8s/scripts/deploy.sh", "scripts/install-test-tools.sh",
				"k8s/load/job.yaml", "helm/herdlab/templates/_helpers.tpl", "kind-config.yaml");
		Path root = RepositoryRoot.path();
		Files.copy(root.resolve(".gitattributes"), repo.resolve(".gitattributes"));
		for (String file : files) {
			Files.createDirectories(repo.resolve(file).getParent());
			Files.copy(root.resolve(file), repo.resolve(file));
		}
		git(repo, "init", "-q");
		git(repo, "add", "-A");
		git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
		for (String file : files) {
			Files.delete(repo.resolve(file));
		}
		// what a Windows clone does: core.autocrlf=true writes CRLF unless .gitattributes says otherwise
		git(repo, "-c", "core.autocrlf=true", "checkout", "--", ".");
		for (String file : files) {
			assertThat(Files.readString(repo.resolve(file))).as(file).isNotEmpty().doesNotContain("\r");
		}
	}

	/** The objects the recorded `helm upgrade --install` installs, rendered by Helm. */
	private List<HasMetadata> installed() {
		return KubernetesManifests.parse(HelmChart.templateAsInstalled(standIns.helmInstall()));
	}

	static void assertOnlyKindContext(List<String> made, String context) {
		assertThat(made).filteredOn(call -> call.startsWith("kubectl ")).allMatch(call -> call.startsWith("kubectl --context " + context + " "));
		assertThat(made).filteredOn(call -> call.startsWith("helm ") && !call.startsWith("helm version"))
				.allMatch(call -> call.startsWith("helm --kube-context " + context + " "));
	}

	/** k8s/scripts/image-tag.sh and what it runs, in a scratch repository; returns the script. */
	private static Path copyScripts(Path repo) throws IOException {
		Path script = Scripts.executable(repo.resolve("k8s/scripts/image-tag.sh"),
				Files.readString(RepositoryRoot.path("k8s/scripts/image-tag.sh")));
		Scripts.executable(repo.resolve("k8s/scripts/sha256.sh"), Files.readString(RepositoryRoot.path("k8s/scripts/sha256.sh")));
		return script;
	}

	private static String tag(Path script, Map<String, String> env) {
		Scripts.Result result = Scripts.run(List.of(script.toString()), env, Duration.ofSeconds(30));
		assertThat(result.exit()).as(result.both()).isZero();
		return result.out().strip();
	}

	private static String git(Path repo, String... args) {
		List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
		command.addAll(List.of(args));
		Scripts.Result result = Scripts.run(command, Map.of(), Duration.ofSeconds(30));
		assertThat(result.exit()).as(result.both()).isZero();
		return result.out();
	}

}
