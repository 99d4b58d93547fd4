using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests;

/// <summary>
/// The sidecar's namespaces (one per folder) depend on each other only downwards, as docs/architecture.md lays them out:
/// checked on the compiled assembly, from every type reference in signatures, base types, attributes and method
/// bodies, so a fully qualified name or a lambda counts as much as a using directive.
/// </summary>
public sealed class NamespaceLayeringTests
{
    private const string Root = "K8sReplication.Sidecar";

    /// <summary>What each namespace may use (besides itself). Leaves first; nothing may use a namespace above it.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Configuration"] = [],
        ["Metrics"] = [],
        ["Security"] = [],
        ["Storage"] = [],
        ["Resilience"] = ["Configuration"],
        ["Wire"] = ["Storage"],
        ["Capture"] = ["Storage", "Resilience", "Configuration"],
        ["Pull"] = ["Storage", "Wire", "Resilience", "Configuration", "Metrics", "Security"],
        ["Repair"] = ["Pull", "Storage", "Wire", "Resilience", "Configuration", "Metrics"],
        ["Backup"] = ["Pull", "Storage", "Wire", "Resilience", "Configuration", "Metrics"],
        // The Redis transport: a tailer per peer stream beside Pull's feed tailer, applying through Pull's BatchApplier and asking Repair for rounds.
        ["Streams"] = ["Pull", "Repair", "Storage", "Wire", "Resilience", "Configuration", "Metrics"],
        ["Engine"] = ["Streams", "Pull", "Repair", "Storage", "Resilience", "Configuration", "Metrics", "Security"],
        ["Serve"] = ["Engine", "Repair", "Storage", "Wire", "Resilience", "Configuration", "Metrics", "Security"],
        ["Hosting"] = ["Serve", "Engine", "Streams", "Repair", "Capture", "Pull", "Backup", "Storage", "Wire", "Resilience", "Configuration", "Metrics", "Security"],
        [""] = ["Hosting", "Backup", "Configuration"],
    };

    [Fact]
    public void SidecarNamespaces_UseOnlyTheNamespacesBelowThem()
    {
        var violations = Violations(Dependencies());

        Assert.True(violations.Count == 0, "namespace dependencies outside the layering:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void SidecarNamespaces_HaveNoCycles()
    {
        var cycle = FindCycle(Dependencies());

        Assert.True(cycle is null, "namespace cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void EveryNamespaceOfTheSidecar_HasALayer()
    {
        var unknown = Dependencies().Keys.Where(n => !Allowed.ContainsKey(n)).ToList();

        Assert.True(unknown.Count == 0, "namespaces missing from the layering: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Layering_IsItselfAcyclic()
    {
        Assert.Null(FindCycle(Allowed.ToDictionary(p => p.Key, p => p.Value.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal)));
    }

    [Fact]
    public void Dependencies_SeeReferencesInMethodBodies()
    {
        // No signature of Hosting names a Capture type, nor one of Serve an Engine type: these only appear in method
        // bodies (services.AddHostedService<FoldLoop>(), GetRequiredService<EngineStateMachine>()).
        var dependencies = Dependencies();

        Assert.Contains("Capture", dependencies["Hosting"]);
        Assert.Contains("Engine", dependencies["Serve"]);
    }

    [Fact]
    public void RuleCheck_UpwardDependencyAndCycle_AreReported()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["Storage"] = ["Serve"],
            ["Serve"] = ["Storage", "Engine"],
            ["Engine"] = ["Storage"],
        };

        Assert.Equal(["Storage -> Serve"], Violations(graph));
        var cycle = FindCycle(graph);
        Assert.NotNull(cycle);
        Assert.Contains("Storage", cycle);
        Assert.Equal(cycle[0], cycle[^1]);
    }

    private static List<string> Violations(Dictionary<string, HashSet<string>> graph) =>
        [.. graph.SelectMany(p => p.Value.Where(to => !Allowed.TryGetValue(p.Key, out var ok) || !ok.Contains(to)).Select(to => $"{Show(p.Key)} -> {Show(to)}"))
            .Order(StringComparer.Ordinal)];

    private static string Show(string ns) => ns.Length == 0 ? Root : ns;

    /// <summary>A cycle as its path (first node repeated at the end), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } found)
            {
                return found;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out var s))
            {
                return s == 1 ? [.. path.Skip(path.IndexOf(node)), node] : null;
            }

            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>Namespace (relative to the root, "" for the root) to the other sidecar namespaces its types reference.</summary>
    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        using var stream = File.OpenRead(typeof(ReplicaStore).Assembly.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var provider = new NamespaceCollector(md);
        foreach (var handle in md.TypeDefinitions)
        {
            var from = provider.OwnNamespace(handle);
            if (from is null)
            {
                continue; // compiler-generated helpers outside our namespaces
            }

            var used = graph.TryGetValue(from, out var set) ? set : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var to in provider.ReferencedBy(handle, pe))
            {
                if (to != from)
                {
                    used.Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>Collects the sidecar namespaces a type definition refers to.</summary>
    private sealed class NamespaceCollector(MetadataReader md) : ISignatureTypeProvider<IEnumerable<string>, object?>
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
            .GetFields()
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        public string? OwnNamespace(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            while (type.GetDeclaringType() is { IsNil: false } outer)
            {
                type = md.GetTypeDefinition(outer);
            }

            var ns = md.GetString(type.Namespace);
            return ns == Root ? "" : ns.StartsWith(Root + ".", StringComparison.Ordinal) ? ns[(Root.Length + 1)..] : null;
        }

        public IEnumerable<string> ReferencedBy(TypeDefinitionHandle handle, PEReader pe)
        {
            var type = md.GetTypeDefinition(handle);
            var found = new List<string>();
            found.AddRange(OfEntity(type.BaseType));
            foreach (var i in type.GetInterfaceImplementations())
            {
                found.AddRange(OfEntity(md.GetInterfaceImplementation(i).Interface));
            }

            found.AddRange(OfAttributes(type.GetCustomAttributes()));
            foreach (var p in type.GetGenericParameters())
            {
                foreach (var c in md.GetGenericParameter(p).GetConstraints())
                {
                    found.AddRange(OfEntity(md.GetGenericParameterConstraint(c).Type));
                }
            }

            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                found.AddRange(field.DecodeSignature(this, null));
                found.AddRange(OfAttributes(field.GetCustomAttributes()));
            }

            foreach (var p in type.GetProperties())
            {
                found.AddRange(md.GetPropertyDefinition(p).DecodeSignature(this, null).ReturnType);
            }

            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var signature = method.DecodeSignature(this, null);
                found.AddRange(signature.ReturnType);
                found.AddRange(signature.ParameterTypes.SelectMany(t => t));
                found.AddRange(OfAttributes(method.GetCustomAttributes()));
                if (method.RelativeVirtualAddress != 0)
                {
                    found.AddRange(OfBody(pe.GetMethodBody(method.RelativeVirtualAddress)));
                }
            }

            return found;
        }

        private IEnumerable<string> OfAttributes(CustomAttributeHandleCollection attributes) =>
            attributes.SelectMany(a => OfEntity(md.GetCustomAttribute(a).Constructor));

        private List<string> OfBody(MethodBodyBlock body)
        {
            var found = new List<string>();
            if (!body.LocalSignature.IsNil)
            {
                found.AddRange(md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null).SelectMany(t => t));
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                short code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (short)(0xFE00 | il.ReadByte());
                }

                switch (Operands[code])
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        found.AddRange(OfEntity(MetadataTokens.EntityHandle(il.ReadInt32())));
                        break;
                    case OperandType.InlineSig:
                        found.AddRange(md.GetStandaloneSignature((StandaloneSignatureHandle)MetadataTokens.EntityHandle(il.ReadInt32()))
                            .DecodeMethodSignature(this, null) is var s ? s.ReturnType.Concat(s.ParameterTypes.SelectMany(t => t)) : []);
                        break;
                    case OperandType.InlineSwitch:
                        var count = il.ReadInt32();
                        il.Offset += count * 4;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }

            return found;
        }

        private IEnumerable<string> OfEntity(EntityHandle handle)
        {
            if (handle.IsNil)
            {
                return [];
            }

            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return GetTypeFromDefinition(md, (TypeDefinitionHandle)handle, 0);
                case HandleKind.TypeSpecification:
                    return md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                case HandleKind.MethodDefinition:
                    return GetTypeFromDefinition(md, md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType(), 0);
                case HandleKind.FieldDefinition:
                    return GetTypeFromDefinition(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType(), 0);
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return OfEntity(spec.Method).Concat(spec.DecodeSignature(this, null).SelectMany(t => t));
                case HandleKind.MemberReference:
                    var member = md.GetMemberReference((MemberReferenceHandle)handle);
                    var parent = OfEntity(member.Parent);
                    if (member.GetKind() == MemberReferenceKind.Field)
                    {
                        return parent.Concat(member.DecodeFieldSignature(this, null));
                    }

                    var signature = member.DecodeMethodSignature(this, null);
                    return parent.Concat(signature.ReturnType).Concat(signature.ParameterTypes.SelectMany(t => t));
                default:
                    return []; // type references: other assemblies
            }
        }

        public IEnumerable<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            OwnNamespace(handle) is { } ns ? [ns] : [];

        public IEnumerable<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];

        public IEnumerable<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public IEnumerable<string> GetSZArrayType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetArrayType(IEnumerable<string> elementType, ArrayShape shape) => elementType;

        public IEnumerable<string> GetByReferenceType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetPointerType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetPinnedType(IEnumerable<string> elementType) => elementType;

        public IEnumerable<string> GetGenericInstantiation(IEnumerable<string> genericType, ImmutableArray<IEnumerable<string>> typeArguments) =>
            genericType.Concat(typeArguments.SelectMany(t => t));

        public IEnumerable<string> GetModifiedType(IEnumerable<string> modifier, IEnumerable<string> unmodifiedType, bool isRequired) =>
            modifier.Concat(unmodifiedType);

        public IEnumerable<string> GetFunctionPointerType(MethodSignature<IEnumerable<string>> signature) =>
            signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t));

        public IEnumerable<string> GetGenericMethodParameter(object? genericContext, int index) => [];

        public IEnumerable<string> GetGenericTypeParameter(object? genericContext, int index) => [];

        public IEnumerable<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
    }
}
