package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster scripts and the Makefile's Kubernetes targets, run for real with stand-ins for
 * docker, kind, kubectl and helm that record every call: each call that can reach a cluster
 * names the kind context, versions are pinned, and every build gets its own image tag.
 */
class ClusterScriptsTest {

	@TempDir
	Path stubs;

	Path calls;

	@BeforeEach
	void standIns() {
		calls = stubs.resolve("calls");
		String body = """
				#!/usr/bin/env bash
				name=$(basename "$0")
				printf '%%s %%s\\n' "$name" "$*" >> "%s"
				case "$name $*" in
				  "kind get clusters"*) cat "%s/clusters" 2>/dev/null || true ;;
				  *" get deployment "*) echo 4 ;;
				  *admin-password*) printf 'cHc=' ;;
				  *admin-user*) printf 'YWRtaW4=' ;;
				esac
				""".formatted(calls, stubs);
		for (String tool : List.of("docker", "kind", "kubectl", "helm")) {
			Scripts.executable(stubs.resolve("bin").resolve(tool), body);
		}
	}

	@Test
	void kindUpCreatesThePinnedClusterOnceAndInstallsThePinnedStackInItsContext() throws IOException {
		Scripts.Result first = script("k8s/scripts/kind-up.sh", Map.of());
		assertThat(first.exit()).as(first.both()).isZero();
		List<String> made = Scripts.lines(calls);
		assertThat(made).anyMatch(call -> call.startsWith("kind create cluster --name herdlab --config ")
				&& call.contains("/kind-config.yaml"));
		String install = made.stream().filter(call -> call.contains(" upgrade --install ")).findFirst().orElseThrow();
		Map<String, Object> chartValues = KubernetesManifests.documents(Files.readString(HelmChart.DIRECTORY.resolve("values.yaml"))).get(0);
		String release = String.valueOf(((Map<?, ?>) ((Map<?, ?>) chartValues.get("monitoring")).get("labels")).get("release"));
		assertThat(install).startsWith("helm --kube-context kind-herdlab upgrade --install " + release
				+ " prometheus-community/kube-prometheus-stack").containsPattern("--version \\d+\\.\\d+\\.\\d+ ");
		assertOnlyKindContext(made, "kind-herdlab");

		Files.writeString(stubs.resolve("clusters"), "other\nherdlab\n");
		Files.delete(calls);
		Scripts.Result again = script("k8s/scripts/kind-up.sh", Map.of());
		assertThat(again.exit()).as(again.both()).isZero();
		assertThat(Scripts.lines(calls)).noneMatch(call -> call.startsWith("kind create"));
	}

	@Test
	void mitigateUpgradesThePresetKeepingTheReplicaCountInTheKindContext() {
		Scripts.Result result = script("k8s/scripts/mitigate.sh", Map.of("MODE", "lua", "KIND_CLUSTER", "lab2"));
		assertThat(result.exit()).as(result.both()).isZero();
		List<String> made = Scripts.lines(calls);
		assertThat(made).anyMatch(call -> call.startsWith("helm --kube-context kind-lab2 upgrade herdlab ")
				&& call.contains("--reuse-values --set mitigation.preset=lua --set replicaCount=4"));
		assertOnlyKindContext(made, "kind-lab2");
	}

	@Test
	void grafanaPrintsTheLoginAndForwardsInTheKindContext() {
		Scripts.Result result = script("k8s/scripts/grafana.sh", Map.of("GRAFANA_PORT", "3901"));
		assertThat(result.exit()).as(result.both()).isZero();
		assertThat(result.out()).contains("http://localhost:3901/d/herdlab-overview   login: admin / pw");
		assertThat(Scripts.lines(calls)).last().asString()
				.startsWith("kubectl --context kind-herdlab --namespace monitoring port-forward svc/kube-prometheus-stack-grafana 3901:80");
		assertOnlyKindContext(Scripts.lines(calls), "kind-herdlab");
	}

	@Test
	void makeTargetsNameTheKindContextAndDeployTheBuildsOwnTag() {
		Scripts.Result dryRun = Scripts.run(List.of("make", "-n", "doctor", "kind-up", "deploy", "scale", "mitigate",
				"load", "grafana", "kind-down", "KIND_CLUSTER=lab2", "IMG_TAG=abc123def456-dirty-0badf00d"),
				Map.of("PATH", stubs.resolve("bin") + ":" + System.getenv("PATH")), Duration.ofMinutes(1));
		assertThat(dryRun.exit()).as(dryRun.both()).isZero();
		List<String> commands = dryRun.out().replace("\\\n", " ").lines().map(String::strip).toList();
		assertThat(commands).filteredOn(line -> line.startsWith("kubectl ")).isNotEmpty()
				.allMatch(line -> line.startsWith("kubectl --context kind-lab2 "));
		assertThat(commands).filteredOn(line -> line.startsWith("helm ")).isNotEmpty()
				.allMatch(line -> line.startsWith("helm --kube-context kind-lab2 "));
		assertThat(commands).filteredOn(line -> line.contains("k8s/scripts/")).hasSize(5)
				.allMatch(line -> line.startsWith("KIND_CLUSTER=lab2 ") || line.contains(" KIND_CLUSTER=lab2 "));
		assertThat(commands).filteredOn(line -> line.startsWith("kind ")).allMatch(line -> line.contains("--name lab2"));
		assertThat(dryRun.out()).contains("-Dimage=herdlab:abc123def456-dirty-0badf00d -Djib.from.platforms=linux/$(docker version --format '{{.Server.Arch}}')")
				.contains("kind load docker-image herdlab:abc123def456-dirty-0badf00d --name lab2")
				.contains("--set image.repository=herdlab --set image.tag=abc123def456-dirty-0badf00d")
				.contains("rollout status deployment/herdlab")
				.containsPattern("docker build --platform linux/\\$\\(docker version --format '\\{\\{.Server.Arch}}'\\) -f k8s/load/Dockerfile -t herdlab-load:[0-9a-f]{12} artillery")
				.containsPattern("LOAD_IMG=herdlab-load:[0-9a-f]{12} ");
	}

	@Test
	void everyBuildGetsItsOwnImageTag(@TempDir Path repo) throws IOException {
		Path script = Scripts.executable(repo.resolve("k8s/scripts/image-tag.sh"),
				Files.readString(RepositoryRoot.path("k8s/scripts/image-tag.sh")));
		git(repo, "init", "-q");
		Files.writeString(repo.resolve("App.java"), "class App {}\n");
		git(repo, "add", "-A");
		git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one");
		String commit = git(repo, "rev-parse", "--short=12", "HEAD").strip();

		assertThat(tag(script)).isEqualTo(commit);
		Files.writeString(repo.resolve("App.java"), "class App { int a; }\n");
		String dirty = tag(script);
		assertThat(dirty).matches(commit + "-dirty-[0-9a-f]{8}");
		Files.writeString(repo.resolve("App.java"), "class App { int b; }\n");
		String dirtier = tag(script);
		assertThat(dirtier).as("another change, another tag").matches(commit + "-dirty-[0-9a-f]{8}").isNotEqualTo(dirty);
		assertThat(tag(script)).as("the same tree, the same tag").isEqualTo(dirtier);
		Files.writeString(repo.resolve("New.java"), "class New {}\n");
		assertThat(tag(script)).as("an untracked file counts").isNotEqualTo(dirtier);
	}

	private Scripts.Result script(String script, Map<String, String> env) {
		Map<String, String> all = new HashMap<>(env);
		all.put("PATH", stubs.resolve("bin") + ":" + System.getenv("PATH"));
		return Scripts.run(List.of(script), all, Duration.ofMinutes(1));
	}

	private static void assertOnlyKindContext(List<String> made, String context) {
		assertThat(made).filteredOn(call -> call.startsWith("kubectl ")).allMatch(call -> call.startsWith("kubectl --context " + context + " "));
		assertThat(made).filteredOn(call -> call.startsWith("helm "))
				.allMatch(call -> call.startsWith("helm --kube-context " + context + " "));
	}

	private static String tag(Path script) {
		Scripts.Result result = Scripts.run(List.of(script.toString()), Map.of(), Duration.ofSeconds(30));
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
