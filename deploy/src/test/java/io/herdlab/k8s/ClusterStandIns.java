package io.herdlab.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stand-ins for docker, kind, kubectl, helm and mvn in a scratch bin/, first on PATH: each
 * records its call (tool and arguments, one line) and answers the few questions the cluster
 * scripts ask: the clusters and nodes kind has, which image a node holds, the Helm version,
 * the live replica count (4), Grafana's login. Nothing reaches Docker, a cluster or Maven.
 */
final class ClusterStandIns {

	final Path dir;

	final Path calls;

	ClusterStandIns(Path dir) {
		this.dir = dir;
		this.calls = dir.resolve("calls");
		String body = """
				#!/usr/bin/env bash
				name=$(basename "$0")
				printf '%%s %%s\\n' "$name" "$*" >> "%1$s"
				case "$name $*" in
				  "kind get clusters"*) cat "%2$s/clusters" 2>/dev/null || true ;;
				  "kind get nodes --name "*) printf '%%s\\n' "$4-control-plane" "$4-worker" "$4-worker2" ;;
				  "docker exec "*" crictl inspecti -q "*) grep -qxF "$6" "%2$s/images-on-$2" 2>/dev/null ;;
				  "helm version"*) cat "%2$s/helm-version" 2>/dev/null || echo v3.18.4+gd80839c ;;
				  *" get deployment "*) echo 4 ;;
				  *admin-password*) printf 'cHc=' ;;
				  *admin-user*) printf 'YWRtaW4=' ;;
				esac
				""".formatted(calls, dir);
		for (String tool : List.of("docker", "kind", "kubectl", "helm", "mvn")) {
			Scripts.executable(dir.resolve("bin").resolve(tool), body);
		}
	}

	/** What `helm version --short` prints from now on. */
	ClusterStandIns helmVersion(String version) {
		write("helm-version", version + "\n");
		return this;
	}

	/** The kind clusters that exist from now on. */
	ClusterStandIns clusters(String... names) {
		write("clusters", String.join("\n", names) + "\n");
		return this;
	}

	/** A kind node's containerd holds the image from now on. */
	ClusterStandIns imageOn(String node, String image) {
		write("images-on-" + node, image + "\n");
		return this;
	}

	/** PATH with the stand-ins first, plus {@code env}. */
	Map<String, String> env(Map<String, String> env) {
		Map<String, String> all = new HashMap<>(env);
		all.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
		return all;
	}

	/** Runs {@code command} (a script or make) in the repository root with the stand-ins. */
	Scripts.Result run(List<String> command, Map<String, String> env) {
		return Scripts.run(command, env(env), Duration.ofMinutes(1));
	}

	/** `make <args>` for real (not -n), with the stand-ins. */
	Scripts.Result make(String... args) {
		List<String> command = new ArrayList<>(List.of("make", "--no-print-directory"));
		command.addAll(Arrays.asList(args));
		return run(command, Map.of());
	}

	List<String> calls() {
		return Scripts.lines(calls);
	}

	/** The arguments of the one `helm ... upgrade --install` call, after "helm". */
	List<String> helmInstall() {
		List<String> installs = calls().stream().filter(call -> call.startsWith("helm ") && call.contains(" upgrade --install "))
				.toList();
		if (installs.size() != 1) {
			throw new AssertionError("expected one helm upgrade --install, got " + installs);
		}
		return List.of(installs.get(0).substring("helm ".length()).split(" "));
	}

	private void write(String file, String content) {
		try {
			Files.writeString(dir.resolve(file), content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
