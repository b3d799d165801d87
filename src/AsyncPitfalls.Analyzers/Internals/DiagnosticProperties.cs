namespace AsyncPitfalls.Internals;

/// <summary>
/// Keys of <c>Diagnostic.Properties</c>: what an analyzer tells its code fix, so that fixes never
/// repeat the analysis.
/// </summary>
internal static class DiagnosticProperties
{
    /// <summary>C# text of the CancellationToken to forward (absent when none is in scope or it is ambiguous).</summary>
    public const string CancellationToken = "CancellationToken";

    /// <summary>Present when the enclosing function is not yet <c>async</c> and the fix must make it so.</summary>
    public const string MakeEnclosingAsync = "MakeEnclosingAsync";

    /// <summary>AP2001: a discarded <c>ContinueWith</c> whose continuation ignores its antecedent; no rewrite observes the antecedent for the user.</summary>
    public const string ContinuationIgnoresAntecedent = "ContinuationIgnoresAntecedent";

    /// <summary>AP4005: a <c>using</c> of <c>CreateScope()</c>, which the fix turns into <c>await using</c> of <c>CreateAsyncScope()</c>.</summary>
    public const string CreateAsyncScope = "CreateAsyncScope";
}
