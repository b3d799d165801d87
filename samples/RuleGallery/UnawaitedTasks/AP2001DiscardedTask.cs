using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2001: an awaitable result dropped as a statement.
public sealed class AuditTrail
{
    private readonly IAuditStore _store;

    public AuditTrail(IAuditStore store) => _store = store;

    // Pitfall: the write runs in the background; if it fails, nobody knows.
    public void Record(string entry)
    {
        _store.AppendAsync(entry); // AP2001
    }

    // Correct twin: the caller waits for the write and sees its failure.
    public async Task RecordAsync(string entry) => await _store.AppendAsync(entry);

    // Not flagged: a deliberate fire-and-forget says so.
    public void RecordInBackground(string entry) => _ = _store.AppendAsync(entry);
}

// AP2001: a continuation that ignores the task it continues, itself dropped.
public sealed class CacheWarmer
{
    private readonly IAuditStore _store;
    private int _warmed;

    public CacheWarmer(IAuditStore store) => _store = store;

    // Pitfall: the continuation runs whether the write failed or not and never reads it; nobody sees its exception.
    public void Warm(string entry)
    {
        _store.AppendAsync(entry).ContinueWith(_ => _warmed++); // AP2001
    }

    // Correct twin: the continuation looks at the task it continues.
    public void WarmObserved(string entry)
    {
        _store.AppendAsync(entry).ContinueWith(t =>
        {
            if (t.IsFaulted)
                System.Console.Error.WriteLine(t.Exception);
            else
                _warmed++;
        });
    }
}

public interface IAuditStore
{
    Task AppendAsync(string entry);
}
