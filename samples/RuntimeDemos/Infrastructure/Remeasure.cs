using System;
using System.Threading.Tasks;

namespace RuntimeDemos.Infrastructure;

/// <summary>
/// The bounded re-measure for a timing claim that is not a ratio (an order of completion that timers decide): a
/// measurement whose claim does not hold is taken again, up to <see cref="RatioClaim.DefaultAttempts"/> in all,
/// because one stall of a busy machine can bunch timers together. The verdict is the last attempt's, and the
/// demo prints how many attempts it took.
/// </summary>
public static class Remeasure
{
    public static async Task<(T Last, int Attempts)> UntilAsync<T>(Func<Task<T>> measure, Func<T, bool> holds, int maxAttempts = RatioClaim.DefaultAttempts)
    {
        if (maxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt.");
        for (var attempt = 1; ; attempt++)
        {
            var last = await measure();
            if (holds(last) || attempt == maxAttempts)
                return (last, attempt);
        }
    }

    /// <summary>"yes", or "no", with the attempt when it was not the first: the printed form of a re-measured observation.</summary>
    public static Check Observed(string what, bool observed, int attempts, int maxAttempts = RatioClaim.DefaultAttempts)
        => Check.Observed(what, observed, attempts == 1 ? "yes" : $"yes (attempt {attempts} of at most {maxAttempts})",
            attempts == 1 ? "no" : $"no ({attempts} attempts)") with { Required = "yes" };
}
