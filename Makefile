SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

# Maven 3.8's console library writes colour resets even in batch mode: strip every escape code
# from Maven's output, so a log file or CI console shows plain text.
PLAIN = sed -u -e 's/\x1b\[[0-9;]*m//g'
MVN ?= mvn -B -q
# The service (its Spring Boot jar, which make run and the lab's replicas run), the lab runner and
# the bench's floor: modules of one Maven reactor (contract, service, lab, bench).
JAR := service/target/herdlab.jar
LAB_JAR := lab/target/herdlab-lab.jar
PRESET ?= baseline
PORT ?= $(or $(SERVER_PORT),8080)
ADMIN_PORT ?= $(or $(MANAGEMENT_SERVER_PORT),8081)
# what make check leaves out: the lab's end-to-end run (make lab PROFILE=quick) and the fault
# injection suites (replicas frozen, Redis killed, a Redis Cluster's master killed, failed over or its
# slot migrated mid-herd, the cluster herd itself, an owner replica killed or frozen mid-load, tables locked, make run's service killed -9 and
# its embedded servers cleaned up by the next start), more than half of make test's time
SLOW_TESTS = !LabQuickProfileTest,!LeaseUnderStressTest,!LeaseFailureTest,!MultiReplicaCoalescingTest,!PausedLeaderTest,!EmbeddedStopTest,!ClusterHerdTest,!ClusterFaultsTest,!OwnerRoutingTest

##@ General

.PHONY: help
help: ## Show this help
	@if [ -t 1 ]; then c=$$'\e[36m' b=$$'\e[1m' r=$$'\e[0m'; else c= b= r=; fi; \
	awk -v c="$$c" -v b="$$b" -v r="$$r" 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make %s<target>%s\n", c, r} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  %s%-14s%s %s\n", c, $$1, r, $$2 } /^##@/ { printf "\n%s%s%s\n", b, substr($$0, 5), r }' $(MAKEFILE_LIST)

##@ Service

.PHONY: build
build: ## Build the jars (service/target/herdlab.jar, lab/target/herdlab-lab.jar, bench/target/herdlab-floor.jar), skipping tests
	$(MVN) -DskipTests package 2>&1 | $(PLAIN)

.PHONY: run
run: build ## Run the service (embedded PostgreSQL + Redis unless SPRING_R2DBC_URL / SPRING_DATA_REDIS_URL are set); PRESET=baseline PORT=8080 ADMIN_PORT=8081
	@scripts/run.sh $(JAR) --herd.mitigation.preset=$(PRESET) --server.port=$(PORT) --management.server.port=$(ADMIN_PORT)

.PHONY: test
test: test-tools ## Every test: needs PostgreSQL on 127.0.0.1:5432 (trust), Redis on 127.0.0.1:6379, Node/npm
	mvn -B --no-transfer-progress verify 2>&1 | $(PLAIN)

# -Dtest with exclusions alone makes Surefire run every test class, *IT too: those are Failsafe's
# (BenchScriptIT ran twice, the first time before the bench's jar was packaged), hence !*IT.
# -DskipITs: the bench's pipeline test (BenchScriptIT: a cold burst through the harness, 50 s) runs
# in make test only, as the lab's end-to-end run does; it ran after the lab module, since it runs the
# lab's jar, and took make check past 3 min.
.PHONY: check
check: test-tools ## Every test but the lab's and the bench's end-to-end runs and the fault-injection suites (SLOW_TESTS); same needs
	mvn -B -T 2 --no-transfer-progress verify -Dtest='$(SLOW_TESTS),!*IT' -Dsurefire.failIfNoSpecifiedTests=false -DskipITs 2>&1 | $(PLAIN)

.PHONY: test-tools
test-tools: ## Install what the offline Kubernetes tests run, when missing (kubectl, shellcheck, yamllint, action-validator)
	bash scripts/install-test-tools.sh

##@ Performance

# PROFILE also names the lab's profile (default there): the bench takes it only when it is given
# on the command line or in the environment.
BENCH_PROFILE = $(if $(filter command line environment,$(origin PROFILE)),$(PROFILE))

.PHONY: bench
bench: build ## Hit path vs a bare WebFlux+Lettuce floor, cold bursts per preset in rounds, into docs/performance.md (PROFILE=cpu: flame graphs; PRESETS=lua,local ROUNDS=3 DURATION=10 BURST_ROUNDS=3)
	PROFILE=$(BENCH_PROFILE) scripts/bench.sh

##@ Kubernetes

KIND_CLUSTER ?= herdlab
# Every kubectl and helm call (here and in k8s/scripts) names this context: a user's other clusters are never touched.
KUBE_CONTEXT := kind-$(KIND_CLUSTER)
KUBECTL := kubectl --context $(KUBE_CONTEXT)
NAMESPACE ?= herdlab
RELEASE ?= herdlab
IMG_REPO ?= herdlab
# Each build its own tag (git commit, plus a hash of uncommitted changes), so deploy rolls the pods.
ifeq ($(origin IMG_TAG),undefined)
IMG_TAG := $(shell k8s/scripts/image-tag.sh)
endif
IMG ?= $(IMG_REPO):$(IMG_TAG)
# The load image: Node + artillery/package-lock.json, tagged by what it is built from.
ifeq ($(origin LOAD_IMG),undefined)
LOAD_IMG := herdlab-load:$(shell cat artillery/package.json artillery/package-lock.json k8s/load/Dockerfile | k8s/scripts/sha256.sh | cut -c1-12)
endif
REPLICAS ?= 3
MODE ?= baseline
SCENARIO ?= herd.yml
LOAD_ENV ?=
HERD_DIST ?= uniform
HERD_WARM_ALIGNED ?= false
GRAFANA_PORT ?= 3000
# The images are built for the Docker host's architecture (amd64 or arm64).
DOCKER_ARCH = $$(docker version --format '{{.Server.Arch}}')

.PHONY: doctor
doctor: ## Check docker (and its memory), kind, kubectl, helm, JDK, Maven, architecture, ports, inotify, context; says how to fix each
	KIND_CLUSTER=$(KIND_CLUSTER) HOST_PORTS="8080 $(GRAFANA_PORT)" k8s/scripts/doctor.sh

# -Dmaven.test.skip=true: the image needs no test class, so none is compiled. (Maven 3.8 still
# resolves the test-scoped dependencies: Surefire's goal asks for them even when skipped.)
.PHONY: image
image: ## Build the app image for the Docker host's architecture into the local Docker daemon with Jib (herdlab:<commit>[-dirty-<hash>])
	$(MVN) -Dmaven.test.skip=true -pl service -am package jib:dockerBuild -Dimage=$(IMG) -Djib.from.platforms=linux/$(DOCKER_ARCH)

.PHONY: image-tar
image-tar: ## Build the app image as service/target/jib-image.tar with Jib (no Docker needed; amd64 unless JIB_PLATFORM=linux/arm64)
	$(MVN) -Dmaven.test.skip=true -pl service -am package jib:buildTar -Dimage=$(IMG) -Djib.from.platforms=$(or $(JIB_PLATFORM),linux/amd64)

.PHONY: kind-up
kind-up: ## Create the kind cluster (pinned node image; 1 control plane, 2 workers) and install kube-prometheus-stack (pinned); idempotent
	KIND_CLUSTER=$(KIND_CLUSTER) k8s/scripts/kind-up.sh

.PHONY: deploy
deploy: image ## Build the image, load it into the kind workers, helm upgrade --install the chart and roll the pods to this build (REPLICAS=3 MODE=baseline)
	KIND_CLUSTER=$(KIND_CLUSTER) NAMESPACE=$(NAMESPACE) RELEASE=$(RELEASE) IMG_REPO=$(IMG_REPO) IMG_TAG=$(IMG_TAG) \
	  REPLICAS=$(REPLICAS) MODE=$(MODE) k8s/scripts/deploy.sh

.PHONY: scale
scale: ## Scale the app to REPLICAS=n pods with kubectl
	$(KUBECTL) -n $(NAMESPACE) scale deployment/$(RELEASE) --replicas=$(REPLICAS)
	$(KUBECTL) -n $(NAMESPACE) rollout status deployment/$(RELEASE) --timeout=5m

.PHONY: mitigate
mitigate: ## Switch every pod to MODE=<preset> (baseline|jitter|local|redisson|lua|tiered|full) via helm upgrade
	KIND_CLUSTER=$(KIND_CLUSTER) NAMESPACE=$(NAMESPACE) RELEASE=$(RELEASE) MODE=$(MODE) k8s/scripts/mitigate.sh

.PHONY: load-image
load-image: ## Build the Artillery image for the Docker host's architecture (Node + artillery/package-lock.json) and load it into the kind workers lacking it
	docker image inspect $(LOAD_IMG) >/dev/null 2>&1 || \
	  docker build --platform linux/$(DOCKER_ARCH) -f k8s/load/Dockerfile -t $(LOAD_IMG) artillery
	KIND_CLUSTER=$(KIND_CLUSTER) k8s/scripts/kind-load.sh $(LOAD_IMG)

.PHONY: load
load: load-image ## Run the Artillery herd as a Job in the cluster, wait, print the report (LOAD_ENV=quick, HERD_DIST=zipf, HERD_WARM_ALIGNED=true)
	KIND_CLUSTER=$(KIND_CLUSTER) NAMESPACE=$(NAMESPACE) RELEASE=$(RELEASE) LOAD_IMG=$(LOAD_IMG) SCENARIO=$(SCENARIO) \
	  LOAD_ENV=$(LOAD_ENV) HERD_DIST=$(HERD_DIST) HERD_WARM_ALIGNED=$(HERD_WARM_ALIGNED) k8s/scripts/load.sh

.PHONY: grafana
grafana: ## Port-forward Grafana to localhost:3000 (GRAFANA_PORT) and print the URL and login
	KIND_CLUSTER=$(KIND_CLUSTER) GRAFANA_PORT=$(GRAFANA_PORT) k8s/scripts/grafana.sh

.PHONY: kind-down
kind-down: ## Delete the kind cluster
	kind delete cluster --name $(KIND_CLUSTER)

##@ Lab

PROFILE ?= default
EXPERIMENTS ?=
DIST ?=
SPIKE ?=
SCALING_REPLICAS ?=
# REDIS_CLUSTER=local: every experiment on a Redis Cluster the lab starts (3 masters + 3 replicas from the
# machine's redis-server, torn down at the end); host:port,…: on an existing one. EXPERIMENTS=cluster starts
# one for its cluster half without it.
REDIS_CLUSTER ?=
LAB_ARGS ?=
# REPLICAS also serves the Kubernetes targets (default 3 there): the lab takes it only when it is
# given on the command line or in the environment, so PROFILE=quick keeps its own 2 replicas.
LAB_REPLICAS = $(if $(filter command line environment,$(origin REPLICAS)),$(REPLICAS))
# The lab is a plain Java program (io.herdlab.lab.LabCommand, no Spring context) in a jar of its own,
# $(LAB_JAR); its replicas run the service jar, $(JAR).
LAB_JAVA = java -jar $(LAB_JAR) --jar=$(JAR)

.PHONY: lab-deps
lab-deps: artillery/node_modules/.package-lock.json ## Install Artillery 2.0 from artillery/package-lock.json (npm ci, no browser download)

artillery/node_modules/.package-lock.json: artillery/package.json artillery/package-lock.json
	cd artillery && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

.PHONY: lab
lab: build lab-deps ## Run the herd matrix on local replicas, report in reports/<timestamp>/ (PROFILE=quick EXPERIMENTS=baseline,lua,scaling,cluster DIST=zipf REPLICAS=3 SPIKE=5000 SCALING_REPLICAS=1,2,3,5 REDIS_CLUSTER=local LAB_ARGS=--help)
	$(LAB_JAVA) --profile=$(PROFILE) --experiments=$(EXPERIMENTS) --dist=$(DIST) --replicas=$(LAB_REPLICAS) \
	  --spike=$(SPIKE) --scaling-replicas=$(SCALING_REPLICAS) --redis-cluster=$(REDIS_CLUSTER) $(LAB_ARGS)
