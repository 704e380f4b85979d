{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "admission.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. When the release name already contains the chart name it is used as is,
so `helm install admission ...` gives "admission", not "admission-admission".
*/}}
{{- define "admission.fullname" -}}
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

{{- define "admission.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "admission.labels" -}}
helm.sh/chart: {{ include "admission.chart" . }}
{{ include "admission.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: admission
{{- end }}

{{/* Labels that select the webhook pods (must never change across upgrades). */}}
{{- define "admission.selectorLabels" -}}
app.kubernetes.io/name: {{ include "admission.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "admission.serviceAccountName" -}}
{{- include "admission.fullname" . }}
{{- end }}

{{/* The ValidatingWebhookConfiguration (cluster-scoped). */}}
{{- define "admission.webhookConfigurationName" -}}
{{- include "admission.fullname" . }}
{{- end }}

{{/* The Lease used for leader election, in the release namespace. */}}
{{- define "admission.leaseName" -}}
{{- printf "%s-leader" (include "admission.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "admission.policyConfigMapName" -}}
{{- printf "%s-policy" (include "admission.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Validated certificate mode. */}}
{{- define "admission.certMode" -}}
{{- $mode := .Values.certificates.mode }}
{{- if not (has $mode (list "self" "cert-manager" "provided")) }}
{{- fail (printf "certificates.mode must be one of self, cert-manager, provided (got %q)" $mode) }}
{{- end }}
{{- $mode }}
{{- end }}

{{/*
The Secret holding the serving certificate (tls.crt, tls.key): written by the leader in `self`
mode, by cert-manager in `cert-manager` mode, and brought by the user in `provided` mode.
*/}}
{{- define "admission.tlsSecretName" -}}
{{- $mode := include "admission.certMode" . }}
{{- if eq $mode "provided" }}
{{- required "certificates.provided.secretName is required when certificates.mode is provided: name an existing kubernetes.io/tls Secret (tls.crt, tls.key) in the release namespace" .Values.certificates.provided.secretName }}
{{- else if and (eq $mode "self") .Values.certificates.self.secretName }}
{{- .Values.certificates.self.secretName }}
{{- else }}
{{- printf "%s-tls" (include "admission.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* The cert-manager Certificate that serves the webhook (cert-manager mode). */}}
{{- define "admission.certificateName" -}}
{{- printf "%s-serving" (include "admission.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* DNS names the API server uses to reach the webhook Service. */}}
{{- define "admission.dnsNames" -}}
{{- $svc := include "admission.fullname" . }}
- {{ printf "%s.%s.svc" $svc .Release.Namespace }}
- {{ printf "%s.%s.svc.%s" $svc .Release.Namespace .Values.clusterDomain }}
- {{ $svc }}
{{- end }}

{{- define "admission.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The resource of a kind: its lower-case plural, by the rules the engine's WorkloadKind.Plural uses.
*/}}
{{- define "admission.kindPlural" -}}
{{- $lower := lower . }}
{{- if or (hasSuffix "s" $lower) (hasSuffix "x" $lower) (hasSuffix "ch" $lower) (hasSuffix "sh" $lower) }}
{{- printf "%ses" $lower }}
{{- else if and (hasSuffix "y" $lower) (not (regexMatch "[aeiou]y$" $lower)) }}
{{- printf "%sies" (trimSuffix "y" $lower) }}
{{- else }}
{{- printf "%ss" $lower }}
{{- end }}
{{- end }}

{{/*
Webhook rules for the workload kinds in policy.workloadKinds ("group/Kind", or "Kind" for the
core group), exactly what contract 2.2 decides and nothing more: each kind's resource (its
lower-case plural); its `scale` subresource where the kind serves one; for Pods the
subresources that change or reach into running code (ephemeralcontainers and resize as UPDATE;
exec, attach and portforward as CONNECT). status, eviction and binding are not guarded, so they
are not sent.
*/}}
{{- define "admission.workloadRules" -}}
{{- range .Values.policy.workloadKinds }}
{{- $parts := splitList "/" . }}
{{- $group := "" }}
{{- $kind := . }}
{{- if eq (len $parts) 2 }}
{{- $group = index $parts 0 }}
{{- $kind = index $parts 1 }}
{{- else if ne (len $parts) 1 }}
{{- fail (printf "policy.workloadKinds: %q is not \"group/Kind\" or \"Kind\"" .) }}
{{- end }}
{{- $plural := include "admission.kindPlural" $kind }}
{{- /* Built-in kinds serve scale only where Kubernetes does; a custom kind may serve it. */}}
{{- $builtIn := has $group (list "" "apps" "batch") }}
{{- $scalable := or (not $builtIn) (has $kind (list "Deployment" "ReplicaSet" "StatefulSet" "ReplicationController")) }}
- apiGroups: [{{ $group | quote }}]
  apiVersions: ["*"]
  resources: [{{ $plural | quote }}]
  operations: [CREATE, UPDATE, DELETE]
  scope: Namespaced
{{- if and (eq $group "") (eq $kind "Pod") }}
# kubectl debug, and in-place resize: decided by what they change (contract 2.2).
- apiGroups: [""]
  apiVersions: ["*"]
  resources: ["pods/ephemeralcontainers", "pods/resize"]
  operations: [UPDATE]
  scope: Namespaced
# kubectl exec, attach and port-forward: interactiveAccess (contract 2.2).
- apiGroups: [""]
  apiVersions: ["*"]
  resources: ["pods/exec", "pods/attach", "pods/portforward"]
  operations: [CONNECT]
  scope: Namespaced
{{- else if $scalable }}
- apiGroups: [{{ $group | quote }}]
  apiVersions: ["*"]
  resources: [{{ printf "%s/scale" $plural | quote }}]
  operations: [UPDATE]
  scope: Namespaced
{{- end }}
{{- end }}
{{- end }}

{{/*
namespaceSelector of the workload webhook: the policy's Tier-1 selector, AND never the release
namespace or kube-system (so an outage of the webhook can never block the cluster's own repair).
When policy.tier1.namespaces lists namespaces by name, a label selector cannot express "labelled
OR named", so the selector falls back to every namespace but those two and the server decides
(a namespace that is not Tier-1 gets `not-guarded`).
*/}}
{{- define "admission.workloadNamespaceSelector" -}}
{{- $sel := .Values.policy.tier1.namespaceSelector | default dict }}
{{- $byName := .Values.policy.tier1.namespaces | default list }}
{{- if and (not $byName) $sel.matchLabels }}
matchLabels:
{{- toYaml $sel.matchLabels | nindent 2 }}
{{- end }}
matchExpressions:
{{- if and (not $byName) $sel.matchExpressions }}
{{- toYaml $sel.matchExpressions | nindent 0 }}
{{- end }}
{{ include "admission.excludedNamespaces" . }}
{{- end }}

{{/* The selector expression that keeps the release namespace and kube-system out of every webhook. */}}
{{- define "admission.excludedNamespaces" -}}
- key: kubernetes.io/metadata.name
  operator: NotIn
  values: {{ list .Release.Namespace "kube-system" | uniq | toJson }}
{{- end }}

{{/* clientConfig of every webhook: the Service's /validate path; caBundle only when given. */}}
{{- define "admission.clientConfig" -}}
service:
  name: {{ .root | include "admission.fullname" }}
  namespace: {{ .root.Release.Namespace }}
  path: /validate
  port: {{ .root.Values.service.port }}
{{- with .caBundle }}
caBundle: {{ . }}
{{- end }}
{{- end }}

{{/* Settings shared by the three webhooks: fail closed, no side effects, v1 reviews only. */}}
{{- define "admission.webhookCommon" -}}
failurePolicy: Fail
sideEffects: None
matchPolicy: Equivalent
admissionReviewVersions: ["v1"]
timeoutSeconds: {{ .Values.webhook.timeoutSeconds }}
{{- end }}

{{/* The Secret holding notifications.yaml; empty when notifications are off. */}}
{{- define "admission.notificationsSecretName" -}}
{{- if .Values.notifications.existingSecret }}
{{- .Values.notifications.existingSecret }}
{{- else if .Values.notifications.receivers }}
{{- printf "%s-notifications" (include "admission.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
