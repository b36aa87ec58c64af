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
	$(MVN) verify
