using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>A CancellationToken that code at some position can pass on, and how to write it.</summary>
internal readonly struct TokenInScope
{
    public TokenInScope(ISymbol symbol, string expression)
    {
        Symbol = symbol;
        Expression = expression;
    }

    /// <summary>The parameter or local that holds the token (or its CancellationTokenSource).</summary>
    public ISymbol Symbol { get; }

    /// <summary>C# text for the token: <c>ct</c>, or <c>cts.Token</c> for a token source.</summary>
    public string Expression { get; }
}

/// <summary>The shared answer to "which CancellationToken is in scope here?".</summary>
internal static class CancellationTokens
{
    /// <summary>
    /// Looks outward from <paramref name="operation"/>, innermost function first. In each function,
    /// the locals already declared around the operation are asked before the function's parameters
    /// (a linked or timeout token source declared in the body is more specific than the caller's
    /// token), then a parameter that carries one (<see cref="TryFindCarrier"/>): a minimal-API handler
    /// <c>async (HttpContext context) =&gt; ...</c> answers <c>context.RequestAborted</c>, not the token of
    /// the method that registers it. The first place that holds exactly one token answers; a place with
    /// two tokens is ambiguous and answers nothing, since guessing would pass the wrong one. Captures
    /// stop at a static lambda or static local function.
    /// </summary>
    /// <param name="containingSymbol">The analysis context's containing symbol (the member).</param>
    public static bool TryFindInScope(IOperation operation, ISymbol containingSymbol, KnownTypes types, out TokenInScope token)
    {
        token = default;
        if (types.CancellationToken is null)
            return false;

        var position = operation.Syntax.SpanStart;
        var locals = ImmutableArray.CreateBuilder<ILocalSymbol>();
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IBlockOperation block:
                    locals.AddRange(block.Locals);
                    break;
                case IUsingOperation @using:
                    locals.AddRange(@using.Locals);
                    break;
                case ILoopOperation loop:
                    locals.AddRange(loop.Locals);
                    break;
                case ICatchClauseOperation @catch:
                    locals.AddRange(@catch.Locals);
                    break;
                case ISwitchCaseOperation @case:
                    locals.AddRange(@case.Locals);
                    break;
                case IAnonymousFunctionOperation lambda:
                    if (TryDecide(locals, lambda.Symbol.Parameters, position, types, out token) || TryFindCarrier(lambda.Symbol.Parameters, types, out token))
                        return true;
                    if (lambda.Symbol.IsStatic)
                        return false;
                    locals.Clear();
                    break;
                case ILocalFunctionOperation localFunction:
                    if (TryDecide(locals, localFunction.Symbol.Parameters, position, types, out token) || TryFindCarrier(localFunction.Symbol.Parameters, types, out token))
                        return true;
                    if (localFunction.Symbol.IsStatic)
                        return false;
                    locals.Clear();
                    break;
            }

            if (current.Parent is null)
            {
                var parameters = containingSymbol is IMethodSymbol member ? member.Parameters : ImmutableArray<IParameterSymbol>.Empty;
                return TryDecide(locals, parameters, position, types, out token) || TryFindCarrier(parameters, types, out token);
            }
        }

        return false;
    }

    private static bool TryDecide(ImmutableArray<ILocalSymbol>.Builder locals, ImmutableArray<IParameterSymbol> parameters, int position, KnownTypes types, out TokenInScope token)
    {
        token = default;
        ISymbol? tokenLocal = null;
        ISymbol? sourceLocal = null;
        int tokenLocals = 0, sourceLocals = 0;
        foreach (var local in locals)
        {
            if (!IsDeclaredAndAssignedBefore(local, position))
                continue;
            if (IsCancellationToken(local.Type, types))
            {
                tokenLocals++;
                tokenLocal = local;
            }
            else if (SymbolEqualityComparer.Default.Equals(local.Type, types.CancellationTokenSource))
            {
                sourceLocals++;
                sourceLocal = local;
            }
        }

        if (tokenLocals > 1)
            return false;
        if (tokenLocals == 1)
        {
            token = new TokenInScope(tokenLocal!, Escape(tokenLocal!.Name));
            return true;
        }
        if (sourceLocals > 1)
            return false;
        if (sourceLocals == 1)
        {
            token = new TokenInScope(sourceLocal!, Escape(sourceLocal!.Name) + ".Token");
            return true;
        }

        IParameterSymbol? found = null;
        foreach (var parameter in parameters)
        {
            if (parameter.RefKind is RefKind.Out || !IsCancellationToken(parameter.Type, types))
                continue;
            if (found is not null)
                return false;
            found = parameter;
        }

        if (found is null)
            return false;
        token = new TokenInScope(found, Escape(found.Name));
        return true;
    }

    /// <summary>
    /// After a function's own tokens: a parameter whose type carries the operation's token in an obvious property,
    /// <c>HttpContext.RequestAborted</c> or a <c>CancellationToken</c> property (gRPC's
    /// ServerCallContext, message-bus consume contexts). Exactly one such parameter, or none.
    /// </summary>
    private static bool TryFindCarrier(ImmutableArray<IParameterSymbol> parameters, KnownTypes types, out TokenInScope token)
    {
        token = default;
        var found = 0;
        foreach (var parameter in parameters)
        {
            if (CarriedTokenProperty(parameter.Type, types) is not { } property)
                continue;
            found++;
            token = new TokenInScope(parameter, Escape(parameter.Name) + "." + property.Name);
        }
        return found == 1;
    }

    /// <summary>The property through which a value of <paramref name="type"/> carries a token: RequestAborted or CancellationToken.</summary>
    public static IPropertySymbol? CarriedTokenProperty(ITypeSymbol? type, KnownTypes types)
    {
        for (var current = type; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
        {
            foreach (var name in CarrierPropertyNames)
            {
                foreach (var member in current.GetMembers(name))
                {
                    if (member is IPropertySymbol { IsStatic: false } property && IsCancellationToken(property.Type, types))
                        return property;
                }
            }
        }
        return null;
    }

    private static readonly string[] CarrierPropertyNames = { "RequestAborted", "CancellationToken" };

    /// <summary>The overload of <paramref name="method"/> that takes a token: same name, same parameters, and one more, a trailing CancellationToken.</summary>
    public static IMethodSymbol? FindTokenOverload(IMethodSymbol method, KnownTypes types)
    {
        for (var type = method.ContainingType; type is not null; type = type.BaseType)
        {
            foreach (var member in type.GetMembers(method.Name))
            {
                if (member is not IMethodSymbol candidate || candidate.IsStatic != method.IsStatic
                    || candidate.Parameters.Length != method.Parameters.Length + 1
                    || candidate.TypeParameters.Length != method.TypeParameters.Length
                    || !IsCancellationToken(candidate.Parameters[candidate.Parameters.Length - 1].Type, types))
                    continue;
                var same = true;
                for (var i = 0; i < method.Parameters.Length && same; i++)
                {
                    same = method.Parameters[i].RefKind == candidate.Parameters[i].RefKind
                        && (SymbolEqualityComparer.Default.Equals(method.Parameters[i].Type, candidate.Parameters[i].Type)
                            || method.Parameters[i].Type.TypeKind == TypeKind.TypeParameter && candidate.Parameters[i].Type.TypeKind == TypeKind.TypeParameter);
                }
                if (same && !candidate.Parameters[method.Parameters.Length - (method.Parameters.Length > 0 && method.Parameters[method.Parameters.Length - 1].IsParams ? 1 : 0)].IsParams)
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>An argument that hands the callee a token inside a value (an HttpContext, a ResilienceContext).</summary>
    public static bool CarriesToken(IArgumentOperation argument, KnownTypes types)
        => argument.ArgumentKind != ArgumentKind.DefaultValue && CarriedTokenProperty(OperationTree.Unwrap(argument.Value)?.Type, types) is not null;

    public static bool IsCancellationToken(ITypeSymbol? type, KnownTypes types)
        => type is not null && SymbolEqualityComparer.Default.Equals(type, types.CancellationToken);

    private static bool IsDeclaredAndAssignedBefore(ILocalSymbol local, int position)
    {
        if (local.DeclaringSyntaxReferences.Length == 0)
            return false;
        var reference = local.DeclaringSyntaxReferences[0];
        if (reference.Span.End > position)
            return false;
        // 'CancellationToken ct;' assigned later: using it here would not compile.
        return reference.GetSyntax() is not VariableDeclaratorSyntax { Initializer: null };
    }

    private static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
