package io.herdlab.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Parses Kubernetes YAML into the typed fabric8 models, strictly: a field the model does not
 * know (a typo, a wrong nesting level) fails instead of landing in additionalProperties.
 */
final class KubernetesManifests {

	/** apiVersion/kind → model; an object of any other kind fails the parse. */
	private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
			"v1/ConfigMap", ConfigMap.class,
			"v1/Secret", Secret.class,
			"v1/Service", Service.class,
			"v1/Pod", Pod.class,
			"apps/v1/Deployment", Deployment.class,
			"batch/v1/Job", Job.class,
			"networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
			"monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
			"monitoring.coreos.com/v1/PodMonitor", PodMonitor.class);

	private static final ObjectMapper STRICT = JsonMapper.builder()
			.annotationIntrospector(new StrictIntrospector())
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
			.build();

	private KubernetesManifests() {
	}

	/** Every non-empty YAML document of a multi-document stream, as plain maps. */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> documents(String yaml) {
		List<Map<String, Object>> documents = new ArrayList<>();
		for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
			if (document != null) {
				documents.add((Map<String, Object>) document);
			}
		}
		return documents;
	}

	/** Every document as its typed model; fails on an unknown kind or an unknown field. */
	static List<HasMetadata> parse(String yaml) {
		return documents(yaml).stream().map(KubernetesManifests::toModel).toList();
	}

	static HasMetadata toModel(Map<String, Object> document) {
		String key = document.get("apiVersion") + "/" + document.get("kind");
		Class<? extends HasMetadata> type = KINDS.get(key);
		if (type == null) {
			throw new IllegalArgumentException("no typed model for " + key);
		}
		try {
			return STRICT.convertValue(document, type);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(key + " " + name(document) + " does not fit the model: "
					+ ex.getMessage(), ex);
		}
	}

	static <T extends HasMetadata> List<T> ofType(List<HasMetadata> objects, Class<T> type) {
		return objects.stream().filter(type::isInstance).map(type::cast).toList();
	}

	static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
		return ofType(objects, type).stream()
				.filter(object -> name.equals(object.getMetadata().getName()))
				.findFirst()
				.orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name));
	}

	@SuppressWarnings("unchecked")
	private static Object name(Map<String, Object> document) {
		Object metadata = document.get("metadata");
		return (metadata instanceof Map<?, ?> map) ? ((Map<String, Object>) map).get("name") : null;
	}

	/**
	 * The fabric8 models collect unknown fields through {@code @JsonAnySetter}; without it,
	 * {@code FAIL_ON_UNKNOWN_PROPERTIES} applies at every nesting level.
	 */
	private static final class StrictIntrospector extends JacksonAnnotationIntrospector {

		@Override
		public Boolean hasAnySetter(Annotated annotated) {
			return Boolean.FALSE;
		}

		@Override
		public JsonIgnoreProperties.Value findPropertyIgnoralByName(
				com.fasterxml.jackson.databind.cfg.MapperConfig<?> config, Annotated annotated) {
			JsonIgnoreProperties.Value value = super.findPropertyIgnoralByName(config, annotated);
			return (annotated instanceof AnnotatedClass) ? value.withoutIgnoreUnknown() : value;
		}

	}

}
