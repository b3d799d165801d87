using System;
using System.Collections.Generic;
using System.Text;

namespace AsyncPitfalls.Benchmarks;

/// <summary>
/// Writes a deterministic corpus of ordinary async C#: per module an entity record, a repository behind a
/// <c>SemaphoreSlim</c> with a file store, an HTTP client wrapper, a service that calls the previous module's
/// service (so call chains and lock graphs span the whole program), and a background worker. Each module has
/// a few "pitfall slots" where, at a fixed rate, the code takes the pitfall instead of the correct shape,
/// the way a real code base carries a few of them.
/// </summary>
public static class CorpusGenerator
{
    private static readonly string[] Entities =
    {
        "Order", "Customer", "Invoice", "Product", "Shipment", "Payment", "Account", "Ticket", "Booking", "Review",
        "Report", "Device", "Session", "Message", "Document", "Subscription", "Warehouse", "Supplier", "Contract", "Claim",
    };

    /// <summary>
    /// Modules until <paramref name="targetLines"/> is reached, one file each. Each pitfall slot takes the
    /// pitfall in one module in <paramref name="pitfallEvery"/> (5% by default), in a fixed rotation rather
    /// than by a random draw, so every size carries the same share of each pitfall: a draw left the first 50k
    /// lines with one lock inversion where the 1M lines had 127, and reports cost time too.
    /// </summary>
    public static List<(string Path, string Text)> Generate(int targetLines, int pitfallEvery = 20)
    {
        var files = new List<(string, string)>();
        var lines = 0;
        for (var module = 0; lines < targetLines; module++)
        {
            var text = Module(module, pitfallEvery);
            lines += CountLines(text);
            files.Add(($"Module{module:D5}.cs", text));
        }
        return files;
    }

    public static int CountLines(string text)
    {
        var count = 1;
        foreach (var c in text)
        {
            if (c == '\n')
                count++;
        }
        return count;
    }

    /// <summary>
    /// Slot k of module i takes its pitfall when i + k * SlotStride is a multiple of the period: with the
    /// default period of 20, the eight slots come due in eight different modules, one pitfall per module at most.
    /// </summary>
    private const int SlotStride = 7;

    private static string Module(int index, int pitfallEvery)
    {
        var entity = Entities[index % Entities.Length] + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var area = Entities[index % Entities.Length] + "s";
        var previous = index == 0 ? null : Entities[(index - 1) % Entities.Length] + (index - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var slot = 0;
        bool Pitfall() => (index + SlotStride * slot++) % pitfallEvery == 0;

        var s = new StringBuilder(12 * 1024);
        s.Append($$"""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.IO;
            using System.Linq;
            using System.Net.Http;
            using System.Net.Http.Json;
            using System.Text.Json;
            using System.Threading;
            using System.Threading.Tasks;

            namespace Corpus.{{area}}{{index}};

            public sealed record {{entity}}(Guid Id, string Name, decimal Amount, DateTimeOffset CreatedAt)
            {
                public bool IsLarge => Amount > 1000m;

                public {{entity}} WithAmount(decimal amount) => this with { Amount = amount };
            }

            public interface I{{entity}}Repository
            {
                Task<{{entity}}?> FindAsync(Guid id, CancellationToken cancellationToken);

                Task<IReadOnlyList<{{entity}}>> ListAsync(int page, int pageSize, CancellationToken cancellationToken);

                Task SaveAsync({{entity}} item, CancellationToken cancellationToken);

                int CachedCount { get; }
            }

            public sealed class {{entity}}Repository : I{{entity}}Repository, IDisposable
            {
                private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web);
                private readonly SemaphoreSlim _gate = new(1, 1);
                private readonly Dictionary<Guid, {{entity}}> _cache = new();
                private readonly object _statsLock = new();
                private readonly string _directory;
                private int _reads;
                private int _writes;

                public {{entity}}Repository(string directory)
                {
                    _directory = directory ?? throw new ArgumentNullException(nameof(directory));
                    Directory.CreateDirectory(_directory);
                }

                public int CachedCount
                {
                    get
                    {
                        lock (_statsLock)
                        {
                            return _cache.Count;
                        }
                    }
                }

                public async Task<{{entity}}?> FindAsync(Guid id, CancellationToken cancellationToken)
                {
                    await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        if (_cache.TryGetValue(id, out var cached))
                        {
                            CountRead();
                            return cached;
                        }
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    var path = PathFor(id);
                    if (!File.Exists(path))
                        return null;

            """);
        s.Append(Pitfall()
            ? $$"""
                        var json = File.ReadAllText(path);
                        var item = JsonSerializer.Deserialize<{{entity}}>(json, SerializerOptions);

                """
            : $$"""
                        await using var stream = File.OpenRead(path);
                        var item = await JsonSerializer.DeserializeAsync<{{entity}}>(stream, SerializerOptions, cancellationToken).ConfigureAwait(false);

                """);
        s.Append($$"""
                    if (item is null)
                        return null;

                    await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        _cache[id] = item;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    CountRead();
                    return item;
                }

                public async Task<IReadOnlyList<{{entity}}>> ListAsync(int page, int pageSize, CancellationToken cancellationToken)
                {
                    if (page < 0)
                        throw new ArgumentOutOfRangeException(nameof(page));
                    var results = new List<{{entity}}>(pageSize);
                    foreach (var path in Directory.EnumerateFiles(_directory, "*.json").OrderBy(p => p, StringComparer.Ordinal).Skip(page * pageSize).Take(pageSize))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var id = Guid.Parse(Path.GetFileNameWithoutExtension(path));
                        var item = await FindAsync(id, cancellationToken).ConfigureAwait(false);
                        if (item is not null)
                            results.Add(item);
                    }
                    return results;
                }

                public async Task SaveAsync({{entity}} item, CancellationToken cancellationToken)
                {
                    ArgumentNullException.ThrowIfNull(item);
                    await using (var stream = File.Create(PathFor(item.Id)))
                    {
                        await JsonSerializer.SerializeAsync(stream, item, SerializerOptions, cancellationToken).ConfigureAwait(false);
                    }

                    await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        _cache[item.Id] = item;
                    }
                    finally
                    {
                        _gate.Release();
                    }
                    lock (_statsLock)
                    {
                        _writes++;
                    }
                }

                public (int Reads, int Writes) Statistics()
                {
                    lock (_statsLock)
                    {
                        return (_reads, _writes);
                    }
                }

                public void Touch()
                {
                    lock (_statsLock)
                    {
                        _reads++;
                    }
                }

                public void Dispose() => _gate.Dispose();

                private void CountRead()
                {
                    lock (_statsLock)
                    {
                        _reads++;
                    }
                }

                private string PathFor(Guid id) => Path.Combine(_directory, id.ToString("N") + ".json");
            }

            public sealed class {{entity}}Client
            {
                private readonly HttpClient _http;

                public {{entity}}Client(HttpClient http) => _http = http;

                public async Task<{{entity}}?> GetAsync(Guid id, CancellationToken cancellationToken)
                {
                    using var response = await _http.GetAsync($"{{area.ToLowerInvariant()}}/{id:N}", cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
                        return null;
                    response.EnsureSuccessStatusCode();
                    return await response.Content.ReadFromJsonAsync<{{entity}}>(cancellationToken).ConfigureAwait(false);
                }

            """);
        s.Append(Pitfall()
            ? $$"""
                    public async Task<string> GetRawAsync(Guid id, CancellationToken cancellationToken)
                    {
                        using var http = new HttpClient();
                        return await http.GetStringAsync($"https://example.invalid/{{area.ToLowerInvariant()}}/{id:N}", cancellationToken).ConfigureAwait(false);
                    }

                """
            : $$"""
                    public async Task<string> GetRawAsync(Guid id, CancellationToken cancellationToken)
                    {
                        return await _http.GetStringAsync($"{{area.ToLowerInvariant()}}/{id:N}", cancellationToken).ConfigureAwait(false);
                    }

                """);
        s.Append($$"""
                public async Task<bool> PostAsync({{entity}} item, CancellationToken cancellationToken)
                {
                    using var response = await _http.PostAsJsonAsync("{{area.ToLowerInvariant()}}", item, cancellationToken).ConfigureAwait(false);
                    return response.IsSuccessStatusCode;
                }
            }

            public sealed class {{entity}}Service
            {
                private readonly I{{entity}}Repository _repository;
                private readonly {{entity}}Repository _store;
                private readonly {{entity}}Client _client;

            """);
        if (previous is not null)
            s.Append($"    private readonly Corpus.{Entities[(index - 1) % Entities.Length]}s{index - 1}.{previous}Service _upstream;\n");
        s.Append($$"""
                private readonly object _syncRoot = new();
                private readonly object _auditLock = new();
                private readonly List<string> _audit = new();
                private decimal _total;

                public {{entity}}Service({{entity}}Repository repository, {{entity}}Client client{{(previous is null ? "" : $", Corpus.{Entities[(index - 1) % Entities.Length]}s{index - 1}.{previous}Service upstream")}})
                {
                    _repository = repository;
                    _store = repository;
                    _client = client;
            {{(previous is null ? "" : "        _upstream = upstream;\n")}}    }

                public decimal Total
                {
                    get
                    {
                        lock (_syncRoot)
                        {
                            return _total;
                        }
                    }
                }

                public async Task<{{entity}}> GetOrFetchAsync(Guid id, CancellationToken cancellationToken)
                {
                    var local = await _repository.FindAsync(id, cancellationToken).ConfigureAwait(false);
                    if (local is not null)
                        return local;

            """);
        s.Append(Pitfall()
            ? "        var remote = _client.GetAsync(id, cancellationToken).Result\n"
            : "        var remote = await _client.GetAsync(id, cancellationToken).ConfigureAwait(false)\n");
        s.Append($$"""
                        ?? throw new KeyNotFoundException($"{{entity}} {id} was not found.");
                    await _repository.SaveAsync(remote, cancellationToken).ConfigureAwait(false);
                    return remote;
                }

                public async Task<int> ImportAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
                {
                    var imported = 0;
                    foreach (var batch in ids.Chunk(8))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var items = await Task.WhenAll(batch.Select(id => GetOrFetchAsync(id, cancellationToken))).ConfigureAwait(false);
                        foreach (var item in items)
                        {
                            Accumulate(item.Amount);
                            imported++;
                        }

            """);
        s.Append(Pitfall()
            ? "            Thread.Sleep(50);\n"
            : "            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);\n");
        s.Append($$"""
                    }
                    return imported;
                }

                public async Task<bool> TrySyncAsync({{entity}} item, int attempts, CancellationToken cancellationToken)
                {
                    for (var attempt = 1; attempt <= attempts; attempt++)
                    {
                        try
                        {
                            if (await _client.PostAsync(item, cancellationToken).ConfigureAwait(false))
                                return true;
                        }
                        catch (HttpRequestException ex) when (attempt < attempts)
                        {
                            Audit($"attempt {attempt} failed: {ex.Message}");
                        }

            """);
        s.Append(Pitfall()
            ? """
                            catch (OperationCanceledException)
                            {
                                Audit("cancelled");
                            }

                """
            : """
                            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                            {
                                Audit("timed out");
                            }

                """);
        s.Append($$"""
                        var backoff = TimeSpan.FromMilliseconds(100 * Math.Pow(2, attempt) + Random.Shared.Next(0, 50));
                        await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    }
                    return false;
                }

                public async Task SaveAllAsync(IEnumerable<{{entity}}> items, CancellationToken cancellationToken)
                {
                    var pending = new List<Task>();
                    foreach (var item in items)
                        pending.Add(_repository.SaveAsync(item, cancellationToken));
                    await Task.WhenAll(pending).ConfigureAwait(false);

            """);
        s.Append(Pitfall()
            ? "        _repository.SaveAsync(new " + entity + "(Guid.NewGuid(), \"marker\", 0m, DateTimeOffset.UtcNow), cancellationToken);\n"
            : "        await _repository.SaveAsync(new " + entity + "(Guid.NewGuid(), \"marker\", 0m, DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);\n");
        s.Append($$"""
                }

                public void Accumulate(decimal amount)
                {
                    lock (_syncRoot)
                    {
                        _total += amount;
                        lock (_auditLock)
                        {
                            _audit.Add($"+{amount}");
                        }
                    }
                }

                public void Reconcile()
                {

            """);
        s.Append(Pitfall()
            ? """
                        lock (_auditLock)
                        {
                            lock (_syncRoot)
                            {
                                _audit.Add($"total {_total}");
                            }
                        }

                """
            : """
                        lock (_syncRoot)
                        {
                            lock (_auditLock)
                            {
                                _audit.Add($"total {_total}");
                            }
                        }

                """);
        s.Append($$"""
                    lock (_syncRoot)
                    {
                        _store.Touch();
                    }
                }

                public async Task<decimal> ChainTotalAsync(CancellationToken cancellationToken)
                {
                    await Task.Yield();
            {{(previous is null ? "        return Total;\n" : "        return Total + await _upstream.ChainTotalAsync(cancellationToken).ConfigureAwait(false);\n")}}    }

                public decimal ChainTotal()
                {
            {{(previous is null ? "        return Total;\n" : "        return Total + _upstream.ChainTotal();\n")}}    }

                public IReadOnlyList<string> AuditTrail()
                {
                    lock (_auditLock)
                    {
                        return _audit.ToArray();
                    }
                }

                private void Audit(string entry)
                {
                    lock (_auditLock)
                    {
                        _audit.Add(entry);
                    }
                }
            }

            public sealed class {{entity}}Worker : IAsyncDisposable
            {
                private readonly {{entity}}Service _service;
                private readonly ConcurrentQueue<Guid> _queue = new();
                private readonly CancellationTokenSource _stopping = new();
                private Task? _loop;

                public {{entity}}Worker({{entity}}Service service) => _service = service;

                public void Enqueue(Guid id) => _queue.Enqueue(id);

                public void Start() => _loop = RunAsync(_stopping.Token);

                public async ValueTask DisposeAsync()
                {
                    _stopping.Cancel();
                    if (_loop is not null)
                    {
                        try
                        {
                            await _loop.ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            // Stopping is the expected way out of the loop.
                        }
                    }
                    _stopping.Dispose();
                }

                private async Task RunAsync(CancellationToken cancellationToken)
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        var batch = new List<Guid>();
                        while (batch.Count < 16 && _queue.TryDequeue(out var id))
                            batch.Add(id);
                        if (batch.Count == 0)
                        {

            """);
        s.Append(Pitfall()
            ? "                await Task.Delay(TimeSpan.FromMilliseconds(200));\n"
            : "                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);\n");
        s.Append("""
                            continue;
                        }
                        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                        timeout.CancelAfter(TimeSpan.FromSeconds(30));
                        await _service.ImportAsync(batch, timeout.Token).ConfigureAwait(false);
                    }
                }
            }

            """);
        return s.ToString();
    }
}
