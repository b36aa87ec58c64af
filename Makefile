SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec
.DEFAULT_GOAL := help

MVN ?= mvn -B -q
JAR := target/herdlab.jar
PRESET ?= baseline

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Service

.PHONY: build
build: ## Build the jar (target/herdlab.jar), skipping tests
	$(MVN) -DskipTests package

.PHONY: run
run: build ## Run the service (embedded PostgreSQL + Redis unless SPRING_R2DBC_URL / SPRING_DATA_REDIS_URL are set); PRESET=baseline
	java -jar $(JAR) --herd.mitigation.preset=$(PRESET)

.PHONY: test
test: ## Run all tests against the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379)
	mvn -B --no-transfer-progress verify

##@ Kubernetes

KIND_CLUSTER ?= herdlab
NAMESPACE ?= herdlab
RELEASE ?= herdlab
IMG_REPO ?= herdlab
IMG_TAG ?= 0.1.0
IMG ?= $(IMG_REPO):$(IMG_TAG)
REPLICAS ?= 3
MODE ?= baseline
SCENARIO ?= herd.yml
LOAD_ENV ?=
HERD_DIST ?= uniform
HERD_WARM_ALIGNED ?= false
GRAFANA_PORT ?= 3000

.PHONY: image
image: ## Build the container image into the local Docker daemon with Jib (IMG=herdlab:0.1.0)
	$(MVN) -DskipTests package jib:dockerBuild -Dimage=$(IMG)

.PHONY: image-tar
image-tar: ## Build the container image as target/jib-image.tar with Jib (no Docker needed)
	$(MVN) -DskipTests package jib:buildTar -Dimage=$(IMG)

.PHONY: kind-up
kind-up: ## Create the kind cluster (1 control plane, 2 workers) and install kube-prometheus-stack; idempotent
	KIND_CLUSTER=$(KIND_CLUSTER) k8s/scripts/kind-up.sh

.PHONY: deploy
deploy: image ## Build the image, kind-load it, helm upgrade --install the chart (REPLICAS=3 MODE=baseline)
	kind load docker-image $(IMG) --name $(KIND_CLUSTER)
	helm upgrade --install $(RELEASE) helm/herdlab --namespace $(NAMESPACE) --create-namespace \
	  --values k8s/herdlab-kind-values.yaml \
	  --set image.repository=$(IMG_REPO) --set image.tag=$(IMG_TAG) \
	  --set replicaCount=$(REPLICAS) --set mitigation.preset=$(MODE) \
	  --wait --timeout 10m
	kubectl -n $(NAMESPACE) get pods -o wide

.PHONY: scale
scale: ## Scale the app to REPLICAS=n pods with kubectl
	kubectl -n $(NAMESPACE) scale deployment/$(RELEASE) --replicas=$(REPLICAS)
	kubectl -n $(NAMESPACE) rollout status deployment/$(RELEASE) --timeout=5m

.PHONY: mitigate
mitigate: ## Switch every pod to MODE=<preset> (baseline|jitter|local|redisson|lua|full) via helm upgrade
	NAMESPACE=$(NAMESPACE) RELEASE=$(RELEASE) MODE=$(MODE) k8s/scripts/mitigate.sh

.PHONY: load
load: ## Run the Artillery herd as a Job in the cluster, wait, print its summary (LOAD_ENV=quick, HERD_DIST=zipf)
	NAMESPACE=$(NAMESPACE) RELEASE=$(RELEASE) SCENARIO=$(SCENARIO) LOAD_ENV=$(LOAD_ENV) HERD_DIST=$(HERD_DIST) \
	  HERD_WARM_ALIGNED=$(HERD_WARM_ALIGNED) k8s/scripts/load.sh

.PHONY: grafana
grafana: ## Port-forward Grafana to localhost:3000 (GRAFANA_PORT) and print the URL and login
	GRAFANA_PORT=$(GRAFANA_PORT) k8s/scripts/grafana.sh

.PHONY: kind-down
kind-down: ## Delete the kind cluster
	kind delete cluster --name $(KIND_CLUSTER)

##@ Lab

PROFILE ?= default
EXPERIMENTS ?=
DIST ?=
SPIKE ?=
SCALING_REPLICAS ?=
LAB_ARGS ?=
# REPLICAS also serves the Kubernetes targets (default 3 there): the lab takes it only when it is
# given on the command line or in the environment, so PROFILE=quick keeps its own 2 replicas.
LAB_REPLICAS = $(if $(filter command line environment,$(origin REPLICAS)),$(REPLICAS))
# The lab is a plain Java program (io.herdlab.lab.LabCommand, no Spring context); its replicas run
# the service jar, $(JAR).
LAB_JAVA = java -jar $(JAR) lab

.PHONY: lab-deps
lab-deps: artillery/node_modules/.package-lock.json ## Install Artillery 2.0 from artillery/package-lock.json (npm ci, no browser download)

artillery/node_modules/.package-lock.json: artillery/package.json artillery/package-lock.json
	cd artillery && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund

.PHONY: lab
lab: build lab-deps ## Run the herd matrix on local replicas, report in reports/<timestamp>/ (PROFILE=quick EXPERIMENTS=baseline,lua,scaling DIST=zipf REPLICAS=3 SPIKE=5000 SCALING_REPLICAS=1,2,3,5 LAB_ARGS=--help)
	$(LAB_JAVA) --profile=$(PROFILE) --experiments=$(EXPERIMENTS) --dist=$(DIST) --replicas=$(LAB_REPLICAS) \
	  --spike=$(SPIKE) --scaling-replicas=$(SCALING_REPLICAS) $(LAB_ARGS)
