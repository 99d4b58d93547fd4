using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Json;

namespace K8sReplication.Observability.Hosting;

/// <summary>The web host builder both executables start from.</summary>
public static class ServiceHostBuilder
{
    /// <summary>
    /// A slim ASP.NET Core builder that watches no files. The default builder loads appsettings*.json from the
    /// working directory with reload-on-change, which puts a recursive file watcher on that directory; a sidecar whose
    /// working directory holds the database then handled an inotify event, and stat calls, for every page SQLite
    /// wrote (several percent of its CPU under load). Neither executable reads appsettings, so those sources are
    /// removed and the content root is the application's own directory.
    /// </summary>
    public static WebApplicationBuilder CreateSlim()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        var sources = builder.Configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                sources.RemoveAt(i);
            }
        }

        return builder;
    }
}
