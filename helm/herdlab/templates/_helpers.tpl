{{/* Chart name, cut to 63 characters (DNS label limit). */}}
{{- define "herdlab.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: the release name when it already contains the chart name, else release-chart;
cut to 63 characters. Component names append a suffix, so they are cut shorter.
*/}}
{{- define "herdlab.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's name: fullname-suffix, within 63 characters. Call with (list . "suffix"). */}}
{{- define "herdlab.componentName" -}}
{{- $root := index . 0 -}}
{{- $suffix := index . 1 -}}
{{- printf "%s-%s" (include "herdlab.fullname" $root | trunc (int (sub 62 (len $suffix)))) $suffix | trimSuffix "-" }}
{{- end }}

{{- define "herdlab.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "herdlab.labels" -}}
helm.sh/chart: {{ include "herdlab.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: herdlab
{{- end }}

{{/* Selector labels of a component. Call with (list . "component"). */}}
{{- define "herdlab.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "herdlab.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "herdlab.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "herdlab.postgresql.host" -}}
{{- if .Values.postgresql.enabled }}
{{- include "herdlab.componentName" (list . "postgresql") }}
{{- else }}
{{- required "postgresql.host is required when postgresql.enabled is false" .Values.postgresql.host }}
{{- end }}
{{- end }}

{{/* The Secret with every credential of the release (templates/secret.yaml), or existingSecret. */}}
{{- define "herdlab.secretName" -}}
{{- default (include "herdlab.componentName" (list . "credentials")) .Values.existingSecret }}
{{- end }}

{{/* The security context of every container: one value, securityContext. */}}
{{- define "herdlab.containerSecurityContext" -}}
{{- toYaml .Values.securityContext }}
{{- end }}

{{/* A pod's security context: non-root with the image's own user, RuntimeDefault seccomp. Call with (list . uid). */}}
{{- define "herdlab.podSecurityContext" -}}
{{- $uid := index . 1 -}}
runAsNonRoot: true
runAsUser: {{ $uid }}
runAsGroup: {{ $uid }}
fsGroup: {{ $uid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* JAVA_TOOL_OPTIONS of the app: the JVM sized for its container, then javaToolOptions. */}}
{{- define "herdlab.javaToolOptions" -}}
{{- $flags := list (printf "-XX:MaxRAMPercentage=%.1f" (float64 .Values.jvm.maxRamPercentage)) (printf "-XX:ActiveProcessorCount=%v" .Values.jvm.activeProcessorCount) (printf "-XX:+Use%sGC" .Values.jvm.gc) }}
{{- with .Values.javaToolOptions }}{{ $flags = append $flags . }}{{ end }}
{{- join " " $flags }}
{{- end }}

{{/* Whether the app authenticates to Redis: always with the release's Redis, else when redis.password is set or the cluster asks for one. */}}
{{- define "herdlab.redis.auth" -}}
{{- if or .Values.redis.enabled .Values.redis.password .Values.redis.cluster.auth }}true{{ end }}
{{- end }}

{{/* The nodes of an external Redis Cluster, comma-separated; empty: one Redis server. */}}
{{- define "herdlab.redis.clusterNodes" -}}
{{- if .Values.redis.cluster.nodes }}
{{- if .Values.redis.enabled }}
{{- fail "redis.cluster.nodes names an external Redis Cluster: set redis.enabled to false" }}
{{- end }}
{{- join "," .Values.redis.cluster.nodes }}
{{- end }}
{{- end }}

{{- define "herdlab.redis.url" -}}
{{- if .Values.redis.enabled }}
{{- printf "redis://%s:6379" (include "herdlab.componentName" (list . "redis")) }}
{{- else }}
{{- required "redis.url is required when redis.enabled is false" .Values.redis.url }}
{{- end }}
{{- end }}

{{/*
The credentials given in values, as JSON. The Secret keeps every generated one across upgrades
(templates/secret.yaml), so only these can change it.
*/}}
{{- define "herdlab.credentials.given" -}}
{{- toJson (dict
      "postgres-password" .Values.postgresql.superuserPassword
      "password" .Values.postgresql.password
      "exporter-password" .Values.postgresql.exporterPassword
      "redis-password" .Values.redis.password
      "admin-token" .Values.admin.token) }}
{{- end }}

{{/*
Annotation of every pod that reads the credentials Secret: a changed credential rolls the pod,
since a container reads its env only at start. An existingSecret is not the chart's to see.
*/}}
{{- define "herdlab.credentials.checksum" -}}
{{- if not .Values.existingSecret -}}
checksum/credentials: {{ include "herdlab.credentials.given" . | sha256sum }}
{{- end }}
{{- end }}
