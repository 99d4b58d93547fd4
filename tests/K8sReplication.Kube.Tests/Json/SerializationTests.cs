using System.Text;
using System.Text.Json;
using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Tests.Json;

public sealed class SerializationTests
{
    [Fact]
    public void LeaseTimes_AreMicroTimeWithSixDigits_AndNullsAreOmitted()
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Name = "l" },
            Spec = new LeaseSpec { HolderIdentity = "a", RenewTime = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567) },
        };
        var json = JsonSerializer.Serialize(lease, KubeJsonContext.Default.Lease);
        Assert.Contains("\"renewTime\":\"2025-03-04T03:06:07.123456Z\"", json);
        Assert.DoesNotContain("null", json);
        Assert.DoesNotContain("acquireTime", json);
        var back = JsonSerializer.Deserialize(json, KubeJsonContext.Default.Lease)!;
        Assert.Equal(lease.Spec.RenewTime!.Value.UtcDateTime.AddTicks(-7), back.Spec.RenewTime!.Value.UtcDateTime);
    }

    [Fact]
    public void MetadataTimes_AreWholeSecondsUtc()
    {
        var meta = new ObjectMeta { CreationTimestamp = new DateTimeOffset(2025, 1, 2, 3, 4, 5, 600, TimeSpan.Zero) };
        Assert.Contains("\"creationTimestamp\":\"2025-01-02T03:04:05Z\"", JsonSerializer.Serialize(meta, KubeJsonContext.Default.ObjectMeta));
    }

    [Fact]
    public void SecretData_IsBase64()
    {
        var secret = new Secret { Data = new Dictionary<string, byte[]> { ["token"] = Encoding.UTF8.GetBytes("s3cret") } };
        var json = JsonSerializer.Serialize(secret, KubeJsonContext.Default.Secret);
        Assert.Contains("\"token\":\"czNjcmV0\"", json);
        var back = JsonSerializer.Deserialize(json, KubeJsonContext.Default.Secret)!;
        Assert.Equal("s3cret", Encoding.UTF8.GetString(back.Data!["token"]));
    }

    [Fact]
    public void Pod_ReadsTheFieldsWeUse_AndIgnoresTheRest()
    {
        var json = """
            {"apiVersion":"v1","kind":"Pod",
             "metadata":{"name":"p","namespace":"n","uid":"u1","resourceVersion":"5","generation":1,"labels":{"app":"x"},
               "ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"s","uid":"u0","controller":true}],
               "managedFields":[{"manager":"kubectl"}],"creationTimestamp":"2025-01-01T00:00:00Z"},
             "spec":{"containers":[{"name":"app","image":"i","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"resources":{}}],
                     "initContainers":[{"name":"sidecar","restartPolicy":"Always","ports":[{"name":"admin","containerPort":9090}]}],
                     "nodeName":"n1","volumes":[]},
             "status":{"phase":"Running","podIP":"10.1.2.3","conditions":[{"type":"Ready","status":"True"}],"hostIP":"1.1.1.1"}}
            """;
        var pod = JsonSerializer.Deserialize(json, KubeJsonContext.Default.Pod)!;
        Assert.Equal(8080, pod.Spec!.Containers[0].Ports![0].Port);
        Assert.Equal(9090, pod.Spec.InitContainers![0].Ports![0].Port);
        Assert.Equal("Always", pod.Spec.InitContainers[0].RestartPolicy);
        Assert.Equal("10.1.2.3", pod.Status!.PodIP);
        Assert.Equal("True", pod.Status.Conditions![0].Status);
        Assert.True(pod.Metadata.OwnerReferences![0].Controller);
        Assert.DoesNotContain("managedFields", JsonSerializer.Serialize(pod, KubeJsonContext.Default.Pod));
        Assert.Contains("\"containerPort\":8080", JsonSerializer.Serialize(pod, KubeJsonContext.Default.Pod));
    }

    [Fact]
    public void GenericObject_KeepsSpecAndStatusAsJson()
    {
        var json = """{"apiVersion":"g/v1","kind":"Thing","metadata":{"name":"t"},"spec":{"size":3,"nested":{"a":[1,2]}},"status":{"ok":true}}""";
        var obj = JsonSerializer.Deserialize(json, KubeJsonContext.Default.GenericObject)!;
        Assert.Equal(3, (int)obj.Spec!["size"]!);
        Assert.True((bool)obj.Status!["ok"]!);
        Assert.Contains("\"nested\":{\"a\":[1,2]}", JsonSerializer.Serialize(obj, KubeJsonContext.Default.GenericObject));
    }
}
