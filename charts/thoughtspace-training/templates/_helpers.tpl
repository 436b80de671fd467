{{/* Names and labels, defined once. */}}

{{- define "thoughtspace-training.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thoughtspace-training.fullname" -}}
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
{{- define "thoughtspace-training.componentName" -}}
{{- printf "%s-%s" (include "thoughtspace-training.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thoughtspace-training.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object of the release. */}}
{{- define "thoughtspace-training.labels" -}}
helm.sh/chart: {{ include "thoughtspace-training.chart" . }}
app.kubernetes.io/name: {{ include "thoughtspace-training.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: thoughtspace
thoughtspace.dev/run-id: {{ .Values.runId | quote }}
{{- end -}}

{{/* Selector labels of the whole release (NetworkPolicy default deny). */}}
{{- define "thoughtspace-training.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "thoughtspace-training.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "name" "candidate-gen"). */}}
{{- define "thoughtspace-training.selectorLabels" -}}
{{ include "thoughtspace-training.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* All labels of one service's objects. */}}
{{- define "thoughtspace-training.componentLabels" -}}
{{ include "thoughtspace-training.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "thoughtspace-training.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "thoughtspace-training.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Recursive merge of .src into .dst (maps merged, everything else replaced).
Unlike sprig's mergeOverwrite, a `false` or 0 in .src does override .dst.
*/}}
{{- define "thoughtspace-training.deepMerge" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- if and (kindIs "map" $v) (kindIs "map" (get $dst $k)) -}}
{{- $_ := include "thoughtspace-training.deepMerge" (dict "dst" (get $dst $k) "src" $v) -}}
{{- else -}}
{{- $_ := set $dst $k $v -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Image reference; the CUDA variant for GPU stages: (dict "root" $ "gpu" bool). */}}
{{- define "thoughtspace-training.image" -}}
{{- $img := .root.Values.image -}}
{{- $repo := printf "%s/%s" $img.registry $img.repository -}}
{{- $tag := default .root.Chart.AppVersion $img.tag -}}
{{- if .gpu -}}
{{- if $img.cudaDigest -}}{{ $repo }}@{{ $img.cudaDigest }}{{- else -}}{{ $repo }}:{{ $tag }}{{ $img.cudaTagSuffix }}{{- end -}}
{{- else -}}
{{- if $img.digest -}}{{ $repo }}@{{ $img.digest }}{{- else -}}{{ $repo }}:{{ $tag }}{{- end -}}
{{- end -}}
{{- end -}}

{{/* Output folder of a stage: (dict "root" $ "stage" name). */}}
{{- define "thoughtspace-training.stageDir" -}}
{{- printf "%s/runs/%s/%s" .root.Values.workspace.mountPath .root.Values.runId (include "thoughtspace-training.outDir" .) -}}
{{- end -}}

{{/* A stage's folder under runs/<runId>: its outDir, else its name: (dict "root" $ "stage" name). */}}
{{- define "thoughtspace-training.outDir" -}}
{{- default .stage (get (get .root.Values.stages .stage) "outDir") -}}
{{- end -}}

{{- define "thoughtspace-training.claimName" -}}
{{- default (printf "%s-workspace" (include "thoughtspace-training.fullname" .)) .Values.workspace.existingClaim -}}
{{- end -}}

