package io.herdlab.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

/** The chart under helm/herdlab, rendered by Helm itself (helm-java runs Helm in the JVM). */
final class HelmChart {

	static final Path DIRECTORY = Path.of("helm", "herdlab");

	/** The values `make deploy` adds for kind. */
	static final Path KIND_VALUES = Path.of("k8s", "herdlab-kind-values.yaml");

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

}
