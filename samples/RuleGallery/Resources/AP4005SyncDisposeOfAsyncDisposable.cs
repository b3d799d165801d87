using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace RuleGallery.Resources;

// AP4005: an IAsyncDisposable disposed with plain using in async code.
public static class Exporter
{
    // Pitfall: disposing flushes the buffered writes synchronously, blocking the thread.
    public static async Task ExportBlockingAsync(string path, string csv)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true); // AP4005
        await file.WriteAsync(Encoding.UTF8.GetBytes(csv));
    }

    // Correct twin.
    public static async Task ExportAsync(string path, string csv)
    {
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await file.WriteAsync(Encoding.UTF8.GetBytes(csv));
    }
}

// AP4005: a dependency-injection scope from CreateScope() disposed with plain using in async code.
public sealed class ReportJob
{
    private readonly IServiceScopeFactory _scopes;

    public ReportJob(IServiceScopeFactory scopes) => _scopes = scopes;

    // Pitfall: the scope's Dispose blocks on its services' async clean-up, and throws for one that is only IAsyncDisposable.
    public async Task RunBlockingAsync()
    {
        using var scope = _scopes.CreateScope(); // AP4005
        await scope.ServiceProvider.GetRequiredService<ReportWriter>().WriteAsync();
    }

    // Correct twin.
    public async Task RunAsync()
    {
        await using var scope = _scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ReportWriter>().WriteAsync();
    }
}

public sealed class ReportWriter : IAsyncDisposable
{
    public Task WriteAsync() => Task.CompletedTask;
    public ValueTask DisposeAsync() => default;
}

// AP4005: a type with a DisposeAsync() by pattern (no IAsyncDisposable) disposed with plain using.
public sealed class UploadSession : IDisposable
{
    public Task SendAsync(byte[] chunk) => Task.CompletedTask;
    public ValueTask DisposeAsync() => default; // commits the upload
    public void Dispose() { } // abandons it
}

public static class Uploader
{
    // Pitfall: DisposeAsync never runs.
    public static async Task UploadBlockingAsync(byte[] chunk)
    {
        using var session = new UploadSession(); // AP4005
        await session.SendAsync(chunk);
    }

    // Correct twin: 'await using' calls DisposeAsync by pattern.
    public static async Task UploadAsync(byte[] chunk)
    {
        await using var session = new UploadSession();
        await session.SendAsync(chunk);
    }
}
