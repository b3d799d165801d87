using System;
using System.Threading.Tasks;

namespace FixCorpus.Storage;

/// <summary>
/// An upload session from a library written before IAsyncDisposable reached its targets: DisposeAsync() by pattern
/// commits the upload, Dispose() abandons it.
/// </summary>
public sealed class LegacyUploadSession : IDisposable
{
    public Task SendAsync(byte[] chunk) => Task.CompletedTask;
    public ValueTask DisposeAsync() => default;
    public void Dispose() { }
}

public sealed class LegacyUploader
{
    public async Task UploadAsync(byte[][] chunks)
    {
        using var session = new LegacyUploadSession(); // fixable: AP4005 expect: "await using var session"
        foreach (var chunk in chunks)
            await session.SendAsync(chunk);
    }

    public async Task UploadOneAsync(byte[] chunk)
    {
        using (var session = new LegacyUploadSession()) // fixable: AP4005 expect: "await using (var session"
        {
            await session.SendAsync(chunk);
        }
    }

    // Correct look-alikes: 'await using' calls DisposeAsync by pattern; synchronous code has no 'await using' to write.
    public async Task UploadCorrectlyAsync(byte[] chunk)
    {
        await using var session = new LegacyUploadSession();
        await session.SendAsync(chunk);
    }

    public void Abandon()
    {
        using var session = new LegacyUploadSession();
    }
}
