{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "k8s-replication.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: release-chart unless the release name already contains the chart name. */}}
{{- define "k8s-replication.fullname" -}}
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

{{- define "k8s-replication.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Kubernetes recommended labels (app.kubernetes.io/*) on every object. */}}
{{- define "k8s-replication.labels" -}}
helm.sh/chart: {{ include "k8s-replication.chart" . }}
{{ include "k8s-replication.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: k8s-replication
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator pods; never change them (Deployment selectors are immutable). */}}
{{- define "k8s-replication.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-replication.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The selector labels as KEY=VALUE,KEY=VALUE: how mesh NetworkPolicies name the operator's pods. */}}
{{- define "k8s-replication.selectorLabelList" -}}
app.kubernetes.io/name={{ include "k8s-replication.name" . }},app.kubernetes.io/instance={{ .Release.Name }}
{{- end }}

{{- define "k8s-replication.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "k8s-replication.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "k8s-replication.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* Leader election is on when asked for or whenever more than one replica runs. */}}
{{- define "k8s-replication.leaderElect" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* The Lease the operator's leader election uses: a fixed name in the operator (OperatorOptions.LeaseName). */}}
{{- define "k8s-replication.leaseName" -}}
k8srepl-operator
{{- end }}

{{- define "k8s-replication.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/* The one namespace watched when scope is "namespace". */}}
{{- define "k8s-replication.watchNamespace" -}}
{{- default .Release.Namespace .Values.watch.namespace }}
{{- end }}

{{/*
The operator's rules on meshes, pods, ConfigMaps, Secrets and Events: exactly the calls it makes (see
docs/operator-rbac.md). Informers list+watch meshes, pods and ConfigMaps; the finalizer is added/removed with a
patch; status is replaced through the status subresource; the ConfigMap is read, created and replaced; the token
Secret is read by name (and used only when it carries the label replication.k8srepl.dev/mesh-auth=true). With
networkPolicy.enabled, NetworkPolicies are listed and watched, and each mesh's own one is read, created, replaced and
deleted.
"update replicationmeshes/finalizers" lets the ConfigMap's ownerReference set
blockOwnerDeletion (OwnerReferencesPermissionEnforcement).
*/}}
{{- define "k8s-replication.operatorRules" -}}
- apiGroups: ["replication.k8srepl.dev"]
  resources: ["replicationmeshes"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["replication.k8srepl.dev"]
  resources: ["replicationmeshes/status"]
  verbs: ["update"]
- apiGroups: ["replication.k8srepl.dev"]
  resources: ["replicationmeshes/finalizers"]
  verbs: ["update"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- if .Values.networkPolicy.enabled }}
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
{{- end }}
{{- end }}

{{/* The sidecar snippet NOTES.txt prints: a native sidecar (Kubernetes >= 1.29) for the user's pod template. */}}
{{- define "k8s-replication.sidecarSnippet" -}}
{{- $s := .Values.sidecar -}}
initContainers:
  - name: k8srepl-sidecar
    image: {{ printf "%s:%s" $s.image.repository (default .Chart.AppVersion $s.image.tag) }}
    restartPolicy: Always
    args: ["--database", "/data/app.db",
           "--config", "{{ $s.configMountPath }}/$(POD_NAME).json",
           "--token-file", "{{ $s.tokenMountPath }}/token",
           "--state-dir", "/data/.k8srepl",
           "--listen", "0.0.0.0:{{ $s.replicationPort }}",
           "--admin-listen", "0.0.0.0:{{ $s.adminPort }}",
           "--tls-cert", "{{ $s.tlsMountPath }}/$(POD_NAME).crt",
           "--tls-key", "{{ $s.tlsMountPath }}/$(POD_NAME).key",
           "--tls-ca", "{{ $s.tlsMountPath }}/ca.crt"]
    env:
      - name: POD_NAME
        valueFrom: { fieldRef: { fieldPath: metadata.name } }
    ports:
      - { name: k8srepl, containerPort: {{ $s.replicationPort }} }
      - { name: k8srepl-admin, containerPort: {{ $s.adminPort }} }
    startupProbe: { httpGet: { path: /startupz, port: k8srepl-admin }, periodSeconds: 2, failureThreshold: 150 }
    readinessProbe: { httpGet: { path: /readyz, port: k8srepl-admin }, periodSeconds: 5 }
    livenessProbe: { httpGet: { path: /livez, port: k8srepl-admin }, periodSeconds: 10 }
    resources: {{ toJson $s.resources }}
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: [ALL] }, seccompProfile: { type: RuntimeDefault } }
    volumeMounts:
      - { name: data, mountPath: /data }
      - { name: k8srepl-config, mountPath: {{ $s.configMountPath }}, readOnly: true }
      - { name: k8srepl-token, mountPath: {{ $s.tokenMountPath }}, readOnly: true }
      - { name: k8srepl-tls, mountPath: {{ $s.tlsMountPath }}, readOnly: true }
volumes:
  - name: k8srepl-config
    configMap: { name: <mesh>-sidecar-config, optional: true }
  - name: k8srepl-tls
    secret: { secretName: <mesh>-member-tls, optional: true, defaultMode: 0400 }
  - name: k8srepl-token
    secret: { secretName: <token-secret>, defaultMode: 0400, items: [{ key: token, path: token }] }
{{- end }}

{{/* The injection webhook's Service, MutatingWebhookConfiguration (cluster-scoped: the namespace keeps two releases apart) and Secret. */}}
{{- define "k8s-replication.webhookService" -}}
{{- printf "%s-webhook" (include "k8s-replication.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "k8s-replication.webhookConfiguration" -}}
{{- printf "%s-%s-injection" (include "k8s-replication.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "k8s-replication.webhookSecret" -}}
{{- printf "%s-webhook-tls" (include "k8s-replication.fullname" .) }}
{{- end }}

{{- define "k8s-replication.sidecarImage" -}}
{{- printf "%s:%s" .Values.sidecar.image.repository (default .Chart.AppVersion .Values.sidecar.image.tag) }}
{{- end }}

{{/* "cpu=50m,memory=64Mi" from a requests or limits map, for --sidecar-requests / --sidecar-limits. */}}
{{- define "k8s-replication.resourceList" -}}
{{- $entries := list }}
{{- range $name, $quantity := . }}
{{- $entries = append $entries (printf "%s=%v" $name $quantity) }}
{{- end }}
{{- join "," $entries }}
{{- end }}
