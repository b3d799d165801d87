using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

internal enum AsyncCodeKind
{
    AsyncMethod,
    AsyncLocalFunction,
    AsyncLambda,
    AsyncTopLevelStatements,
    /// <summary>A method or local function without <c>async</c> that returns Task, ValueTask or an async stream.</summary>
    AwaitableReturningMethod,
}

/// <summary>The function whose body makes a piece of code "async code", and how to name it in a message.</summary>
internal readonly struct AsyncCodeContext
{
    public AsyncCodeContext(AsyncCodeKind kind, IMethodSymbol function, ISymbol member, IOperation? functionOperation)
    {
        Kind = kind;
        Function = function;
        Member = member;
        FunctionOperation = functionOperation;
    }

    public AsyncCodeKind Kind { get; }

    /// <summary>The innermost function: the method, local function or lambda.</summary>
    public IMethodSymbol Function { get; }

    /// <summary>The member that contains the code (for a lambda, the method it is written in).</summary>
    public ISymbol Member { get; }

    /// <summary>The lambda or local function operation, or null when the function is the member itself.</summary>
    public IOperation? FunctionOperation { get; }

    /// <summary>The function as a message names it: "async method 'PollAsync'", "async lambda in 'Run'".</summary>
    public string Describe() => Kind switch
    {
        AsyncCodeKind.AsyncMethod => $"async method '{SymbolNames.ForMessage(Member)}'",
        AsyncCodeKind.AsyncLocalFunction => $"async local function '{Function.Name}'",
        AsyncCodeKind.AsyncLambda => $"async lambda in {SymbolNames.Quoted(Member)}",
        AsyncCodeKind.AsyncTopLevelStatements => "async top-level statements",
        _ => $"{Function.ReturnType.Name}-returning method '{(Function.MethodKind == MethodKind.LocalFunction ? Function.Name : SymbolNames.ForMessage(Member))}'",
    };
}

/// <summary>The shared answer to "is this async code?" (the rule catalog's definition).</summary>
internal static class AsyncCode
{
    /// <summary>
    /// Finds the innermost function around <paramref name="operation"/> and says whether its body is
    /// async code: an async method, local function or lambda; async top-level statements; or a method
    /// or local function that returns Task, ValueTask or an async stream without being async.
    /// A lambda without <c>async</c> is not async code even when it returns a Task: such lambdas are
    /// how work is offloaded on purpose (<c>Task.Run(() => ...)</c>, <c>new Thread(...)</c>).
    /// </summary>
    /// <param name="containingSymbol">The analysis context's containing symbol (the member).</param>
    public static bool TryGetContext(IOperation operation, ISymbol containingSymbol, KnownTypes types, out AsyncCodeContext context)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return Classify(lambda.Symbol, containingSymbol, lambda, isLambda: true, types, out context);
                case ILocalFunctionOperation localFunction:
                    return Classify(localFunction.Symbol, containingSymbol, localFunction, isLambda: false, types, out context);
            }
        }

        if (containingSymbol is IMethodSymbol method)
            return Classify(method, containingSymbol, functionOperation: null, isLambda: false, types, out context);

        context = default;
        return false;
    }

    /// <summary>
    /// An async lambda handed to <c>Task.Run</c> or <c>TaskFactory.StartNew</c>: offloaded on purpose,
    /// so synchronous APIs in it block no caller.
    /// </summary>
    public static bool IsOffloaded(AsyncCodeContext context, KnownTypes types)
    {
        if (context.FunctionOperation is not IAnonymousFunctionOperation lambda)
            return false;
        var argument = lambda.Parent is IDelegateCreationOperation creation ? creation.Parent : lambda.Parent;
        return argument is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "Run" or "StartNew" } method } }
            && (SymbolEqualityComparer.Default.Equals(method.ContainingType, types.Task) || method.ContainingType.Name == "TaskFactory");
    }

    /// <summary>
    /// Code that libraries serving synchronous and asynchronous callers from one method write on purpose:
    /// in a function that takes the mode as a flag (<c>ValueTask Read(bool async, ...)</c>), or in the branch
    /// of an <c>if</c> or <c>?:</c> whose condition reads such a flag (<c>if (context.IsSynchronous)</c>).
    /// Its blocking calls run only when the caller asked for the synchronous mode.
    /// </summary>
    public static bool IsDualModeCode(IOperation operation, AsyncCodeContext context)
    {
        if (HasModeParameter(context.Function) || context.Member is IMethodSymbol member && HasModeParameter(member))
            return true;
        var child = operation;
        foreach (var current in operation.Ancestors())
        {
            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                break;
            if (current is IConditionalOperation conditional && !ReferenceEquals(conditional.Condition, child) && ReadsModeFlag(conditional.Condition))
                return true;
            child = current;
        }
        return false;
    }

    private static bool HasModeParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (IsModeFlag(parameter, parameter.Type))
                return true;
        }
        return false;
    }

    private static bool ReadsModeFlag(IOperation condition)
    {
        foreach (var node in condition.DescendantsAndSelf())
        {
            var flag = node switch
            {
                IParameterReferenceOperation parameter => parameter.Parameter,
                ILocalReferenceOperation local => local.Local,
                IFieldReferenceOperation field => field.Field,
                IPropertyReferenceOperation property => (ISymbol)property.Property,
                _ => null,
            };
            if (flag is not null && IsModeFlag(flag, node.Type))
                return true;
        }
        return false;
    }

    /// <summary>A bool named for the mode: async, isAsync, sync, IsSynchronous, runSynchronously.</summary>
    private static bool IsModeFlag(ISymbol flag, ITypeSymbol? type)
        => type?.SpecialType == SpecialType.System_Boolean && flag.Name.IndexOf("sync", System.StringComparison.OrdinalIgnoreCase) >= 0;

    /// <summary>
    /// How a message names the function around <paramref name="operation"/>, async or not:
    /// "method 'Save'", "async method 'SaveAsync'", "lambda in 'Run'", "local function 'Flush'", "top-level statements".
    /// </summary>
    public static string DescribeEnclosingFunction(IOperation operation, ISymbol containingSymbol)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return $"{(lambda.Symbol.IsAsync ? "async lambda" : "lambda")} in {SymbolNames.Quoted(containingSymbol)}";
                case ILocalFunctionOperation localFunction:
                    return $"{(localFunction.Symbol.IsAsync ? "async local function" : "local function")} '{localFunction.Symbol.Name}'";
            }
        }

        if (containingSymbol is IMethodSymbol method && IsTopLevelStatementsEntryPoint(method))
            return "top-level statements";
        return containingSymbol is IMethodSymbol { IsAsync: true }
            ? $"async method '{SymbolNames.ForMessage(containingSymbol)}'"
            : $"{(containingSymbol is IMethodSymbol ? "method" : "member")} '{SymbolNames.ForMessage(containingSymbol)}'";
    }

    /// <summary>The innermost function symbol around <paramref name="operation"/>: a lambda, local function or the member itself.</summary>
    public static IMethodSymbol? EnclosingFunction(IOperation operation, ISymbol containingSymbol)
    {
        foreach (var current in operation.Ancestors())
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol;
            }
        }
        return containingSymbol as IMethodSymbol;
    }

    /// <summary>The compiler's entry point for top-level statements (a name no user method can have).</summary>
    public static bool IsTopLevelStatementsEntryPoint(IMethodSymbol method)
        => method.Name == WellKnownMemberNames.TopLevelStatementsEntryPointMethodName;

    private static bool Classify(IMethodSymbol function, ISymbol member, IOperation? functionOperation, bool isLambda, KnownTypes types, out AsyncCodeContext context)
    {
        if (IsTopLevelStatementsEntryPoint(function))
        {
            // The compiler makes top-level statements return Task exactly when they contain an await.
            var isAsync = types.IsTaskOrValueTask(function.ReturnType);
            context = isAsync ? new AsyncCodeContext(AsyncCodeKind.AsyncTopLevelStatements, function, member, functionOperation) : default;
            return isAsync;
        }

        if (function.IsAsync)
        {
            var kind = isLambda ? AsyncCodeKind.AsyncLambda
                : function.MethodKind == MethodKind.LocalFunction ? AsyncCodeKind.AsyncLocalFunction
                : AsyncCodeKind.AsyncMethod;
            context = new AsyncCodeContext(kind, function, member, functionOperation);
            return true;
        }

        if (!isLambda && types.IsAsyncReturnType(function.ReturnType))
        {
            context = new AsyncCodeContext(AsyncCodeKind.AwaitableReturningMethod, function, member, functionOperation);
            return true;
        }

        context = default;
        return false;
    }
}
