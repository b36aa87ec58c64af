package io.herdlab.k8s;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The strict parse the chart tests rely on really rejects what the models do not know. */
class KubernetesManifestsTest {

	static final String DEPLOYMENT = """
			apiVersion: apps/v1
			kind: Deployment
			metadata:
			  name: app
			spec:
			  replicas: 2
			  selector:
			    matchLabels: {app: a}
			  template:
			    metadata:
			      labels: {app: a}
			    spec:
			      containers:
			        - name: app
			          image: app:1
			          %s
			""";

	@Test
	void parsesAKnownObjectIntoItsModel() {
		var objects = KubernetesManifests.parse(DEPLOYMENT.formatted("imagePullPolicy: IfNotPresent"));
		assertThat(objects).singleElement().isInstanceOf(Deployment.class);
		assertThat(((Deployment) objects.get(0)).getSpec().getReplicas()).isEqualTo(2);
	}

	@Test
	void rejectsAnUnknownFieldDeepInside() {
		assertThatThrownBy(() -> KubernetesManifests.parse(DEPLOYMENT.formatted("livenesProbe: {}")))
				.hasMessageContaining("livenesProbe");
	}

	@Test
	void rejectsAFieldAtTheWrongLevel() {
		assertThatThrownBy(() -> KubernetesManifests.parse(DEPLOYMENT.formatted("replicas: 3")))
				.hasMessageContaining("replicas");
	}

	@Test
	void rejectsAKindWithoutModel() {
		assertThatThrownBy(() -> KubernetesManifests.parse("apiVersion: v1\nkind: Frobnicator\nmetadata: {name: x}\n"))
				.hasMessageContaining("v1/Frobnicator");
	}

}
