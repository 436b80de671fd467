{{/* Names and labels, defined once. */}}

{{- define "thoughtspace.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thoughtspace.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Resource name of one service: (dict "root" $ "name" "candidate-gen"). */}}
{{- define "thoughtspace.componentName" -}}
{{- printf "%s-%s" (include "thoughtspace.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thoughtspace.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object of the release. */}}
{{- define "thoughtspace.labels" -}}
helm.sh/chart: {{ include "thoughtspace.chart" . }}
app.kubernetes.io/name: {{ include "thoughtspace.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: thoughtspace
{{- end -}}

{{/* Selector labels of the whole release (NetworkPolicy default deny). */}}
{{- define "thoughtspace.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "thoughtspace.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "name" "candidate-gen"). */}}
{{- define "thoughtspace.selectorLabels" -}}
{{ include "thoughtspace.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* All labels of one service's objects. */}}
{{- define "thoughtspace.componentLabels" -}}
{{ include "thoughtspace.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "thoughtspace.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "thoughtspace.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Recursive merge of .src into .dst (maps merged, everything else replaced).
Unlike sprig's mergeOverwrite, a `false` or 0 in .src does override .dst.
*/}}
{{- define "thoughtspace.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- if and (kindIs "map" $v) (kindIs "map" (get $dst $k)) -}}
{{- $_ := include "thoughtspace.deepMerge" (dict "dst" (get $dst $k) "src" $v) -}}
{{- else -}}
{{- $_ := set $dst $k $v -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
One service's effective configuration as JSON: serviceDefaults with the
entry of .Values.services merged over it. Also fails on settings no schema
can express (replicas above the Kafka partition count).
Usage: include "thoughtspace.service" (dict "root" $ "name" $name) | fromJson
*/}}
{{- define "thoughtspace.service" -}}
{{- $svc := deepCopy .root.Values.serviceDefaults -}}
{{- $_ := include "thoughtspace.deepMerge" (dict "dst" $svc "src" (deepCopy (get .root.Values.services .name))) -}}
{{- $c := $svc.kafka.consumer -}}
{{- if not (has $svc.kind (list "server" "worker")) -}}
{{- fail (printf "services.%s.kind must be server or worker, not %q" .name $svc.kind) -}}
{{- end -}}
{{- if and $c.enabled .root.Values.kafka.enabled (eq $svc.kind "server") (or (ne (int $svc.replicas) 1) $svc.autoscaling.enabled) -}}
{{- fail (printf "services.%s consumes Kafka in its own process (kafka.consumer.enabled): it runs one replica (replicas 1, autoscaling off)" .name) -}}
{{- end -}}
{{- if $c.enabled -}}
{{- if not $c.topic -}}
{{- fail (printf "services.%s.kafka.consumer.topic is required when the consumer is enabled" .name) -}}
{{- end -}}
{{- if not $c.consumerGroup -}}
{{- fail (printf "services.%s.kafka.consumer.consumerGroup is required when the consumer is enabled" .name) -}}
{{- end -}}
{{- if gt (int $c.maxReplicaCount) (int $c.partitions) -}}
{{- fail (printf "services.%s.kafka.consumer.maxReplicaCount (%d) exceeds partitions (%d): consumers beyond the partition count sit idle" .name (int $c.maxReplicaCount) (int $c.partitions)) -}}
{{- end -}}
{{- if gt (int $c.minReplicaCount) (int $c.maxReplicaCount) -}}
{{- fail (printf "services.%s.kafka.consumer.minReplicaCount (%d) exceeds maxReplicaCount (%d)" .name (int $c.minReplicaCount) (int $c.maxReplicaCount)) -}}
{{- end -}}
{{- if and (not .root.Values.keda.enabled) $svc.autoscaling.enabled (gt (int $svc.autoscaling.maxReplicas) (int $c.partitions)) -}}
{{- fail (printf "services.%s.autoscaling.maxReplicas (%d) exceeds kafka.consumer.partitions (%d)" .name (int $svc.autoscaling.maxReplicas) (int $c.partitions)) -}}
{{- end -}}
{{- end -}}
{{- if and $svc.autoscaling.enabled (gt (int $svc.autoscaling.minReplicas) (int $svc.autoscaling.maxReplicas)) -}}
{{- fail (printf "services.%s.autoscaling.minReplicas exceeds maxReplicas" .name) -}}
{{- end -}}
{{- if and $svc.model.enabled (not $svc.model.path) -}}
{{- fail (printf "services.%s.model.path is required when model.enabled is true" .name) -}}
{{- end -}}
{{- if not $svc.command -}}
{{- fail (printf "services.%s.command is required" .name) -}}
{{- end -}}
{{- $svc | toJson -}}
{{- end -}}

{{/* Whether KEDA scales this service: (dict "root" $ "svc" $svc). */}}
{{- define "thoughtspace.kedaScaled" -}}
{{- if and .root.Values.keda.enabled .root.Values.kafka.enabled .svc.kafka.consumer.enabled (eq .svc.kind "worker") -}}true{{- end -}}
{{- end -}}

{{/* Whether this entry is deployed: a server when enabled; a worker also needs kafka.enabled and its consumer: (dict "root" $ "svc" $svc). */}}
{{- define "thoughtspace.rendered" -}}
{{- if and .svc.enabled (or (eq .svc.kind "server") (and .root.Values.kafka.enabled .svc.kafka.consumer.enabled)) -}}true{{- end -}}
{{- end -}}

{{/* Whether an HPA scales this service (autoscaling.enabled, or a Kafka consumer without KEDA): (dict "root" $ "svc" $svc). */}}
{{- define "thoughtspace.hpaScaled" -}}
{{- $consumer := and .root.Values.kafka.enabled .svc.kafka.consumer.enabled (eq .svc.kind "worker") -}}
{{- if and (or .svc.autoscaling.enabled $consumer) (not (include "thoughtspace.kedaScaled" .)) -}}true{{- end -}}
{{- end -}}

{{/* Image reference; the CUDA variant for GPU pods: (dict "root" $ "gpu" bool). */}}
{{- define "thoughtspace.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s/%s" $img.registry $img.repository -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if .gpu -}}
{{- if $img.cudaDigest -}}{{ $repo }}@{{ $img.cudaDigest }}{{- else -}}{{ $repo }}:{{ $tag }}{{ $img.cudaTagSuffix }}{{- end -}}
{{- else -}}
{{- if $img.digest -}}{{ $repo }}@{{ $img.digest }}{{- else -}}{{ $repo }}:{{ $tag }}{{- end -}}
{{- end -}}
{{- end -}}

{{- define "thoughtspace.objectStoreImage" -}}
{{- $img := .Values.models.objectStore.image -}}
{{- if $img.digest -}}{{ $img.repository }}@{{ $img.digest }}{{- else -}}{{ $img.repository }}:{{ $img.tag }}{{- end -}}
{{- end -}}

{{/* NetworkPolicy `from`/`to` peers: [] renders nothing (= everyone). */}}
{{- define "thoughtspace.peers" -}}
{{- if . }}
{{ toYaml . }}
{{- end -}}
{{- end -}}
