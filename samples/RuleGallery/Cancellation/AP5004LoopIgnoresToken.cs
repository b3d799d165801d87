using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RuleGallery.Cancellation;

// AP5004: a token-taking method whose loop never looks at the token.
public static class Importer
{
    // Pitfall: cancelling waits for every remaining file.
    public static async Task ImportBlockingAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken cancellationToken)
    {
        foreach (var file in files) // AP5004
            await import(file);
    }

    // Correct twin.
    public static async Task ImportAsync(IEnumerable<string> files, Func<string, Task> import, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await import(file);
        }
    }
}
