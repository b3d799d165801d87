using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

internal static class OperationNames
{
    /// <summary>
    /// The name a message can use for an operand: a local, parameter, field or property name, or
    /// the called method for an invocation ("GetAsync()"); null for anything longer.
    /// </summary>
    public static string? TryGetName(IOperation operation) => OperationTree.Unwrap(operation) switch
    {
        ILocalReferenceOperation local => local.Local.Name,
        IParameterReferenceOperation parameter => parameter.Parameter.Name,
        IFieldReferenceOperation field => field.Field.Name,
        IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property.Name,
        IInvocationOperation invocation => invocation.TargetMethod.Name + "()",
        IConditionalAccessInstanceOperation instance when ConditionalReceiver(instance) is { } receiver => TryGetName(receiver),
        _ => null,
    };

    /// <summary>What <c>?.</c> tested for null: <c>tick</c> in <c>tick?.Dispose()</c>.</summary>
    private static IOperation? ConditionalReceiver(IConditionalAccessInstanceOperation instance)
    {
        IOperation child = instance;
        foreach (var current in instance.Ancestors())
        {
            if (current is IConditionalAccessOperation access && ReferenceEquals(access.WhenNotNull, child))
                return access.Operation;
            child = current;
        }
        return null;
    }

    /// <summary>The variable an operand reads: a local, parameter or field (through implicit this); null otherwise.</summary>
    public static ISymbol? TryGetVariable(IOperation? operation) => OperationTree.Unwrap(operation) switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => field.Field,
        _ => null,
    };

    /// <summary>How a message names what produced a value: "'Repository.SaveAsync'", "'new Task'", or "the expression".</summary>
    public static string DescribeProducer(IOperation operation) => OperationTree.Unwrap(operation) switch
    {
        IInvocationOperation invocation => $"'{SymbolNames.Qualified(invocation.TargetMethod)}'",
        IObjectCreationOperation creation when creation.Type is not null => $"'new {creation.Type.Name}'",
        IPropertyReferenceOperation property => $"'{SymbolNames.Qualified(property.Property)}'",
        IConditionalAccessOperation access => DescribeProducer(access.WhenNotNull),
        _ => "the expression",
    };
}
