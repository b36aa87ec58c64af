package io.herdlab.k8s;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.herdlab.RepositoryRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/scripts/doctor.sh (`make doctor`) on machines put together from stand-in tools: a PATH
 * holding only the tools each case gives it, fake inotify limits, ports the test holds.
 */
class DoctorScriptTest {

	static final long GIB = 1L << 30;

	static final long MIB = 1L << 20;

	@TempDir
	Path machine;

	Path bin;

	@BeforeEach
	void basicUtilities() throws IOException {
		bin = Files.createDirectories(machine.resolve("bin"));
		for (String utility : List.of("bash", "awk", "uname", "grep")) {
			Files.createSymbolicLink(bin.resolve(utility), Path.of(Scripts.onPath(utility, "a basic utility")));
		}
		inotify(524288, 512);
	}

	@Test
	void aMachineWithoutDockerKindAndHelmGetsEachFixAndExitsNonZero() throws IOException {
		give("java", "echo 'openjdk version \"17.0.15\" 2025-04-15' >&2");
		give("mvn", "echo 'Apache Maven 3.8.7'");
		give("kubectl", "echo 'Client Version: v1.32.4'");

		Scripts.Result result = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(result.exit()).isEqualTo(1);
		assertThat(result.out()).contains("FAIL  docker     not installed", "fix: install Docker Desktop",
				"FAIL  kind       not installed", "fix: install kind v0.33.0", "FAIL  helm       not installed",
				"fix: install Helm 3.7 or newer, or Helm 4", "ok    kubectl    Client Version: v1.32.4", "ok    java       JDK 17.0.15",
				"ok    mvn        Apache Maven 3.8.7");
		assertThat(result.out().lines().filter(line -> line.startsWith("FAIL")).toList()).hasSize(3);
		assertThat(result.out()).endsWith("doctor: 3 problem(s) to fix first: docker kind helm\n");
	}

	@Test
	void aDaemonThatDoesNotAnswerOrHasTooLittleMemoryFails() throws IOException {
		everyToolPresent(16 * GIB);
		give("docker", "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");
		Scripts.Result down = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(down.exit()).isEqualTo(1);
		assertThat(down.out()).contains("FAIL  docker     installed, but its daemon does not answer: Cannot connect")
				.contains("fix: start Docker Desktop").endsWith("to fix first: docker\n");

		everyToolPresent(4 * GIB);
		Scripts.Result small = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(small.exit()).isEqualTo(1);
		assertThat(small.out()).contains("FAIL  docker     the daemon has 4.0 GiB of memory; the cluster needs 9 GiB for 3 replicas (11 GiB for 5)")
				.contains("Settings > Resources > Memory");
	}

	@Test
	void aVmGivenTheRecommendedMemoryPassesThoughItReportsALittleLess() throws IOException {
		// the figure doctor asks for, from what it says to a machine with too little
		everyToolPresent(GIB);
		Matcher needs = Pattern.compile("needs (\\d+) GiB").matcher(doctor(Map.of("HOST_PORTS", String.valueOf(freePort()))).out());
		assertThat(needs.find()).isTrue();
		long recommended = Long.parseLong(needs.group(1)) * GIB;
		// a Docker Desktop VM given that much reports MemTotal a few hundred MiB short of it
		everyToolPresent(recommended - 250 * MIB);
		Scripts.Result result = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(result.out()).doesNotContain("FAIL  docker");
	}

	@Test
	void kindAndHelmMustBeRecentEnoughAndHelm4IsRecognised() throws IOException {
		everyToolPresent(16 * GIB);
		give("kind", "echo 'kind v0.28.0 go1.24.2 linux/arm64'");
		give("helm", "echo 'v3.6.3+gd506314'");
		Scripts.Result old = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(old.exit()).isEqualTo(1);
		assertThat(old.out()).contains("FAIL  kind       v0.28.0 is older than v0.33.0", "fix: install kind v0.33.0 or newer",
				"FAIL  helm       v3.6.3 is older than v3.7.0").endsWith("to fix first: kind helm\n");

		give("kind", "echo 'kind v0.33.0 go1.25.1 linux/arm64'");
		give("helm", "echo 'v4.0.1+g1234567'");
		Scripts.Result current = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(current.exit()).as(current.out()).isZero();
		assertThat(current.out()).contains("ok    kind       kind v0.33.0")
				.contains("ok    helm       v4.0.1+g1234567 (Helm 4: make deploy applies server-side");
	}

	@Test
	void theDocumentedReplicaCountsFitTheMemoryDoctorAsksFor() throws IOException {
		ReleaseMemory three = ReleaseMemory.at(3);
		ReleaseMemory five = ReleaseMemory.at(5);
		long enough = lowestMemory(false);
		long comfortable = lowestMemory(true);
		System.out.printf("memory (MiB): 3 replicas need %s; 5 replicas need %s; make doctor passes from %d MiB and is"
				+ " content (no warning) from %d MiB%n", three, five, enough / MIB, comfortable / MIB);
		assertThat(enough / MIB).as("doctor's minimum against " + three).isGreaterThanOrEqualTo(three.limitsMib() + ReleaseMemory.HEADROOM_MIB);
		assertThat(comfortable / MIB).as("doctor's comfortable figure against " + five)
				.isGreaterThanOrEqualTo(five.limitsMib() + ReleaseMemory.HEADROOM_MIB);
		assertThat(three.requestsMib()).isLessThan(three.limitsMib());
	}

	/** The least MemTotal (to the MiB) doctor does not fail on, or, {@code orWarn}, does not warn about either. */
	private long lowestMemory(boolean orWarn) throws IOException {
		long low = MIB;
		long high = 64 * GIB;
		while (high - low > MIB) {
			long middle = (low + high) / 2 / MIB * MIB;
			everyToolPresent(middle);
			String out = doctor(Map.of("HOST_PORTS", String.valueOf(freePort()))).out();
			if (out.contains("FAIL  docker") || orWarn && out.contains("warn  docker")) {
				low = middle;
			}
			else {
				high = middle;
			}
		}
		return high;
	}

	@Test
	void aReadyArmMachinePassesAndWarnsOnlyAboutLowInotifyLimits() throws IOException {
		everyToolPresent(16 * GIB);
		inotify(8192, 128);
		Scripts.Result result = doctor(Map.of("HOST_PORTS", String.valueOf(freePort())));
		assertThat(result.exit()).as(result.out()).isZero();
		assertThat(result.out()).contains("ok    docker     daemon answering, 16.0 GiB of memory (5 replicas fit), arm64")
				.contains("ok    arch       ").contains("Docker arm64")
				.contains("warn  inotify    max_user_watches=8192, max_user_instances=128")
				.contains("fix: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512")
				.contains("ok    context    kind-herdlab (make targets never use another context)")
				.endsWith("doctor: ready for make kind-up deploy load\n");
	}

	@Test
	void aBusyHostPortFailsWithWhatToDo() throws IOException {
		everyToolPresent(16 * GIB);
		Files.writeString(machine.resolve("clusters"), "");
		try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Scripts.Result result = doctor(Map.of("HOST_PORTS", String.valueOf(busy.getLocalPort())));
			assertThat(result.exit()).isEqualTo(1);
			assertThat(result.out()).contains("FAIL  port       127.0.0.1:" + busy.getLocalPort() + " is in use")
					.contains("ok    context    kind-herdlab does not exist yet: make kind-up creates it")
					.endsWith("to fix first: port\n");
		}
	}

	/** A machine with every tool, Docker reporting {@code dockerMemory} bytes of MemTotal. */
	private void everyToolPresent(long dockerMemory) throws IOException {
		give("docker", """
				case "$*" in
				  "version --format {{.Server.Arch}}") echo arm64 ;;
				  "info --format {{.MemTotal}}") echo %d ;;
				  *) exit 2 ;;
				esac""".formatted(dockerMemory + 12345));
		give("kind", """
				case "$1" in
				  version) echo 'kind v0.33.0 go1.25.1 linux/arm64' ;;
				  get) if [ -f "%1$s/clusters" ]; then echo "$(<"%1$s/clusters")"; else echo herdlab; fi ;;
				esac""".formatted(machine));
		give("kubectl", """
				case "$*" in
				  "version --client") echo 'Client Version: v1.33.1' ;;
				  "config get-contexts -o name") printf 'other\\nkind-herdlab\\n' ;;
				esac""");
		give("helm", "echo 'v3.18.4+gd80839c'");
		give("java", "echo 'openjdk version \"21.0.7\" 2025-04-15' >&2");
		give("mvn", "echo 'Apache Maven 3.9.9'");
	}

	private void give(String tool, String body) {
		Scripts.executable(bin.resolve(tool), "#!/usr/bin/env bash\n" + body + "\n");
	}

	private void inotify(int watches, int instances) throws IOException {
		Path limits = Files.createDirectories(machine.resolve("proc/fs/inotify"));
		Files.writeString(limits.resolve("max_user_watches"), watches + "\n");
		Files.writeString(limits.resolve("max_user_instances"), instances + "\n");
	}

	private Scripts.Result doctor(Map<String, String> env) {
		Map<String, String> all = new HashMap<>(env);
		all.put("PATH", bin.toString());
		all.put("PROC_SYS", machine.resolve("proc").toString());
		return Scripts.run(List.of(RepositoryRoot.path("k8s/scripts/doctor.sh").toString()), all, Duration.ofSeconds(30));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
