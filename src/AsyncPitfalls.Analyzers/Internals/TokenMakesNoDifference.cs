using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Calls that could take the token in scope but would gain nothing from it (AP5003): the wait is
/// already bounded by the token, the token cannot change while the call runs, or the call only
/// reads memory. Each question searches the body around the call only, and only once a call has
/// been found that could take a token; bodies of other methods are read only when declared in the
/// same file (through its semantic model).
/// </summary>
internal static class TokenMakesNoDifference
{
    /// <summary>Whether <paramref name="value"/> is the token in scope: the token itself, <c>cts.Token</c>, <c>context.RequestAborted</c>.</summary>
    public static bool IsToken(IOperation? value, ISymbol token, KnownTypes types)
    {
        value = OperationTree.Unwrap(value);
        if (IsMember(value, token))
            return true;
        if (value is IPropertyReferenceOperation { Instance: { } instance } property
            && CancellationTokens.IsCancellationToken(property.Type, types))
            value = instance;
        return IsMember(value, token) || SymbolEqualityComparer.Default.Equals(OperationNames.TryGetVariable(value), token);
    }

    /// <summary>A property of this object that holds the token, or carries it (a record's <c>Token</c>, a controller's <c>HttpContext</c>).</summary>
    private static bool IsMember(IOperation? value, ISymbol token)
        => token is IPropertySymbol && value is IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation } property
            && SymbolEqualityComparer.Default.Equals(property.Property.OriginalDefinition, token.OriginalDefinition);

    /// <summary>
    /// The task the call returns is waited on with the token (<c>var t = socket.ConnectAsync(ep); await t.WaitAsync(timeout, ct)</c>),
    /// the call runs inside a delegate whose task a method of this file waits on with the token it is given
    /// (<c>RunWithTimeoutAsync(stream, s => s.ReadAsync(buffer, 0, n), ct)</c>), or the token disposes the
    /// call's receiver when it fires (<c>using (ct.Register(() => stream.Dispose())) await stream.ReadAsync(...)</c>).
    /// </summary>
    public static bool IsBoundedByToken(IInvocationOperation call, ISymbol token, KnownTypes types)
    {
        var root = OperationTree.Root(call);
        if (IsWaitedWithToken(call, root, token, types) || IsDisposedOnCancel(call, root, token, types))
            return true;

        // The delegate the call runs in, handed to a method together with the token.
        foreach (var ancestor in call.Ancestors())
        {
            if (ancestor is ILocalFunctionOperation)
                return false;
            if (ancestor is not IAnonymousFunctionOperation lambda)
                continue;
            var argument = lambda.Parent is IDelegateCreationOperation creation ? creation.Parent : lambda.Parent;
            while (argument is IConversionOperation)
                argument = argument.Parent;
            return argument is IArgumentOperation { Parameter: { } delegateParameter, Parent: IInvocationOperation runner }
                && RunnerWaitsWithToken(runner, delegateParameter, token, types);
        }
        return false;
    }

    private static bool RunnerWaitsWithToken(IInvocationOperation runner, IParameterSymbol delegateParameter, ISymbol token, KnownTypes types)
    {
        IParameterSymbol? tokenParameter = null;
        foreach (var argument in runner.Arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.DefaultValue && IsToken(argument.Value, token, types))
                tokenParameter = argument.Parameter;
        }
        if (tokenParameter is null || SourceBody(runner.TargetMethod, runner.SemanticModel) is not { } body)
            return false;
        delegateParameter = delegateParameter.OriginalDefinition;
        tokenParameter = tokenParameter.OriginalDefinition;
        foreach (var node in body.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke, Instance: IParameterReferenceOperation invoked } invocation
                && SymbolEqualityComparer.Default.Equals(invoked.Parameter.OriginalDefinition, delegateParameter)
                && IsWaitedWithToken(invocation, body, tokenParameter, types))
                return true;
        }
        return false;
    }

    /// <summary>The task <paramref name="task"/> yields, directly or through a local, is the receiver of a <c>Wait…</c> call given the token.</summary>
    private static bool IsWaitedWithToken(IOperation task, IOperation root, ISymbol token, KnownTypes types)
    {
        if (WaitsWithToken(ReceiverUse(task), token, types))
            return true;
        ILocalSymbol? local = task.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment when assignment.Value == task => target.Local,
            IConversionOperation { Parent: IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } } => declarator.Symbol,
            IConversionOperation { Parent: ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } } => target.Local,
            _ => null,
        };
        if (local is null)
            return false;
        foreach (var reference in OperationTree.ReferencesTo(local, root))
        {
            if (WaitsWithToken(ReceiverUse(reference), token, types))
                return true;
        }
        return false;
    }

    /// <summary>The invocation whose receiver (instance, or the extension's first argument) <paramref name="value"/> is.</summary>
    private static IInvocationOperation? ReceiverUse(IOperation value)
    {
        var parent = value.Parent;
        while (parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            value = parent;
            parent = parent.Parent;
        }
        if (parent is IInvocationOperation invocation && invocation.Instance == value)
            return invocation;
        return parent is IArgumentOperation { Parent: IInvocationOperation extension } argument
            && extension.TargetMethod.IsExtensionMethod && extension.Arguments.Length > 0 && extension.Arguments[0] == argument
            ? extension
            : null;
    }

    private static bool WaitsWithToken(IInvocationOperation? wait, ISymbol token, KnownTypes types)
    {
        if (wait is null || !wait.TargetMethod.Name.StartsWith("Wait", System.StringComparison.Ordinal))
            return false;
        foreach (var argument in wait.Arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.DefaultValue && IsToken(argument.Value, token, types))
                return true;
        }
        return false;
    }

    /// <summary><c>ct.Register(() => stream.Dispose())</c> in the same body, for the receiver of the call: cancelling aborts the call.</summary>
    private static bool IsDisposedOnCancel(IInvocationOperation call, IOperation root, ISymbol token, KnownTypes types)
    {
        if (OperationNames.TryGetVariable(call.Instance) is not { } receiver)
            return false;
        foreach (var node in root.Descendants())
        {
            if (node is not IInvocationOperation { TargetMethod.Name: "Register" or "UnsafeRegister" } register
                || !IsToken(register.Instance, token, types))
                continue;
            foreach (var argument in register.Arguments)
            {
                foreach (var inner in argument.Value.Descendants())
                {
                    if (inner is IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" or "Close" or "Abort" } dispose
                        && SymbolEqualityComparer.Default.Equals(OperationNames.TryGetVariable(dispose.Instance), receiver))
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The token comes from a local <see cref="System.Threading.CancellationTokenSource"/> that only this method cancels,
    /// so it cannot fire while an awaited call runs: a fresh source (<c>new CancellationTokenSource()</c>, no timeout) that
    /// is never handed on and is cancelled only in this body, outside lambdas (Akka's <c>cts.Cancel()</c> in the catch after
    /// the awaited call failed); or a source this body has already cancelled before the call (the token would make the
    /// call throw at once).
    /// </summary>
    public static bool IsSourceCancelledOnlyHere(IInvocationOperation call, ILocalSymbol source)
    {
        var root = OperationTree.Root(call);
        var function = NearestFunction(call);
        var fresh = IsAwaitedOrSynchronous(call);
        var created = false;
        foreach (var node in root.Descendants())
        {
            if (node is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, source))
            {
                // A timeout or a linked token would fire on its own; and a call in a lambda may run while the body cancels.
                created = declarator.Initializer?.Value is IObjectCreationOperation { Arguments.Length: 0, Initializer: null }
                    && NearestFunction(declarator) == function;
                continue;
            }
            if (node is not ILocalReferenceOperation { IsDeclaration: false } reference || !SymbolEqualityComparer.Default.Equals(reference.Local, source))
                continue;
            switch (reference.Parent)
            {
                case IPropertyReferenceOperation { Property.Name: "Token" or "IsCancellationRequested" }:
                    break;
                case IInvocationOperation { TargetMethod.Name: "Dispose" } dispose when dispose.Instance == reference:
                    break;
                case IInvocationOperation { TargetMethod.Name: "Cancel" or "CancelAsync" } cancel when cancel.Instance == reference:
                    if (NearestFunction(cancel) != function)
                        fresh = false;
                    else if (CancelledBefore(cancel, call))
                        return true;
                    break;
                default:
                    // Handed on, stored, compared, CancelAfter: someone else may cancel it while the call runs.
                    fresh = false;
                    break;
            }
        }
        return fresh && created;
    }

    /// <summary>
    /// The cancel runs before the call on the way to it: its statement precedes the call's in a block around both, and
    /// holds no jump (<c>if (stopping) { cts.Cancel(); return; }</c> cancels only on a path that never reaches the call).
    /// </summary>
    private static bool CancelledBefore(IOperation cancel, IOperation call)
    {
        if (cancel.Syntax.SpanStart >= call.Syntax.SpanStart)
            return false;
        IOperation statement = cancel;
        foreach (var ancestor in cancel.Ancestors())
        {
            if (ancestor is IBlockOperation block && block.Syntax.Span.Contains(call.Syntax.Span))
            {
                foreach (var node in statement.DescendantsAndSelf())
                {
                    if (node is IBranchOperation or IReturnOperation or IThrowOperation)
                        return false;
                }
                return true;
            }
            statement = ancestor;
        }
        return false;
    }

    /// <summary>The lambda or local function around <paramref name="operation"/>; null in the member's own body.</summary>
    private static IOperation? NearestFunction(IOperation operation)
    {
        foreach (var ancestor in operation.Ancestors())
        {
            if (ancestor is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return ancestor;
        }
        return null;
    }

    /// <summary>The call's task is awaited where it is made (<c>await x.ReadAsync().ConfigureAwait(false)</c>), or the call returns no task.</summary>
    private static bool IsAwaitedOrSynchronous(IInvocationOperation call)
    {
        var type = call.TargetMethod.ReturnType;
        if (type.SpecialType == SpecialType.System_Void || type.GetMembers("GetAwaiter").IsEmpty)
            return true;
        IOperation current = call;
        while (true)
        {
            var parent = current.Parent;
            while (parent is IConversionOperation or IParenthesizedOperation)
            {
                current = parent;
                parent = parent.Parent;
            }
            if (parent is IAwaitOperation)
                return true;
            if (parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == current)
            {
                current = configure;
                continue;
            }
            return false;
        }
    }

    /// <summary>
    /// A method group handed to the call (<c>Task.Run(Run)</c>) whose body, in this file, reads a field or property that this body
    /// sets from the token (<c>_token = token;</c>): the work observes the token itself, as a lambda reading it would.
    /// </summary>
    public static bool MethodGroupReadsToken(IMethodReferenceOperation reference, ISymbol token, KnownTypes types)
    {
        if (SourceBody(reference.Method, reference.SemanticModel) is not { } body)
            return false;
        // A member token (a field, a property, a primary-constructor parameter) that the method reads itself.
        if (token is IFieldSymbol or IPropertySymbol || token is IParameterSymbol { ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.Constructor } })
        {
            foreach (var read in body.Descendants())
            {
                if (read is IFieldReferenceOperation or IPropertyReferenceOperation or IParameterReferenceOperation && IsToken(read, token, types))
                    return true;
            }
        }
        var root = OperationTree.Root(reference);
        foreach (var node in root.Descendants())
        {
            if (node is not ISimpleAssignmentOperation assignment || !IsToken(assignment.Value, token, types))
                continue;
            var member = OperationTree.Unwrap(assignment.Target) switch
            {
                IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => (ISymbol)field.Field,
                IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation } property => property.Property,
                _ => null,
            };
            if (member is null)
                continue;
            foreach (var read in body.Descendants())
            {
                var symbol = read switch
                {
                    IFieldReferenceOperation field => (ISymbol)field.Field,
                    IPropertyReferenceOperation property => property.Property,
                    _ => null,
                };
                if (SymbolEqualityComparer.Default.Equals(symbol?.OriginalDefinition, member.OriginalDefinition))
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The call only reads or writes memory: its receiver is a <c>MemoryStream</c> or in-memory <c>HttpContent</c>
    /// (<c>ByteArrayContent</c>, <c>StringContent</c>, <c>ReadOnlyMemoryContent</c>) and no stream argument is anything else;
    /// or it reads the content of a response that <c>HttpClient</c> already buffered (a send without
    /// <c>HttpCompletionOption.ResponseHeadersRead</c>, called here or in a method of this file that returns its response).
    /// </summary>
    public static bool OnlyTouchesMemory(IInvocationOperation call, InMemoryTypes types)
    {
        var receiver = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
        receiver = OperationTree.Unwrap(receiver);
        if (receiver is null)
            return false;
        if (types.IsInMemory(receiver.Type))
        {
            foreach (var argument in call.Arguments)
            {
                var value = OperationTree.Unwrap(argument.Value);
                if (argument.ArgumentKind != ArgumentKind.DefaultValue && value != receiver && types.IsStream(value?.Type) && !types.IsInMemory(value?.Type))
                    return false;
            }
            return true;
        }
        return receiver is IPropertyReferenceOperation { Property.Name: "Content", Instance: { } response }
            && types.IsResponse(response.Type)
            && call.TargetMethod.Name.StartsWith("ReadAs", System.StringComparison.Ordinal)
            && OperationNames.TryGetVariable(response) is ILocalSymbol local
            && IsBufferedResponse(local, call, types);
    }

    private static bool IsBufferedResponse(ILocalSymbol local, IOperation call, InMemoryTypes types)
    {
        foreach (var node in OperationTree.Root(call).Descendants())
        {
            if (node is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
                return declarator.Initializer is { } initializer && IsBufferedSend(initializer.Value, types, call.SemanticModel, followHelpers: true);
        }
        return false;
    }

    /// <summary><c>await http.SendAsync(request, ct)</c> (or Get/Post/Put/Delete/Patch) without ResponseHeadersRead; or a helper of this file returning only such.</summary>
    private static bool IsBufferedSend(IOperation value, InMemoryTypes types, SemanticModel? model, bool followHelpers)
    {
        value = OperationTree.Unwrap(value)!;
        if (value is IAwaitOperation awaited)
            value = OperationTree.Unwrap(awaited.Operation)!;
        // Pass-throughs on the task (ConfigureAwait and the like): a call whose receiver is the send.
        while (value is IInvocationOperation wrapper && !types.IsHttpClient(wrapper.TargetMethod.ContainingType)
            && OperationTree.Unwrap(wrapper.Instance ?? (wrapper.TargetMethod.IsExtensionMethod && wrapper.Arguments.Length > 0 ? wrapper.Arguments[0].Value : null)) is IInvocationOperation inner)
            value = inner;
        if (value is not IInvocationOperation send)
            return false;
        if (types.IsHttpClient(send.TargetMethod.ContainingType))
        {
            foreach (var argument in send.Arguments)
            {
                // HttpCompletionOption.ResponseHeadersRead leaves the body on the wire; the default reads it all.
                if (argument.ArgumentKind != ArgumentKind.DefaultValue && argument.Parameter?.Type.TypeKind == TypeKind.Enum
                    && !(argument.Value.ConstantValue is { HasValue: true, Value: 0 }))
                    return false;
            }
            return send.TargetMethod.Name is "SendAsync" or "GetAsync" or "PostAsync" or "PutAsync" or "DeleteAsync" or "PatchAsync";
        }
        if (!followHelpers || SourceBody(send.TargetMethod, model) is not { } body)
            return false;
        var returns = 0;
        foreach (var node in body.Descendants())
        {
            if (node is IReturnOperation { ReturnedValue: { } returned })
            {
                if (!IsBufferedSend(returned, types, model, followHelpers: false))
                    return false;
                returns++;
            }
        }
        return returns > 0;
    }

    /// <summary>The body of a method declared once, in the file <paramref name="model"/> belongs to.</summary>
    private static IOperation? SourceBody(IMethodSymbol method, SemanticModel? model)
    {
        method = method.PartialImplementationPart ?? method.ReducedFrom ?? method.OriginalDefinition;
        if (model is null || method.IsAbstract || method.IsVirtual || method.IsOverride || method.IsExtern
            || method.ContainingType?.TypeKind == TypeKind.Interface || method.DeclaringSyntaxReferences.Length != 1)
            return null;
        var reference = method.DeclaringSyntaxReferences[0];
        if (reference.SyntaxTree != model.SyntaxTree)
            return null;
        return model.GetOperation(reference.GetSyntax()) switch
        {
            IMethodBodyOperation body => (IOperation?)body.BlockBody ?? body.ExpressionBody,
            ILocalFunctionOperation localFunction => localFunction.Body,
            _ => null,
        };
    }
}

/// <summary>The types whose async members only touch memory, resolved once per compilation.</summary>
internal sealed class InMemoryTypes
{
    private readonly INamedTypeSymbol? _memoryStream;
    private readonly INamedTypeSymbol? _stream;
    private readonly INamedTypeSymbol? _byteArrayContent;
    private readonly INamedTypeSymbol? _readOnlyMemoryContent;
    private readonly INamedTypeSymbol? _httpClient;
    private readonly INamedTypeSymbol? _httpResponseMessage;

    public InMemoryTypes(Compilation compilation, KnownTypes types)
    {
        _memoryStream = compilation.GetBestType("System.IO.MemoryStream");
        _stream = compilation.GetBestType("System.IO.Stream");
        _byteArrayContent = compilation.GetBestType("System.Net.Http.ByteArrayContent");
        _readOnlyMemoryContent = compilation.GetBestType("System.Net.Http.ReadOnlyMemoryContent");
        _httpClient = types.HttpClient;
        _httpResponseMessage = types.HttpResponseMessage;
    }

    public bool IsInMemory(ITypeSymbol? type) => DerivesFrom(type, _memoryStream) || DerivesFrom(type, _byteArrayContent) || DerivesFrom(type, _readOnlyMemoryContent);

    public bool IsStream(ITypeSymbol? type) => DerivesFrom(type, _stream);

    public bool IsHttpClient(ITypeSymbol? type) => DerivesFrom(type, _httpClient);

    public bool IsResponse(ITypeSymbol? type) => DerivesFrom(type, _httpResponseMessage);

    private static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
            return false;
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, baseType))
                return true;
        }
        return false;
    }
}
