namespace AsyncPitfalls;

/// <summary>Rule identifiers, numbered by family as in the rule catalog (docs/README.md).</summary>
public static class DiagnosticIds
{
    /// <summary>AP1002: <c>Thread.Sleep</c> in async code.</summary>
    public const string ThreadSleepInAsyncCode = "AP1002";
}
