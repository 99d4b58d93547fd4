namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>The built-in kinds the emulator stores generically (same metadata, versioning, watch and delete semantics).</summary>
internal static class BuiltInResources
{
    private static readonly PrinterColumn NameColumn = new("Name", "string", ".metadata.name", "Name must be unique within a namespace.", 0, "name");
    private static readonly PrinterColumn AgeColumn = new("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0);

    /// <summary>
    /// The real server's Event columns (priority 1 shows with <c>-o wide</c>). Cells marked computed are filled by the
    /// Table converter the way the real printer fills them (ages that fall back to eventTime/series, kind/name).
    /// </summary>
    private static readonly PrinterColumn[] EventColumns =
    [
        new("Last Seen", "string", ".lastTimestamp", "The time at which the most recent occurrence of this event was recorded.", 0),
        new("Type", "string", ".type", "Type of this event (Normal, Warning), new types could be added in the future", 0),
        new("Reason", "string", ".reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0),
        new("Object", "string", ".involvedObject", "The object that this event is about.", 0),
        new("Subobject", "string", ".involvedObject.fieldPath", "The object that this event is about.", 1),
        new("Source", "string", ".source", "The component reporting this event. Should be a short machine understandable string.", 1),
        new("Message", "string", ".message", "A human-readable description of the status of this operation.", 0),
        new("First Seen", "string", ".firstTimestamp", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
        new("Count", "string", ".count", "The number of times this event has occurred.", 1),
        new("Name", "string", ".metadata.name", "Name must be unique within a namespace.", 1, "name"),
    ];

    /// <summary>The real server's webhook configuration columns: an integer column over a list prints its length.</summary>
    private static readonly PrinterColumn[] WebhookColumns =
    [
        NameColumn,
        new("Webhooks", "integer", ".webhooks", "Webhooks indicates the number of webhooks in the configuration.", 0),
        AgeColumn,
    ];

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Core("pods", "pod", "Pod", true, ["po"], status: true, categories: ["all"],
            columns: [NameColumn, new("Status", "string", ".status.phase", "The pod phase.", 0), new("IP", "string", ".status.podIP", "The pod IP.", 1), AgeColumn]),
        Core("configmaps", "configmap", "ConfigMap", true, ["cm"]),
        Core("secrets", "secret", "Secret", true, [], columns: [NameColumn, new("Type", "string", ".type", "Secret type.", 0), AgeColumn]),
        Core("services", "service", "Service", true, ["svc"], status: true, categories: ["all"],
            columns: [NameColumn, new("Type", "string", ".spec.type", "Service type.", 0), new("Cluster-IP", "string", ".spec.clusterIP", "Cluster IP.", 0), AgeColumn]),
        Core("events", "event", "Event", true, ["ev"], columns: EventColumns),
        Core("namespaces", "namespace", "Namespace", false, ["ns"], status: true,
            columns: [NameColumn, new("Status", "string", ".status.phase", "The namespace phase.", 0), AgeColumn]),
        Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, ["sa"]),
        Core("persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, ["pvc"], status: true),
        Core("endpoints", "endpoints", "Endpoints", true, ["ep"]),
        Make("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], true, ["all"]),
        Make("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, ["sts"], true, ["all"]),
        Make("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ["rs"], true, ["all"]),
        Make("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, ["ds"], true, ["all"]),
        Make("events.k8s.io", "v1", "events", "event", "Event", true, ["ev"], false, [], EventColumns) with { Conversion = EventsV1Conversion.Instance },
        Make("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, [], false, [],
            [NameColumn, new("Holder", "string", ".spec.holderIdentity", "Holder.", 0), AgeColumn]),
        Make("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, ["crd", "crds"], true, ["api-extensions"],
            [NameColumn, new("Created At", "date", ".metadata.creationTimestamp", "Created at.", 0)]),
        Make("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, [], false, []),
        Make("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, [], false, []),
        Make("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, [], false, []),
        Make("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, [], false, []),
        Make("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ["netpol"], false, []),
        Make("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, ["pdb"], true, []),
        Make("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", false, [], false, ["api-extensions"], WebhookColumns),
        Make("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", "MutatingWebhookConfiguration", false, [], false, ["api-extensions"], WebhookColumns),
    ];

    public static IReadOnlyList<PrinterColumn> DefaultColumns { get; } = [NameColumn, AgeColumn];

    public static PrinterColumn Name => NameColumn;

    public static PrinterColumn Age => AgeColumn;

    private static ResourceType Core(string plural, string singular, string kind, bool namespaced, string[] shortNames,
        bool status = false, string[]? categories = null, PrinterColumn[]? columns = null) =>
        Make("", "v1", plural, singular, kind, namespaced, shortNames, status, categories ?? [], columns);

    private static ResourceType Make(string group, string version, string plural, string singular, string kind, bool namespaced,
        string[] shortNames, bool status, string[] categories, PrinterColumn[]? columns = null) => new()
        {
            Group = group,
            Version = version,
            Plural = plural,
            Singular = singular,
            Kind = kind,
            Namespaced = namespaced,
            ShortNames = shortNames,
            Categories = categories,
            HasStatus = status,
            Columns = columns ?? [NameColumn, AgeColumn],
        };
}
