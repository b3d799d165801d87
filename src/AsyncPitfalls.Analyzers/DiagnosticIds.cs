namespace AsyncPitfalls;

/// <summary>Rule identifiers, numbered by family as in the rule catalog (docs/README.md).</summary>
public static class DiagnosticIds
{
    /// <summary>AP1001: synchronous waits on tasks in async code.</summary>
    public const string SyncWaitInAsyncCode = "AP1001";

    /// <summary>AP1002: <c>Thread.Sleep</c> in async code.</summary>
    public const string ThreadSleepInAsyncCode = "AP1002";

    /// <summary>AP1003: a synchronous call whose awaitable counterpart exists, in async code.</summary>
    public const string AsyncCounterpartInAsyncCode = "AP1003";

    /// <summary>AP1004: async code calling a synchronous method of the compilation that blocks.</summary>
    public const string TransitiveBlocking = "AP1004";
}
