package io.herdlab.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.herdlab.RepositoryRoot;

/**
 * The memory the kind cluster needs at a replica count, in MiB: the release as `make deploy`
 * renders it (Helm, with the kind values) at that count, the load Job (k8s/load/job.yaml),
 * Prometheus at the limit k8s/kube-prometheus-stack-values.yaml gives it, and an estimate for
 * the rest of kube-prometheus-stack and kind's control plane, which are not rendered here.
 * A pod counts as its init containers or its containers, whichever is more (Kubernetes' rule).
 */
record ReleaseMemory(int replicas, long releaseRequestsMib, long releaseLimitsMib, long loadJobLimitMib,
		long prometheusLimitMib) {

	/**
	 * Grafana and its two sidecars, the Prometheus Operator, kube-state-metrics, three
	 * node-exporters; kind's API server, etcd, controller manager, scheduler, CoreDNS, kindnet
	 * and kube-proxy, and three nodes' kubelet and containerd. Not measured here: no cluster.
	 */
	static final long STACK_AND_CONTROL_PLANE_MIB = 1536;

	/** What the documented Docker memory must leave free beyond every limit. */
	static final long HEADROOM_MIB = 512;

	static ReleaseMemory at(int replicas) {
		List<HasMetadata> release = KubernetesManifests.parse(HelmChart.template(HelmChart.KIND_VALUES, Map.of("replicaCount", replicas)));
		long requests = 0;
		long limits = 0;
		for (Deployment deployment : KubernetesManifests.ofType(release, Deployment.class)) {
			int count = deployment.getSpec().getReplicas();
			PodSpec pod = deployment.getSpec().getTemplate().getSpec();
			requests += count * podMib(pod, ResourceRequirements::getRequests);
			limits += count * podMib(pod, ResourceRequirements::getLimits);
		}
		Job load = KubernetesManifests.ofType(KubernetesManifests.parse(read("k8s/load/job.yaml")), Job.class).get(0);
		Map<String, Object> stack = KubernetesManifests.documents(read("k8s/kube-prometheus-stack-values.yaml")).get(0);
		Object prometheusLimit = dig(stack, "prometheus", "prometheusSpec", "resources", "limits", "memory");
		if (prometheusLimit == null) {
			throw new AssertionError("Prometheus has no memory limit in k8s/kube-prometheus-stack-values.yaml: it would grow unbounded");
		}
		return new ReleaseMemory(replicas, requests, limits, podMib(load.getSpec().getTemplate().getSpec(), ResourceRequirements::getLimits),
				mib(new Quantity(prometheusLimit.toString())));
	}

	/** Every limit: the release, the load Job, Prometheus, and the estimate for the rest. */
	long limitsMib() {
		return releaseLimitsMib + loadJobLimitMib + prometheusLimitMib + STACK_AND_CONTROL_PLANE_MIB;
	}

	long requestsMib() {
		return releaseRequestsMib;
	}

	@Override
	public String toString() {
		return "%d MiB of limits (release %d + load Job %d + Prometheus %d + rest of the stack and control plane %d; release requests %d)"
				.formatted(limitsMib(), releaseLimitsMib, loadJobLimitMib, prometheusLimitMib, STACK_AND_CONTROL_PLANE_MIB, releaseRequestsMib);
	}

	private static long podMib(PodSpec pod, Function<ResourceRequirements, Map<String, Quantity>> which) {
		long init = pod.getInitContainers().stream().mapToLong(container -> containerMib(container, which)).max().orElse(0);
		long containers = pod.getContainers().stream().mapToLong(container -> containerMib(container, which)).sum();
		return Math.max(init, containers);
	}

	private static long containerMib(Container container, Function<ResourceRequirements, Map<String, Quantity>> which) {
		Quantity memory = container.getResources() == null ? null : which.apply(container.getResources()).get("memory");
		if (memory == null) {
			throw new AssertionError(container.getName() + " has no memory figure: it would count as unbounded");
		}
		return mib(memory);
	}

	private static long mib(Quantity quantity) {
		return Quantity.getAmountInBytes(quantity).longValue() >> 20;
	}

	private static Object dig(Map<String, Object> map, String... keys) {
		Object at = map;
		for (String key : keys) {
			at = (at instanceof Map<?, ?> nested) ? nested.get(key) : null;
		}
		return at;
	}

	private static String read(String file) {
		try (Stream<String> lines = Files.lines(RepositoryRoot.path(file))) {
			return String.join("\n", lines.toList());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
