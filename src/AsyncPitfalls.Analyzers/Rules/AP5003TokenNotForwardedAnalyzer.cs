using System.Collections.Concurrent;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP5003: a CancellationToken is in scope (a parameter, a local, a token source's Token, an
/// <c>HttpContext.RequestAborted</c>-style property) and a call that could take it does not: an
/// overload with a trailing token, or an optional token parameter left out, <c>Task.Delay</c> included.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TokenNotForwardedAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the name of the token parameter to pass it to.</summary>
    internal const string ParameterProperty = "Parameter";

    /// <summary>Diagnostic property: present when the token can go last, by position.</summary>
    internal const string PositionalProperty = "Positional";

    /// <summary>Diagnostic property on an <c>await foreach</c>: "Sequence" (append <c>.WithCancellation(token)</c>) or "ConfigureAwait" (insert it before).</summary>
    internal const string EnumerationProperty = "Enumeration";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.TokenNotForwarded,
        title: "Forward the CancellationToken",
        messageFormat: "'{0}' can take a CancellationToken; pass '{1}' so it stops when the operation is cancelled",
        category: RuleCategories.Cancellation,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A call that accepts a CancellationToken but is not given the one in scope keeps running after the caller "
            + "has given up: the request is aborted, the service is stopping, the timeout has passed. Pass the token on. Bridge "
            + "overloads that call back into the caller, arguments that already carry the token and callees whose token means "
            + "something else are not reported.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.TokenNotForwarded));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types) || types.CancellationToken is null)
                return;
            var overloads = new ConcurrentDictionary<IMethodSymbol, IMethodSymbol?>(SymbolEqualityComparer.Default);
            var inMemory = new InMemoryTypes(start.Compilation, types);
            start.RegisterOperationAction(c => Analyze(c, types, inMemory, overloads), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeAwaitForEach(c, types, overloads), OperationKind.Loop);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownTypes types, InMemoryTypes inMemory, ConcurrentDictionary<IMethodSymbol, IMethodSymbol?> overloads)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (PassesToken(invocation, types, out var omittedParameter) || IsTokenOfAnotherMeaning(method, types))
            return;

        // Cheap questions first: only a call that could take a token looks for one in scope.
        IParameterSymbol target;
        IMethodSymbol tokenTaker;
        if (omittedParameter is not null)
        {
            target = omittedParameter;
            tokenTaker = method;
        }
        else if (TokenOverload(method.OriginalDefinition, types, overloads) is { } overload)
        {
            target = overload.Parameters[overload.Parameters.Length - 1];
            tokenTaker = overload;
        }
        else
        {
            return;
        }
        if (DoesNotWait(invocation))
            return;

        // A bridge ('Foo() => Foo(CancellationToken.None)') or the caller itself: passing the token would recurse or loop back.
        var caller = AsyncCode.EnclosingFunction(invocation, context.ContainingSymbol);
        if (caller is not null && (SymbolEqualityComparer.Default.Equals(tokenTaker.OriginalDefinition, caller.OriginalDefinition)
            || omittedParameter is null && CompilationCaches.For(types).Bodies.Mentions(tokenTaker, caller.Name)))
            return;
        if (ArgumentCarriesToken(invocation, types)
            || !TryFindToken(invocation, context.ContainingSymbol, types, out var token)
            || DelegateArgumentUses(invocation, token.Symbol, types) || EnumeratedWithAToken(invocation, types))
            return;

        // The token would change nothing: the wait is already bounded by it, it cannot fire while the call runs, or the call only touches memory.
        if (TokenMakesNoDifference.IsBoundedByToken(invocation, token.Symbol, types)
            || token.Symbol is ILocalSymbol source && SymbolEqualityComparer.Default.Equals(source.Type, types.CancellationTokenSource)
                && TokenMakesNoDifference.IsSourceCancelledOnlyHere(invocation, source)
            || TokenMakesNoDifference.OnlyTouchesMemory(invocation, inMemory))
            return;

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.CancellationToken] = token.Expression;
        properties[ParameterProperty] = target.Name;
        if (omittedParameter is null && AllPositional(invocation) || omittedParameter is not null && IsNextPosition(invocation, omittedParameter))
            properties[PositionalProperty] = "true";
        context.Report(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties.ToImmutable(), SymbolNames.Qualified(method), token.Expression));
    }

    /// <summary>
    /// The token in scope (<see cref="CancellationTokens.TryFindInScope"/>), or, where the functions around the call hold
    /// none, the token the method's object keeps for its operation (<see cref="MemberTokens"/>).
    /// </summary>
    private static bool TryFindToken(IOperation operation, ISymbol containingSymbol, KnownTypes types, out TokenInScope token)
        => CancellationTokens.TryFindInScope(operation, containingSymbol, types, out token)
            || MemberTokens.TryFind(operation, containingSymbol, types, out token);

    /// <summary>
    /// <c>await foreach (var item in sequence)</c> with a token in scope: the enumeration's <c>GetAsyncEnumerator</c> takes
    /// a token and gets <c>default</c>; <c>.WithCancellation(token)</c> hands it to the sequence. Not reported when the
    /// sequence was made with a token (<c>GetItemsAsync(ct)</c>, a local set from such a call), when the call that makes it
    /// could take one (that call is reported, or not, on its own), or when it comes from an async iterator of this
    /// compilation without an <c>[EnumeratorCancellation]</c> parameter, which ignores the token.
    /// </summary>
    private static void AnalyzeAwaitForEach(OperationAnalysisContext context, KnownTypes types, ConcurrentDictionary<IMethodSymbol, IMethodSymbol?> overloads)
    {
        if (context.Operation is not IForEachLoopOperation { IsAsynchronous: true } loop
            || loop.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax syntax
            || OperationTree.Unwrap(loop.Collection) is not { Type: { } collectionType } collection)
            return;

        // '.ConfigureAwait(false)' on the sequence: the token goes before it. Any other configured sequence has been given one.
        var sequence = collection;
        var configured = false;
        var enumeration = "IAsyncEnumerable.GetAsyncEnumerator";
        if (IsConfiguredEnumerable(collectionType))
        {
            if (collection is not IInvocationOperation { TargetMethod: { Name: "ConfigureAwait", IsExtensionMethod: true }, Arguments.Length: 2 } configure
                || OperationTree.Unwrap(configure.Arguments[0].Value) is not { Type: { } sequenceType } receiver
                || IsConfiguredEnumerable(sequenceType))
                return;
            sequence = receiver;
            configured = true;
        }
        else if (loop.SemanticModel?.GetForEachStatementInfo(syntax).GetEnumeratorMethod is not { } getEnumerator
            || !HasTokenParameter(getEnumerator, types))
        {
            return;
        }
        else
        {
            enumeration = SymbolNames.Qualified(getEnumerator);
        }

        if (MadeWithToken(sequence, types, overloads)
            || sequence is ILocalReferenceOperation { Local: { } local } && MadeWithToken(Initializer(local, loop), types, overloads)
            || !TryFindToken(loop, context.ContainingSymbol, types, out var token))
            return;

        var properties = ImmutableDictionary.CreateBuilder<string, string?>();
        properties[DiagnosticProperties.CancellationToken] = token.Expression;
        properties[EnumerationProperty] = configured ? "ConfigureAwait" : "Sequence";
        context.Report(Diagnostic.Create(Rule, syntax.Expression.GetLocation(), properties.ToImmutable(), enumeration, token.Expression));
    }

    private static bool IsConfiguredEnumerable(ITypeSymbol type)
        => type is INamedTypeSymbol { Name: "ConfiguredCancelableAsyncEnumerable", ContainingNamespace.Name: "CompilerServices" };

    private static bool HasTokenParameter(IMethodSymbol method, KnownTypes types)
    {
        foreach (var parameter in method.Parameters)
        {
            if (CancellationTokens.IsCancellationToken(parameter.Type, types))
                return true;
        }
        return false;
    }

    /// <summary>The sequence got a token where it was made, or the call that makes it could take one (and is judged as a call).</summary>
    private static bool MadeWithToken(IOperation? sequence, KnownTypes types, ConcurrentDictionary<IMethodSymbol, IMethodSymbol?> overloads)
    {
        sequence = OperationTree.Unwrap(sequence);
        if (sequence is null)
            return false;
        foreach (var node in sequence.DescendantsAndSelf())
        {
            if (node is IArgumentOperation argument
                && (CancellationTokens.IsCancellationToken(argument.Parameter?.Type, types) && argument.ArgumentKind != ArgumentKind.DefaultValue
                    || CancellationTokens.CarriesToken(argument, types)))
                return true;
        }
        if (sequence is not IInvocationOperation call)
            return false;
        var method = call.TargetMethod;
        if (PassesToken(call, types, out var omitted) || omitted is not null || TokenOverload(method.OriginalDefinition, types, overloads) is not null)
            return true;
        // An async iterator of this compilation without an [EnumeratorCancellation] parameter ignores the enumerator's token.
        if (method.IsAsync && method.DeclaringSyntaxReferences.Length > 0)
        {
            foreach (var parameter in method.Parameters)
            {
                foreach (var attribute in parameter.GetAttributes())
                {
                    if (attribute.AttributeClass?.Name == "EnumeratorCancellationAttribute")
                        return false;
                }
            }
            return true;
        }
        return false;
    }

    /// <summary>The value a local is declared with, in the body around <paramref name="operation"/>.</summary>
    private static IOperation? Initializer(ILocalSymbol local, IOperation operation)
    {
        foreach (var node in OperationTree.Root(operation).Descendants())
        {
            if (node is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                return declarator.Initializer?.Value;
        }
        return null;
    }

    /// <summary>
    /// Whether the call already passes a token (any token, <c>CancellationToken.None</c> included: that
    /// is a decision). When it leaves an optional token parameter out, that parameter comes back.
    /// </summary>
    private static bool PassesToken(IInvocationOperation invocation, KnownTypes types, out IParameterSymbol? omitted)
    {
        omitted = null;
        foreach (var argument in invocation.Arguments)
        {
            if (!CancellationTokens.IsCancellationToken(argument.Parameter?.Type, types))
                continue;
            if (argument.ArgumentKind != ArgumentKind.DefaultValue)
                return true;
            omitted = argument.Parameter;
        }
        return false;
    }

    /// <summary>
    /// <see cref="CancellationTokens.FindTokenOverload"/>, cached per compilation. Looked up before computing: a lambda
    /// passed to GetOrAdd would capture <paramref name="types"/> and allocate for every invocation.
    /// </summary>
    private static IMethodSymbol? TokenOverload(IMethodSymbol method, KnownTypes types, ConcurrentDictionary<IMethodSymbol, IMethodSymbol?> overloads)
        => overloads.TryGetValue(method, out var overload) ? overload : overloads.GetOrAdd(method, CancellationTokens.FindTokenOverload(method, types));

    /// <summary>
    /// Callees whose token is not a request to stop this call: completing a TaskCompletionSource as
    /// cancelled, building canceled tasks, linking or registering on token sources.
    /// </summary>
    private static bool IsTokenOfAnotherMeaning(IMethodSymbol method, KnownTypes types)
    {
        var type = method.ContainingType;
        return method.Name is "TrySetCanceled" or "SetCanceled" or "FromCanceled" or "Register" or "UnsafeRegister"
            || type is null
            || type.Name.StartsWith("TaskCompletionSource", System.StringComparison.Ordinal)
            || SymbolEqualityComparer.Default.Equals(type, types.CancellationTokenSource)
            || SymbolEqualityComparer.Default.Equals(type, types.CancellationToken);
    }

    /// <summary><c>_gate.Wait(0)</c>, <c>WaitAsync(TimeSpan.Zero)</c>: a try that returns at once leaves nothing to cancel.</summary>
    private static bool DoesNotWait(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is not { } parameter
                || parameter.Name.IndexOf("timeout", System.StringComparison.OrdinalIgnoreCase) < 0)
                continue;
            var value = OperationTree.Unwrap(argument.Value);
            if (value is { ConstantValue: { HasValue: true, Value: 0 or 0L } }
                || value is IFieldReferenceOperation { Field: { Name: "Zero", IsStatic: true, ContainingType.Name: "TimeSpan" } })
                return true;
        }
        return false;
    }

    /// <summary>An argument such as an HttpContext already brings the token (its RequestAborted) to the callee.</summary>
    private static bool ArgumentCarriesToken(IInvocationOperation invocation, KnownTypes types)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (CancellationTokens.CarriesToken(argument, types))
                return true;
        }
        return invocation.Instance is { } instance && CancellationTokens.CarriedTokenProperty(instance.Type, types) is not null;
    }

    /// <summary>
    /// The work already observes the token: a lambda handed to the call reads it (<c>Task.Run(() => Work(ct))</c>), or a
    /// method group whose body reads the field the token was stored in (<c>_token = token; Task.Run(Run)</c>).
    /// Passing it to the call as well would only skip work that has not started.
    /// </summary>
    private static bool DelegateArgumentUses(IInvocationOperation invocation, ISymbol token, KnownTypes types)
    {
        foreach (var argument in invocation.Arguments)
        {
            var value = argument.Value;
            while (value is IConversionOperation or IParenthesizedOperation)
                value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
            if (value is IDelegateCreationOperation { Target: IMethodReferenceOperation methodGroup }
                && TokenMakesNoDifference.MethodGroupReadsToken(methodGroup, token, types))
                return true;
            if (value is not (IDelegateCreationOperation or IAnonymousFunctionOperation))
                continue;
            // The token in scope is a parameter or a local (or the local token source it comes from), or a member.
            foreach (var node in argument.Value.Descendants())
            {
                if (node is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                    && TokenMakesNoDifference.IsToken(node, token, types))
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// An async sequence given its token where it is enumerated: <c>ReadAllAsync().GetAsyncEnumerator(ct)</c>,
    /// <c>ReadAllAsync().WithCancellation(ct)</c>. The token reaches the iterator's [EnumeratorCancellation].
    /// </summary>
    private static bool EnumeratedWithAToken(IInvocationOperation invocation, KnownTypes types)
    {
        // The sequence is the receiver of the enumeration: its instance, or the 'this' argument of the extension.
        var parent = invocation.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IArgumentOperation)
            parent = parent.Parent;
        return parent is IInvocationOperation { TargetMethod.Name: "GetAsyncEnumerator" or "WithCancellation" } enumeration
            && PassesToken(enumeration, types, out _);
    }

    private static bool AllPositional(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { NameColon: not null })
                return false;
        }
        return true;
    }

    /// <summary>The omitted token parameter comes right after the arguments given, all by position.</summary>
    private static bool IsNextPosition(IInvocationOperation invocation, IParameterSymbol parameter)
    {
        var given = 0;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                continue;
            if (argument.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentSyntax { NameColon: not null })
                return false;
            given++;
        }
        // An extension method's receiver is its first argument, so ordinals and counts line up either way.
        return parameter.Ordinal == given;
    }
}
