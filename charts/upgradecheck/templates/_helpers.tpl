{{/* Names and labels shared by the chart's objects. */}}

{{/* The chart's name, or nameOverride. */}}
{{- define "upgradecheck.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name. 52 characters at most: the CronJob controller appends an
11-character suffix to name each Job, and a Job's name must fit in 63.
*/}}
{{- define "upgradecheck.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "upgradecheck.selectorLabels" -}}
app.kubernetes.io/name: {{ include "upgradecheck.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "upgradecheck.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "upgradecheck.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "upgradecheck.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "upgradecheck.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "upgradecheck.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Whether exceptions were given (a non-empty list or file text). */}}
{{- define "upgradecheck.hasExceptions" -}}
{{- if .Values.exceptions }}true{{ end }}
{{- end }}

{{- define "upgradecheck.snapshotClaim" -}}
{{- default (printf "%s-snapshots" (include "upgradecheck.fullname" .)) .Values.snapshot.existingClaim }}
{{- end }}
