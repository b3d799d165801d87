using System;
using System.Threading;

namespace RuntimeDemos.Infrastructure;

/// <summary>Counts how many operations are inside a section at once, and keeps the peak.</summary>
public sealed class ConcurrencyGauge
{
    private int _current;
    private int _peak;

    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Enters the section; dispose the result to leave it.</summary>
    public Section Enter()
    {
        var now = Interlocked.Increment(ref _current);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }
        return new Section(this);
    }

    public readonly struct Section : IDisposable
    {
        private readonly ConcurrencyGauge _gauge;

        public Section(ConcurrencyGauge gauge) => _gauge = gauge;

        public void Dispose() => Interlocked.Decrement(ref _gauge._current);
    }
}
