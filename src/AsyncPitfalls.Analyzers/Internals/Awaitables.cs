using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Internals;

/// <summary>The shared answer to "is this awaitable?" and "may an async method return this?".</summary>
internal static class Awaitables
{
    /// <summary>
    /// True for Task, Task&lt;T&gt;, ValueTask, ValueTask&lt;T&gt; and any type with an accessible instance
    /// <c>GetAwaiter()</c> whose result has <c>IsCompleted</c>, <c>GetResult()</c> and implements
    /// <c>INotifyCompletion</c> (the C# await pattern). Results are cached per compilation.
    /// </summary>
    public static bool IsAwaitable(this KnownTypes types, ITypeSymbol? type)
    {
        if (type is null || type.TypeKind == TypeKind.Error)
            return false;
        if (types.IsTaskOrValueTask(type))
            return true;
        if (type.SpecialType != SpecialType.None || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            return false;
        // The pattern check walks the type's members and bases, and the question comes for nearly every
        // invocation the rules see: answer it once per type and compilation.
        var known = CompilationCaches.For(types).AwaiterPatterns;
        if (known.TryGetValue(type, out var answer))
            return answer;
        return known.GetOrAdd(type, HasAwaiterPattern(types, type, model: null, position: 0));
    }

    /// <summary>
    /// Like <see cref="IsAwaitable(KnownTypes, ITypeSymbol?)"/>, and also counts a <c>GetAwaiter</c>
    /// extension method in scope at <paramref name="position"/>. Costs a lookup: call it only once a
    /// cheaper filter has passed.
    /// </summary>
    public static bool IsAwaitable(this KnownTypes types, ITypeSymbol? type, SemanticModel model, int position)
    {
        if (types.IsAwaitable(type))
            return true;
        return type is not null && type.TypeKind != TypeKind.Error && HasAwaiterPattern(types, type, model, position);
    }

    /// <summary>Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
    public static bool IsTaskOrValueTask(this KnownTypes types, ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
            return false;
        var definition = named.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(definition, types.Task)
            || SymbolEqualityComparer.Default.Equals(definition, types.TaskOfT)
            || SymbolEqualityComparer.Default.Equals(definition, types.ValueTask)
            || SymbolEqualityComparer.Default.Equals(definition, types.ValueTaskOfT)
            || InheritsFrom(named, types.Task);
    }

    /// <summary>
    /// A return type that makes a method "async code" even without the async keyword: a task-like
    /// type (the known tasks or one with [AsyncMethodBuilder]) or an async stream.
    /// </summary>
    public static bool IsAsyncReturnType(this KnownTypes types, ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
            return false;
        if (types.IsTaskOrValueTask(named))
            return true;
        var definition = named.OriginalDefinition;
        if (SymbolEqualityComparer.Default.Equals(definition, types.IAsyncEnumerableOfT)
            || SymbolEqualityComparer.Default.Equals(definition, types.IAsyncEnumeratorOfT))
            return true;
        return TypeLookup.HasAttribute(named, types.AsyncMethodBuilderAttribute);
    }

    /// <summary>The T of Task&lt;T&gt; / ValueTask&lt;T&gt;; null for the non-generic forms and other types.</summary>
    public static ITypeSymbol? GetTaskResultType(this KnownTypes types, ITypeSymbol? type)
    {
        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named
            && (SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, types.TaskOfT)
                || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, types.ValueTaskOfT)))
            return named.TypeArguments[0];
        return null;
    }

    private static bool InheritsFrom(INamedTypeSymbol type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
            return false;
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
                return true;
        }
        return false;
    }

    private static bool HasAwaiterPattern(KnownTypes types, ITypeSymbol type, SemanticModel? model, int position)
    {
        foreach (var candidate in GetAwaiterCandidates(type, model, position))
        {
            if (candidate.Parameters.Length == 0 && candidate.TypeParameters.Length == 0 && IsAwaiter(types, candidate.ReturnType))
                return true;
        }
        return false;
    }

    private static System.Collections.Generic.IEnumerable<IMethodSymbol> GetAwaiterCandidates(ITypeSymbol type, SemanticModel? model, int position)
    {
        if (model is null)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                foreach (var member in current.GetMembers(WellKnownMemberNames.GetAwaiter))
                {
                    if (member is IMethodSymbol { IsStatic: false, DeclaredAccessibility: Accessibility.Public } method)
                        yield return method;
                }
            }
            yield break;
        }

        foreach (var symbol in model.LookupSymbols(position, type, WellKnownMemberNames.GetAwaiter, includeReducedExtensionMethods: true))
        {
            if (symbol is IMethodSymbol { IsStatic: false } method)
                yield return method;
        }
    }

    private static bool IsAwaiter(KnownTypes types, ITypeSymbol awaiter)
    {
        if (types.INotifyCompletion is { } notify && !awaiter.AllInterfaces.Contains(notify, SymbolEqualityComparer.Default))
            return false;
        // By name: on a constructed awaiter (TaskAwaiter<T>), asking for all members substitutes every one of them.
        var hasIsCompleted = false;
        foreach (var member in awaiter.GetMembers(WellKnownMemberNames.IsCompleted))
            hasIsCompleted |= member is IPropertySymbol { Type.SpecialType: SpecialType.System_Boolean, IsStatic: false };
        var hasGetResult = false;
        foreach (var member in awaiter.GetMembers(WellKnownMemberNames.GetResult))
            hasGetResult |= member is IMethodSymbol { Parameters.Length: 0, IsStatic: false };
        return hasIsCompleted && hasGetResult;
    }
}
