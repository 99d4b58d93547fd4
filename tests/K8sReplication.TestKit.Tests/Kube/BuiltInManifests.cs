namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>Built-in kinds shaped like what our chart will install.</summary>
internal static class BuiltInManifests
{
    public static string Operator(string image) => $$"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: k8srepl-system
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: op
          namespace: k8srepl-system
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: op
          namespace: k8srepl-system
          labels: {app: op}
        spec:
          replicas: 1
          selector:
            matchLabels: {app: op}
          template:
            metadata:
              labels: {app: op}
            spec:
              serviceAccountName: op
              containers:
              - name: op
                image: {{image}}
                ports:
                - containerPort: 8080
                  name: http
                env:
                - name: MODE
                  value: operator
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: op
          namespace: k8srepl-system
        spec:
          selector: {app: op}
          ports:
          - port: 80
            targetPort: 8080
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: k8srepl-op
        rules:
        - apiGroups: ["replication.k8srepl.dev"]
          resources: ["replicationmeshes", "replicationmeshes/status"]
          verbs: ["get", "list", "watch", "update", "patch"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: k8srepl-op
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: k8srepl-op
        subjects:
        - kind: ServiceAccount
          name: op
          namespace: k8srepl-system
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata:
          name: op
          namespace: k8srepl-system
        rules:
        - apiGroups: ["coordination.k8s.io"]
          resources: ["leases"]
          verbs: ["get", "create", "update"]
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: op
          namespace: k8srepl-system
        spec:
          maxUnavailable: 1
          selector:
            matchLabels: {app: op}
        ---
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata:
          name: k8srepl
        webhooks:
        - name: meshes.k8srepl.dev
          admissionReviewVersions: ["v1"]
          sideEffects: None
          clientConfig:
            service:
              name: op
              namespace: k8srepl-system
              path: /validate
          rules:
          - apiGroups: ["replication.k8srepl.dev"]
            apiVersions: ["v1alpha1"]
            operations: ["CREATE", "UPDATE"]
            resources: ["replicationmeshes"]
        """;
}
