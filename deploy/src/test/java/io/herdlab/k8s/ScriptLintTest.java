package io.herdlab.k8s;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster scripts and scripts/*.sh pass shellcheck, the plain YAML passes yamllint, and the kind workflow
 * passes action-validator (GitHub's workflow schema): the workflow cannot run here, so this
 * is its check. scripts/install-test-tools.sh installs the three.
 */
class ScriptLintTest {

	static final String INSTALL = "run scripts/install-test-tools.sh";

	static final String YAMLLINT_CONFIG = "{extends: default, rules: {line-length: {max: 140}, document-start: disable,"
			+ " truthy: {check-keys: false}}}";

	@Test
	void shellScriptsPassShellcheck() throws IOException {
		List<String> command = new ArrayList<>(List.of(Scripts.onPath("shellcheck", INSTALL), "--severity=style"));
		List<String> scripts = files(Path.of("k8s", "scripts"), ".sh");
		assertThat(scripts).contains("k8s/scripts/load.sh", "k8s/scripts/doctor.sh", "k8s/scripts/kind-up.sh");
		command.addAll(scripts);
		List<String> tools = files(Path.of("scripts"), ".sh");
		assertThat(tools).contains("scripts/bench.sh", "scripts/hot-key-burst.sh", "scripts/install-test-tools.sh");
		command.addAll(tools);
		Scripts.Result result = Scripts.run(command, Map.of(), Duration.ofMinutes(1));
		assertThat(result.exit()).as(result.both()).isZero();
	}

	@Test
	void yamlFilesPassYamllint() throws IOException {
		List<String> command = new ArrayList<>(List.of(Scripts.onPath("yamllint", INSTALL), "--strict", "-d", YAMLLINT_CONFIG));
		command.addAll(List.of("kind-config.yaml", ".github/workflows/kind.yml"));
		command.addAll(files(Path.of("k8s"), ".yaml"));
		Scripts.Result result = Scripts.run(command, Map.of(), Duration.ofMinutes(1));
		assertThat(result.exit()).as(result.both()).isZero();
	}

	@Test
	void kindWorkflowPassesActionValidatorAndRunsTheIssuesSteps() throws IOException {
		Path workflow = Path.of(".github", "workflows", "kind.yml");
		Scripts.Result result = Scripts.run(List.of(Scripts.onPath("action-validator", INSTALL), workflow.toString()),
				Map.of(), Duration.ofMinutes(1));
		assertThat(result.exit()).as(result.both()).isZero();

		Map<String, Object> parsed = KubernetesManifests.documents(Files.readString(RepositoryRoot.path().resolve(workflow))).get(0);
		Map<?, ?> jobs = (Map<?, ?>) parsed.get("jobs");
		List<String> runs = new ArrayList<>();
		for (Object job : jobs.values()) {
			for (Object step : (List<?>) ((Map<?, ?>) job).get("steps")) {
				Object run = ((Map<?, ?>) step).get("run");
				if (run != null) {
					runs.add(run.toString().strip());
				}
			}
		}
		assertThat(runs).containsSubsequence(List.of("make doctor", "make kind-up", "make deploy REPLICAS=3 MODE=$MODE"));
		// --logs: the chart keeps the test pod after it succeeds (HelmChartTest), so its log is there
		assertThat(runs).anyMatch(run -> run.startsWith("helm --kube-context kind-$KIND_CLUSTER test herdlab") && run.contains(" --logs"));
		assertThat(runs).anyMatch(run -> run.startsWith("make load LOAD_ENV=quick"));
		assertThat(runs).anyMatch(run -> run.contains("duplicate queries") && run.contains("exit 1"));
		assertThat(((Map<?, ?>) ((Map<?, ?>) jobs.values().iterator().next()).get("env")).get("MODE")).isEqualTo("lua");
	}

	private static List<String> files(Path directory, String suffix) throws IOException {
		Path root = RepositoryRoot.path();
		try (Stream<Path> files = Files.walk(root.resolve(directory))) {
			return files.filter(file -> file.toString().endsWith(suffix)).map(file -> root.relativize(file).toString())
					.sorted().toList();
		}
	}

}
