using System;
using System.Threading;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// Samples <see cref="ThreadPool.ThreadCount"/> from a dedicated thread (a pool thread could not
/// watch a starved pool) and keeps the peak.
/// </summary>
public sealed class ThreadPoolMonitor : IDisposable
{
    private readonly Thread _sampler;
    private volatile bool _stopped;
    private int _peak;

    private ThreadPoolMonitor()
    {
        Start = ThreadPool.ThreadCount;
        _peak = Start;
        _sampler = new Thread(Sample) { IsBackground = true, Name = "thread-pool monitor" };
        _sampler.Start();
    }

    public int Start { get; }

    public int Peak => Volatile.Read(ref _peak);

    public static ThreadPoolMonitor StartNew() => new();

    public void Dispose()
    {
        _stopped = true;
        _sampler.Join();
    }

    private void Sample()
    {
        while (!_stopped)
        {
            var count = ThreadPool.ThreadCount;
            if (count > _peak)
                Volatile.Write(ref _peak, count);
            Thread.Sleep(5);
        }
    }
}
