using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Http;

internal sealed partial class ApiRequestHandler
{
    /// <summary><c>/openapi/v3</c> and its group/version documents; <c>/openapi/v2</c> is absent (kubectl prefers v3).</summary>
    private async Task ServeOpenApiAsync(HttpContext context, string[] segments)
    {
        var catalog = _store.Catalog;
        var document = segments switch
        {
            ["openapi", "v3"] => OpenApiDocuments.Index(catalog),
            ["openapi", "v3", "api", var version] => OpenApiDocuments.GroupVersion(catalog, "", version),
            ["openapi", "v3", "apis", var group, var version] => OpenApiDocuments.GroupVersion(catalog, group, version),
            _ => null,
        };
        if (document is null)
        {
            throw ApiErrors.ResourceNotFound("/" + string.Join('/', segments));
        }

        await WriteJsonAsync(context, 200, document);
    }
}
