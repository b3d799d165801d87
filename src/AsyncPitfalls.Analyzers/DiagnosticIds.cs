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

    /// <summary>AP2001: an awaitable result discarded.</summary>
    public const string DiscardedTask = "AP2001";

    /// <summary>AP2002: a task stored in a local and never observed, or used as a value.</summary>
    public const string UnobservedTaskLocal = "AP2002";

    /// <summary>AP2003: tasks collected in a loop and never awaited.</summary>
    public const string UnobservedTaskCollection = "AP2003";

    /// <summary>AP2004: async void methods other than event handlers.</summary>
    public const string AsyncVoid = "AP2004";

    /// <summary>AP2005: an async lambda converted to a void-returning delegate.</summary>
    public const string AsyncLambdaToVoidDelegate = "AP2005";

    /// <summary>AP2006: StartNew or new Task with an async delegate, not unwrapped.</summary>
    public const string NestedTask = "AP2006";

    /// <summary>AP2007: a task returned without await from inside using, try or lock.</summary>
    public const string TaskReturnedFromScope = "AP2007";

    /// <summary>AP3001: inconsistent lock ordering (a cycle in the lock-order graph).</summary>
    public const string LockOrderInversion = "AP3001";

    /// <summary>AP3002: a lock acquired and released without a try/finally.</summary>
    public const string ReleaseNotInFinally = "AP3002";

    /// <summary>AP3003: a read-modify-write of shared state split by an await.</summary>
    public const string ReadModifyWriteAcrossAwait = "AP3003";

    /// <summary>AP3004: blocking on a task or sleeping while holding a lock.</summary>
    public const string BlockingWhileHoldingLock = "AP3004";

    /// <summary>AP3005: a thread-affine lock held across an await.</summary>
    public const string ThreadAffineLockAcrossAwait = "AP3005";

    /// <summary>AP3006: an acquisition inside the try whose finally releases it.</summary>
    public const string AcquireInsideTry = "AP3006";

    /// <summary>AP4001: an HttpClient or handler never disposed, stored or returned.</summary>
    public const string UndisposedHttpClient = "AP4001";

    /// <summary>AP4002: an HttpClient created per operation.</summary>
    public const string HttpClientPerOperation = "AP4002";

    /// <summary>AP4003: an HttpResponseMessage not disposed.</summary>
    public const string UndisposedResponse = "AP4003";

    /// <summary>AP4004: a CancellationTokenSource not disposed.</summary>
    public const string UndisposedTokenSource = "AP4004";

    /// <summary>AP4005: an IAsyncDisposable disposed synchronously in async code.</summary>
    public const string SyncDisposeOfAsyncDisposable = "AP4005";

    /// <summary>AP5001: a catch of OperationCanceledException that swallows it.</summary>
    public const string SwallowedCancellation = "AP5001";

    /// <summary>AP5002: a catch-all around cancellable work that swallows cancellation.</summary>
    public const string CatchAllSwallowsCancellation = "AP5002";

    /// <summary>AP5003: a CancellationToken in scope not passed to a call that accepts one.</summary>
    public const string TokenNotForwarded = "AP5003";

    /// <summary>AP5004: a loop in a token-accepting method that never observes the token.</summary>
    public const string LoopIgnoresToken = "AP5004";

    /// <summary>AP5005: Task.WhenAny timeouts and first-completed waits that leave work running.</summary>
    public const string WhenAnyLeavesWorkRunning = "AP5005";

    /// <summary>AP5006: catching TaskCanceledException misses OperationCanceledException.</summary>
    public const string CatchTaskCanceledOnly = "AP5006";
}
