using System;
using System.Globalization;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// One judged part of a demo's claim: what was measured, the margin it had to clear, and whether it did.
/// Every verdict a demo prints is made of these (<see cref="DemoReport.Conclude"/>), so a PASS always rests on
/// numbers shown next to it, and the margin is printed with them.
/// </summary>
public sealed record Check(string What, string Measured, string Required, bool Holds)
{
    /// <summary>
    /// The effect as a ratio: <paramref name="slow"/> took at least <paramref name="margin"/> times as long as
    /// <paramref name="fast"/>. A margin of 1 or less would let noise (or the slow side being faster) pass.
    /// </summary>
    public static Check Ratio(string what, TimeSpan slow, TimeSpan fast, double margin)
        => Ratio(what, slow.TotalMilliseconds, fast.TotalMilliseconds, margin);

    /// <inheritdoc cref="Ratio(string, TimeSpan, TimeSpan, double)"/>
    public static Check Ratio(string what, double slow, double fast, double margin)
    {
        RequireMargin(margin);
        var ratio = RatioOf(slow, fast);
        return new Check(what, FormatRatio(ratio), ">= " + FormatRatio(margin), ratio >= margin);
    }

    /// <summary><paramref name="measured"/> reached <paramref name="minimum"/>.</summary>
    public static Check AtLeast(string what, long measured, long minimum)
        => new(what, N(measured), ">= " + N(minimum), measured >= minimum);

    /// <summary><paramref name="measured"/> stayed at or below <paramref name="maximum"/>.</summary>
    public static Check AtMost(string what, long measured, long maximum)
        => new(what, N(measured), "<= " + N(maximum), measured <= maximum);

    /// <summary>A measured number (a rate, a ratio) that had to stay at or below <paramref name="maximum"/>.</summary>
    public static Check AtMost(string what, double measured, double maximum, string format = "F2")
        => new(what, measured.ToString(format, CultureInfo.InvariantCulture), "<= " + maximum.ToString(format, CultureInfo.InvariantCulture), measured <= maximum);

    public static Check Exactly(string what, long measured, long expected)
        => new(what, N(measured), "= " + N(expected), measured == expected);

    /// <summary>A duration that had to stay under a limit (the limit itself fails).</summary>
    public static Check Under(string what, TimeSpan measured, TimeSpan limit)
        => new(what, Measure.Ms(measured), "< " + Measure.Ms(limit), measured < limit);

    /// <summary>A duration that had to last at least <paramref name="minimum"/>.</summary>
    public static Check NotUnder(string what, TimeSpan measured, TimeSpan minimum)
        => new(what, Measure.Ms(measured), ">= " + Measure.Ms(minimum), measured >= minimum);

    /// <summary>A number that had to fall inside [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Check Between(string what, double measured, double low, double high, string format = "F2")
        => new(what, measured.ToString(format, CultureInfo.InvariantCulture),
            $"{low.ToString(format, CultureInfo.InvariantCulture)} to {high.ToString(format, CultureInfo.InvariantCulture)}", measured >= low && measured <= high);

    /// <summary>An outcome that either happened or did not: an exception observed, an order kept.</summary>
    public static Check Observed(string what, bool observed, string whenObserved = "yes", string whenNot = "no")
        => new(what, observed ? whenObserved : whenNot, whenObserved, observed);

    /// <summary>How many times <paramref name="slow"/> is <paramref name="fast"/>; a zero fast side counts as 0.1 ms, so 0 against 0 is 0x.</summary>
    public static double RatioOf(double slow, double fast) => slow / Math.Max(fast, 0.1);

    public static string FormatRatio(double ratio) => ratio.ToString("0.0#", CultureInfo.InvariantCulture) + "x";

    internal static void RequireMargin(double margin)
    {
        if (!(margin > 1))
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "A ratio claim needs a margin above 1: at 1 or less, noise or the slow side being faster would pass.");
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
