using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Patching;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>A test CRD shaped like our future ReplicationMesh CRD, and custom resources of it.</summary>
internal static class TestManifests
{
    public const string MeshCrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: replicationmeshes.replication.k8srepl.dev
        spec:
          group: replication.k8srepl.dev
          scope: Namespaced
          names:
            kind: ReplicationMesh
            listKind: ReplicationMeshList
            plural: replicationmeshes
            singular: replicationmesh
            shortNames: [rmesh]
            categories: [k8srepl]
          versions:
            - name: v1alpha1
              served: true
              storage: true
              subresources:
                status: {}
              additionalPrinterColumns:
                - name: Members
                  type: integer
                  jsonPath: .status.members
                - name: Ready
                  type: integer
                  jsonPath: .status.readyMembers
                - name: Converged
                  type: string
                  jsonPath: .status.conditions[?(@.type=="Converged")].status
                - name: Max-Lag
                  type: string
                  jsonPath: .status.maxLag
                - name: Age
                  type: date
                  jsonPath: .metadata.creationTimestamp
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [selector]
                      properties:
                        selector:
                          type: object
                          properties:
                            matchLabels:
                              type: object
                              additionalProperties:
                                type: string
                        replicationPort:
                          type: integer
                          minimum: 1
                          maximum: 65535
                          default: 7070
                        mode:
                          type: string
                          enum: [MultiMaster, Primary]
                          default: MultiMaster
                        databases:
                          type: array
                          minItems: 1
                          items:
                            type: string
                            pattern: '^[a-z][a-z0-9-]*$'
                            maxLength: 20
                        extra:
                          type: object
                          x-kubernetes-preserve-unknown-fields: true
                    status:
                      type: object
                      properties:
                        members:
                          type: integer
                        readyMembers:
                          type: integer
                        maxLag:
                          type: string
                        conditions:
                          type: array
                          items:
                            type: object
                            x-kubernetes-preserve-unknown-fields: true
        """;

    public const string OrdersMeshYaml = """
        apiVersion: replication.k8srepl.dev/v1alpha1
        kind: ReplicationMesh
        metadata:
          name: orders
        spec:
          selector:
            matchLabels:
              app: orders
          databases: [orders]
        """;

    public const string InvalidMeshYaml = """
        apiVersion: replication.k8srepl.dev/v1alpha1
        kind: ReplicationMesh
        metadata:
          name: broken
        spec:
          selector: {}
          replicationPort: 70000
        """;

    public static JsonNode MeshCrdJson() => YamlToJson.Parse(MeshCrdYaml)!;
}
