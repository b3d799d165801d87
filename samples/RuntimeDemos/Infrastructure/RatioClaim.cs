using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// A timing claim "the slow side takes at least <see cref="Margin"/> times as long as the fast side" (a pitfall
/// against its fix, one by one against together), judged with a bounded re-measure: an attempt under the margin
/// is measured again, up to <see cref="MaxAttempts"/> in all, so one stall of a busy machine does not fail the
/// claim, while an effect that is not there (the pitfall as fast as its fix, or faster) fails every attempt and
/// the claim. The verdict is the last attempt's; every attempt's ratio is printed with it.
/// </summary>
public sealed class RatioClaim
{
    public const int DefaultAttempts = 3;

    private readonly List<double> _ratios = new();

    public RatioClaim(string what, double margin, int maxAttempts = DefaultAttempts)
    {
        Check.RequireMargin(margin);
        if (maxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt.");
        What = what;
        Margin = margin;
        MaxAttempts = maxAttempts;
    }

    public string What { get; }

    public double Margin { get; }

    public int MaxAttempts { get; }

    /// <summary>Each attempt's slow / fast ratio, in order.</summary>
    public IReadOnlyList<double> Ratios => _ratios;

    /// <summary>The last attempt cleared the margin.</summary>
    public bool Holds => _ratios.Count > 0 && _ratios[^1] >= Margin;

    /// <summary>No further attempt is due: the margin is cleared, or the attempts are used up.</summary>
    public bool Decided => Holds || _ratios.Count >= MaxAttempts;

    /// <summary>Records one attempt's measurements; <see cref="Decided"/> says whether another is due.</summary>
    public RatioClaim Add(double slow, double fast)
    {
        if (Decided)
            throw new InvalidOperationException($"'{What}' is decided after {_ratios.Count} attempt(s); no more measurements are taken.");
        _ratios.Add(Check.RatioOf(slow, fast));
        return this;
    }

    public RatioClaim Add(TimeSpan slow, TimeSpan fast) => Add(slow.TotalMilliseconds, fast.TotalMilliseconds);

    /// <summary>The judged ratio with the margin, and the earlier attempts when there were any.</summary>
    public Check ToCheck()
    {
        if (_ratios.Count == 0)
            return new Check(What, "not measured", ">= " + Check.FormatRatio(Margin), false);
        var measured = _ratios.Count == 1
            ? Check.FormatRatio(_ratios[0])
            : $"{Check.FormatRatio(_ratios[^1])} (attempt {_ratios.Count} of at most {MaxAttempts}; before: {string.Join(", ", _ratios.SkipLast(1).Select(Check.FormatRatio))})";
        return new Check(What, measured, ">= " + Check.FormatRatio(Margin), Holds);
    }

    /// <summary>
    /// Runs <paramref name="measure"/> (which must measure both sides, so both share the machine's moment) until
    /// the claim is decided. Returns the last attempt's measurements, which the verdict is about.
    /// </summary>
    public static async Task<(T Last, RatioClaim Claim)> MeasureAsync<T>(
        string what, double margin, Func<Task<T>> measure, Func<T, (TimeSpan Slow, TimeSpan Fast)> sides, int maxAttempts = DefaultAttempts)
    {
        var claim = new RatioClaim(what, margin, maxAttempts);
        T last;
        do
        {
            last = await measure();
            var (slow, fast) = sides(last);
            claim.Add(slow, fast);
        }
        while (!claim.Decided);
        return (last, claim);
    }
}
