using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Blocking;

// AP1004 (Info): async code calls a synchronous helper that blocks further down.
public sealed class ConfigLoader
{
    private readonly string _path;

    public ConfigLoader(string path) => _path = path;

    // Pitfall: nothing here looks blocking, but ReadSettings reads the disk synchronously.
    public async Task<string> StartBlockingAsync()
    {
        await Task.Yield();
        return ReadSettings(); // AP1004
    }

    // Correct twin: an async helper, awaited.
    public async Task<string> StartAsync(CancellationToken cancellationToken)
        => await LoadSettingsAsync(cancellationToken);

    private string ReadSettings() => Normalize(File.ReadAllText(_path));

    private Task<string> LoadSettingsAsync(CancellationToken cancellationToken)
        => File.ReadAllTextAsync(_path, cancellationToken);

    private static string Normalize(string text) => text.Trim();
}
