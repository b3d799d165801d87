using System.Collections.Generic;
using System.Collections.Immutable;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP2002: a task stored in a local that nothing ever reads (not awaited, returned, passed on,
/// stored or combined), and a task used as a value (printed, interpolated, ToString()): the guides'
/// printing of a coroutine object instead of its result.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnobservedTaskLocalAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: "Unread" for a local never read (the fix awaits its initializer), "Value" for a value use.</summary>
    internal const string ShapeProperty = "Shape";

    internal static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UnobservedTaskLocal,
        title: "Observe the tasks you store",
        messageFormat: "{0}",
        category: RuleCategories.UnawaitedTasks,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A task kept in a variable that is never awaited, returned, passed on, stored or combined is forgotten: its "
            + "work may not finish before the method returns, and its exceptions are never observed. A task used as a value "
            + "(printed, interpolated, converted with ToString()) shows its type name, not its result: it was meant to be awaited.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UnobservedTaskLocal));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (SeverityPresets.TurnsOff(Rule, start.Compilation, start.Options, start.CancellationToken))
                return;
            if (!KnownTypes.TryCreate(start.Compilation, out var types))
                return;
            var options = TaskObservationOptions.PerFile(start.Options, DiagnosticIds.UnobservedTaskLocal);
            start.RegisterOperationAction(c => AnalyzeDeclarator(c, types, options), OperationKind.VariableDeclarator);
            start.RegisterOperationAction(c => AnalyzeValueUse(c, types, options), OperationKind.Interpolation, OperationKind.Invocation, OperationKind.Binary);
        });
    }

    /// <summary>
    /// A task local starts a search of its body for a read; ordinary locals cost nothing more. A value
    /// use (printing the task) is reported where it is, and counts as a read here, so the declaration
    /// is not reported a second time.
    /// </summary>
    private static void AnalyzeDeclarator(OperationAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions)
    {
        var declarator = (IVariableDeclaratorOperation)context.Operation;
        if (declarator.GetVariableInitializer()?.Value is not { } initializer)
            return;
        var options = fileOptions.For(declarator.Syntax.SyntaxTree);
        if (!options.IsAwaitable(types, declarator.Symbol.Type) || OperationTree.Unwrap(initializer) is not { } task || !options.IsAwaitable(types, task.Type)
            || TaskCompletionFlow.IsCompleteByConstruction(task, types) || TaskUses.IsFireAndForgetSafe(initializer, options))
            return;
        foreach (var reference in OperationTree.ReferencesTo(declarator.Symbol, declarator))
        {
            if (!IsWriteTarget(reference))
                return;
        }
        var message = $"Task '{declarator.Symbol.Name}' from {OperationNames.DescribeProducer(initializer)} is never awaited, returned or passed on; its work may not finish and its exceptions are lost";
        context.Report(Diagnostic.Create(Rule, declarator.Syntax.GetLocation(), WithAsync(declarator, context.ContainingSymbol, "Unread"), message));
    }

    private static void AnalyzeValueUse(OperationAnalysisContext context, KnownTypes types, PerFileOptions<TaskObservationOptions> fileOptions)
    {
        var options = fileOptions.For(context.Operation.Syntax.SyntaxTree);
        IOperation? task = context.Operation switch
        {
            IInterpolationOperation interpolation => interpolation.Expression,
            IInvocationOperation { TargetMethod: { Name: "ToString", Parameters.IsEmpty: true }, Instance: { } instance } => instance,
            IInvocationOperation invocation when IsFormattingSink(invocation.TargetMethod) => null,
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } binary
                => FirstAwaitable(types, options, ConvertedOperand(binary.LeftOperand), ConvertedOperand(binary.RightOperand)),
            _ => null,
        };

        if (context.Operation is IInvocationOperation sink && IsFormattingSink(sink.TargetMethod))
        {
            foreach (var argument in sink.Arguments)
            {
                foreach (var value in ArgumentValues(argument))
                {
                    if (value is IConversionOperation { IsImplicit: true, Type.SpecialType: SpecialType.System_Object } boxed && options.IsAwaitable(types, boxed.Operand.Type))
                        Report(context, boxed.Operand);
                }
            }
            return;
        }

        task = OperationTree.Unwrap(task);
        if (task is not null && options.IsAwaitable(types, task.Type))
            Report(context, task);
    }

    private static void Report(OperationAnalysisContext context, IOperation task)
    {
        var name = OperationNames.TryGetName(task) is { } n ? $"'{n}'" : "This expression";
        var message = $"{name} is a task used as a value: it shows as its type name, not its result; did you mean to await it?";
        context.Report(Diagnostic.Create(Rule, task.Syntax.GetLocation(), WithAsync(task, context.ContainingSymbol, "Value"), message));
    }

    private static ImmutableDictionary<string, string?> WithAsync(IOperation operation, ISymbol containingSymbol, string shape)
    {
        var properties = ImmutableDictionary<string, string?>.Empty.Add(ShapeProperty, shape);
        return AsyncCode.EnclosingFunction(operation, containingSymbol) is { IsAsync: false }
            ? properties.Add(DiagnosticProperties.MakeEnclosingAsync, "true")
            : properties;
    }

    private static IOperation? FirstAwaitable(KnownTypes types, TaskObservationOptions options, params IOperation?[] operands)
    {
        foreach (var operand in operands)
        {
            if (operand is not null && options.IsAwaitable(types, operand.Type))
                return operand;
        }
        return null;
    }

    private static IOperation? ConvertedOperand(IOperation operand)
        => operand is IConversionOperation { IsImplicit: true } conversion ? conversion.Operand : null;

    private static IEnumerable<IOperation> ArgumentValues(IArgumentOperation argument)
    {
        if (argument.ArgumentKind == ArgumentKind.ParamArray && argument.Value is IArrayCreationOperation { Initializer: { } initializer })
            return initializer.ElementValues;
        return new[] { argument.Value };
    }

    /// <summary>Methods that turn their object arguments into text: the console, writers, string.Format, StringBuilder, loggers.</summary>
    private static bool IsFormattingSink(IMethodSymbol method) => method.Name switch
    {
        "Write" or "WriteLine" => method.ContainingType.Name is "Console" or "TextWriter" or "StreamWriter" or "StringWriter" or "Debug" or "Trace",
        "Format" or "Concat" => method.ContainingType.SpecialType == SpecialType.System_String,
        "Append" or "AppendLine" or "AppendFormat" => method.ContainingType.Name == "StringBuilder",
        "LogTrace" or "LogDebug" or "LogInformation" or "LogWarning" or "LogError" or "LogCritical" or "Log" => method.ContainingType.Name == "LoggerExtensions",
        _ => false,
    };

    private static bool IsWriteTarget(IOperation reference)
        => reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
            || reference.Parent is IDeconstructionAssignmentOperation;

}
