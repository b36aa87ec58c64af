package io.herdlab.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.herdlab.RepositoryRoot;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** The chart under helm/herdlab, rendered by Helm itself (helm-java runs Helm in the JVM). */
final class HelmChart {

	static final Path DIRECTORY = RepositoryRoot.path("helm", "herdlab");

	/** The values `make deploy` adds for kind. */
	static final Path KIND_VALUES = RepositoryRoot.path("k8s", "herdlab-kind-values.yaml");

	/** The release name `make deploy` uses; the load Job's URLs are built from it. */
	static final String RELEASE = "herdlab";

	static final String NAMESPACE = "herdlab";

	private HelmChart() {
	}

	static Helm helm() {
		if (!Files.isDirectory(DIRECTORY)) {
			throw new IllegalStateException("run from the repository root: no " + DIRECTORY.toAbsolutePath());
		}
		return new Helm(DIRECTORY);
	}

	/** `helm template herdlab helm/herdlab -n herdlab --set k=v ...`. */
	static String template(Map<String, ?> values) {
		return template(null, values);
	}

	/** `helm template herdlab helm/herdlab -n herdlab [-f valuesFile] --set k=v ...`. */
	static String template(Path valuesFile, Map<String, ?> values) {
		FakeKubernetesApi.ensureRunning();
		TemplateCommand command = helm().template().withName(RELEASE).withNamespace(NAMESPACE);
		if (valuesFile != null) {
			command.withValuesFile(valuesFile);
		}
		values.forEach(command::set);
		return command.call();
	}

	/**
	 * The chart as a recorded `helm [--kube-context c] upgrade --install <release> <chart> <flags>`
	 * would install it ({@code helmArgs}: what followed "helm"), rendered by helm-java with the
	 * same release name, namespace, values files and --set values. helm-java has no --set-string:
	 * each becomes a values file holding the string. Flags that change nothing in the render are
	 * skipped; any other fails, so a new flag is looked at.
	 */
	static String templateAsInstalled(List<String> helmArgs) {
		int install = helmArgs.indexOf("--install");
		if (install < 0 || !helmArgs.get(install - 1).equals("upgrade")) {
			throw new AssertionError("not a helm upgrade --install: " + helmArgs);
		}
		Path chart = RepositoryRoot.path().resolve(helmArgs.get(install + 2)).normalize();
		if (!chart.equals(DIRECTORY.toAbsolutePath().normalize())) {
			throw new AssertionError("installs " + chart + ", not " + DIRECTORY);
		}
		FakeKubernetesApi.ensureRunning();
		TemplateCommand command = helm().template().withName(helmArgs.get(install + 1));
		List<Path> scratch = new java.util.ArrayList<>();
		try {
			for (int i = install + 3; i < helmArgs.size(); i++) {
				String flag = helmArgs.get(i);
				switch (flag) {
					case "--namespace" -> command.withNamespace(helmArgs.get(++i));
					case "--values" -> command.withValuesFile(RepositoryRoot.path().resolve(helmArgs.get(++i)));
					case "--set" -> {
						String[] keyValue = helmArgs.get(++i).split("=", 2);
						command.set(keyValue[0], keyValue[1]);
					}
					case "--set-string" -> {
						String[] keyValue = helmArgs.get(++i).split("=", 2);
						Map<String, Object> values = new LinkedHashMap<>();
						Map<String, Object> at = values;
						List<String> path = List.of(keyValue[0].split("\\."));
						for (String part : path.subList(0, path.size() - 1)) {
							at = child(at, part);
						}
						at.put(path.get(path.size() - 1), keyValue[1]);
						Path file = Files.createTempFile("herdlab-set-string", ".yaml");
						scratch.add(file);
						Files.writeString(file, new Yaml().dump(values));
						command.withValuesFile(file);
					}
					case "--timeout" -> i++;
					case "--create-namespace", "--wait", "--server-side=true", "--force-conflicts" -> {
					}
					default -> throw new AssertionError("a flag the replay does not know: " + flag + " in " + helmArgs);
				}
			}
			return command.call();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			scratch.forEach(file -> file.toFile().delete());
		}
	}

	/**
	 * The chart's hooks (the `helm test` pod), rendered: helm-java's template leaves hooks out,
	 * so this renders a copy of the chart in which the hook annotation is renamed
	 * (helm.sh/hook → herdlab.test/hook), which makes the hooks plain objects of the manifest;
	 * every other annotation stays. Returns the objects of templates/tests/.
	 */
	static String templateHooks(Map<String, ?> values, Path scratch) {
		Path copy = copy(scratch);
		try (Stream<Path> files = Files.walk(copy.resolve("templates"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.writeString(file, Files.readString(file).replace("helm.sh/hook:", "herdlab.test/hook:"));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		FakeKubernetesApi.ensureRunning();
		TemplateCommand command = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
		values.forEach(command::set);
		String rendered = command.call();
		return java.util.Arrays.stream(rendered.split("(?m)^---$"))
				.filter(document -> document.contains("# Source: herdlab/templates/tests/"))
				.collect(java.util.stream.Collectors.joining("\n---\n"));
	}

	/** A copy of the chart under {@code scratch}, symlinks followed (as helm packages it). */
	static Path copy(Path scratch) {
		try {
			Path copy = scratch.resolve("herdlab");
			try (Stream<Path> files = Files.walk(DIRECTORY, FileVisitOption.FOLLOW_LINKS)) {
				for (Path file : files.toList()) {
					Path target = copy.resolve(DIRECTORY.relativize(file).toString());
					if (Files.isDirectory(file)) {
						Files.createDirectories(target);
					}
					else {
						Files.copy(file, target);
					}
				}
			}
			return copy;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * `helm lint --strict` of the chart with {@code valuesFile} (may be null) and {@code values}
	 * ("a.b" keys) merged into its values.yaml: helm-java's lint takes no values, so it lints a
	 * copy of the chart whose values.yaml is the merge.
	 */
	static LintResult lint(Path valuesFile, Map<String, Object> values, Path scratch) {
		try {
			Path copy = copy(scratch);
			Map<String, Object> merged = yamlMap(Files.readString(DIRECTORY.resolve("values.yaml")));
			if (valuesFile != null) {
				deepMerge(merged, yamlMap(Files.readString(valuesFile)));
			}
			values.forEach((key, value) -> {
				Map<String, Object> at = merged;
				List<String> path = List.of(key.split("\\."));
				for (String part : path.subList(0, path.size() - 1)) {
					at = child(at, part);
				}
				at.put(path.get(path.size() - 1), value);
			});
			DumperOptions options = new DumperOptions();
			options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
			Files.writeString(copy.resolve("values.yaml"), new Yaml(options).dump(merged));
			return new Helm(copy).lint().strict().call();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> yamlMap(String yaml) {
		Map<String, Object> map = (Map<String, Object>) new Yaml().load(yaml);
		return map == null ? new LinkedHashMap<>() : map;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> child(Map<String, Object> map, String key) {
		return (Map<String, Object>) map.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
	}

	@SuppressWarnings("unchecked")
	private static void deepMerge(Map<String, Object> into, Map<String, Object> from) {
		from.forEach((key, value) -> {
			if (value instanceof Map<?, ?> nested && into.get(key) instanceof Map<?, ?>) {
				deepMerge(child(into, key), (Map<String, Object>) nested);
			}
			else {
				into.put(key, value);
			}
		});
	}

}
