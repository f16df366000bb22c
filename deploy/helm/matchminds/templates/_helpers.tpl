{{/* Names */}}
{{- define "matchminds.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "matchminds.fullname" -}}
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

{{/* Name of one component's objects: <fullname>-<component>. Call with (list $ "web"). */}}
{{- define "matchminds.componentName" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "matchminds.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "matchminds.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "matchminds.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels */}}
{{- define "matchminds.selectorLabels" -}}
app.kubernetes.io/name: {{ include "matchminds.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "matchminds.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "matchminds.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: matchminds
{{- end -}}

{{/* Selector labels of one component. Call with (list $ "web"). */}}
{{- define "matchminds.componentSelectorLabels" -}}
{{ include "matchminds.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "matchminds.componentLabels" -}}
{{ include "matchminds.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* The application image, by digest when one is given. */}}
{{- define "matchminds.image" -}}
{{- $repository := required "image.repository is required: set it to the ECR repository URL" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret holding the app's secrets; fails when no source is configured. */}}
{{- define "matchminds.secretName" -}}
{{- if and .Values.secrets.create .Values.secrets.existingSecret -}}
{{- fail "matchminds: set either secrets.existingSecret or secrets.create=true, not both" -}}
{{- else if .Values.secrets.create -}}
{{- include "matchminds.fullname" . -}}
{{- else if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- fail "matchminds: no secret source. Set secrets.existingSecret to the name of a Secret holding SECRET_KEY, DATABASE_URL and REDIS_URL (see docs/operations.md), or set secrets.create=true with secrets.values" -}}
{{- end -}}
{{- end -}}

{{/*
Checkov findings accepted for the app workloads, each with its reason. Rendered as
annotations next to the objects they apply to.
*/}}
{{- define "matchminds.checkovSkips" -}}
checkov.io/skip1: CKV_K8S_35=Django reads its 12-factor settings from the environment; the Secret is KMS-encrypted in etcd and synced from Secrets Manager
{{- if not .Values.image.digest }}
checkov.io/skip2: CKV_K8S_43=Tag pinned to the git SHA in an ECR repository with immutable tags; CI additionally sets image.digest on deploy
{{- end }}
{{- end -}}

{{/* Environment shared by every app container. */}}
{{- define "matchminds.envFrom" -}}
- configMapRef:
    name: {{ include "matchminds.fullname" . }}
- secretRef:
    name: {{ include "matchminds.secretName" . }}
{{- end -}}

{{/*
prometheus_client multiprocess mode for web and worker: PROMETHEUS_MULTIPROC_DIR on its
own emptyDir, which docker/web.sh and docker/worker.sh empty at container start (the
volume outlives container restarts; stale files would be summed into new values).
*/}}
{{- define "matchminds.multiprocEnv" -}}
- name: PROMETHEUS_MULTIPROC_DIR
  value: {{ .Values.metrics.multiprocess.path | quote }}
{{- end -}}

{{- define "matchminds.multiprocVolume" -}}
- name: prometheus-multiproc
  emptyDir:
    sizeLimit: {{ .Values.metrics.multiprocess.sizeLimit }}
{{- end -}}

{{- define "matchminds.multiprocVolumeMount" -}}
- name: prometheus-multiproc
  mountPath: {{ .Values.metrics.multiprocess.path }}
{{- end -}}

{{/* Writable /tmp for a read-only root filesystem. */}}
{{- define "matchminds.tmpVolume" -}}
- name: tmp
  emptyDir:
    medium: Memory
    sizeLimit: {{ .Values.tmpVolumeSizeLimit }}
{{- end -}}

{{- define "matchminds.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Zone spreading constraints of one component. Call with (list $ "web"). */}}
{{- define "matchminds.topologySpreadConstraints" -}}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: {{ (index . 0).Values.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "matchminds.componentSelectorLabels" . | nindent 6 }}
{{- end -}}

{{/* Checksums so pods restart when their configuration changes. */}}
{{- define "matchminds.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if .Values.secrets.create }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end -}}

{{/* A PodDisruptionBudget spec body from a component's pdb values. */}}
{{- define "matchminds.pdbBudget" -}}
{{- if and (ne (toString .minAvailable) "") (ne (toString .maxUnavailable) "") -}}
{{- fail "matchminds: a pdb sets either minAvailable or maxUnavailable, not both" -}}
{{- else if ne (toString .minAvailable) "" -}}
minAvailable: {{ .minAvailable }}
{{- else if ne (toString .maxUnavailable) "" -}}
maxUnavailable: {{ .maxUnavailable }}
{{- else -}}
{{- fail "matchminds: a pdb needs minAvailable or maxUnavailable" -}}
{{- end -}}
{{- end -}}

{{/* Non-secret settings as a name: value map (the ConfigMap, and the migrate hook's env). */}}
{{- define "matchminds.configData" -}}
{{- $config := .Values.config -}}
DJANGO_SETTINGS_MODULE: {{ $config.settingsModule | quote }}
ALLOWED_HOSTS: {{ required "config.allowedHosts is required (comma-separated host names)" $config.allowedHosts | quote }}
CSRF_TRUSTED_ORIGINS: {{ $config.csrfTrustedOrigins | quote }}
AWS_STORAGE_BUCKET_NAME: {{ $config.storageBucketName | quote }}
AWS_S3_REGION_NAME: {{ $config.s3Region | quote }}
OIDC_OP_ISSUER: {{ $config.oidcIssuer | quote }}
OIDC_OP_LOGOUT_URL: {{ $config.oidcLogoutUrl | quote }}
OIDC_PROVIDER_NAME: {{ $config.oidcProviderName | quote }}
{{- if and (not $config.localLoginEnabled) (not $config.oidcIssuer) }}
{{- fail "matchminds: config.localLoginEnabled=false needs single sign-on: set config.oidcIssuer (and OIDC_RP_CLIENT_ID/SECRET in the Secret)" }}
{{- end }}
LOCAL_LOGIN_ENABLED: {{ ternary "true" "false" (eq (toString $config.localLoginEnabled) "true") | quote }}
TRUSTED_PROXY_HOPS: {{ int $config.trustedProxyHops | toString | quote }}
DEFAULT_FROM_EMAIL: {{ $config.defaultFromEmail | quote }}
ALERTS_SNS_TOPIC_ARN: {{ $config.alertSnsTopicArn | quote }}
ALERTS_SNS_REGION: {{ $config.alertSnsRegion | quote }}
ALERTS_EMAIL_TO: {{ join "," $config.alertEmailTo | quote }}
{{- $dashboardUrl := $config.alertDashboardBaseUrl }}
{{- if and (not $dashboardUrl) .Values.ingress.enabled .Values.ingress.host }}
{{- $dashboardUrl = printf "https://%s" .Values.ingress.host }}
{{- end }}
ALERTS_DASHBOARD_BASE_URL: {{ $dashboardUrl | quote }}
{{- $moderation := .Values.moderation }}
{{- if not (has $moderation.imageBackend (list "local" "rekognition" "azure")) }}
{{- fail (printf "matchminds: moderation.imageBackend must be local, rekognition or azure, not %q" (toString $moderation.imageBackend)) }}
{{- end }}
{{- if and (eq $moderation.imageBackend "azure") (not $moderation.azureEndpoint) }}
{{- fail "matchminds: moderation.imageBackend=azure needs moderation.azureEndpoint (and MODERATION_AZURE_KEY in the Secret)" }}
{{- end }}
{{- if not (has $moderation.chatTextAction (list "mask" "block")) }}
{{- fail (printf "matchminds: moderation.chatTextAction must be mask or block, not %q" (toString $moderation.chatTextAction)) }}
{{- end }}
MODERATION_IMAGE_BACKEND: {{ $moderation.imageBackend | quote }}
MODERATION_REKOGNITION_REGION: {{ $moderation.rekognitionRegion | quote }}
MODERATION_AZURE_ENDPOINT: {{ $moderation.azureEndpoint | quote }}
MODERATION_CHAT_TEXT_ACTION: {{ $moderation.chatTextAction | quote }}
MODERATION_AUTO_HIDE_REPORTERS: {{ int $moderation.autoHideReporters | toString | quote }}
MODERATION_EVIDENCE_RETENTION_DAYS: {{ int $moderation.evidenceRetentionDays | toString | quote }}
MODERATION_REPORTS_PER_DAY: {{ int $moderation.reportsPerDay | toString | quote }}
MODERATION_UPLOADS_PER_HOUR: {{ int $moderation.uploadsPerHour | toString | quote }}
MODERATION_SUSPENSION_DAYS: {{ int $moderation.suspensionDays | toString | quote }}
MODERATION_APPEAL_WINDOW_DAYS: {{ int $moderation.appealWindowDays | toString | quote }}
CHAT_IDLE_ARCHIVE_DAYS: {{ int $moderation.idleChatArchiveDays | toString | quote }}
{{- if not (has $config.logFormat (list "json" "plain")) }}
{{- fail (printf "matchminds: config.logFormat must be json or plain, not %q" (toString $config.logFormat)) }}
{{- end }}
LOG_FORMAT: {{ $config.logFormat | quote }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ $config.otlpEndpoint | quote }}
OTEL_TRACES_SAMPLER: {{ $config.tracesSampler | quote }}
OTEL_TRACES_SAMPLER_ARG: {{ $config.tracesSamplerArg | toString | quote }}
SENTRY_ENVIRONMENT: {{ $config.sentryEnvironment | default .Release.Namespace | quote }}
SENTRY_RELEASE: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
{{- range $name, $value := $config.extraEnv }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
