using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>A sleep, the blocking operation of AP1002, recognised in one place for it, AP1004 and AP3004.</summary>
internal static class BlockingOperations
{
    /// <summary><c>Thread.Sleep(x)</c> that really waits (<c>Thread.Sleep(0)</c> only yields the time slice).</summary>
    public static bool IsThreadSleep(IInvocationOperation invocation, KnownTypes types)
        => invocation.TargetMethod.Name == "Sleep"
            && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, types.Thread)
            && !(invocation.Arguments.Length == 1 && invocation.Arguments[0].Value.ConstantValue is { HasValue: true, Value: 0 });
}
