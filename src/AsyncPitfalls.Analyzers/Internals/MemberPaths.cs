using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// A member path such as <c>node.Value</c>, <c>_value.Task</c> or <c>context?.Consumption</c>: fields and
/// argument-less properties read one after another from a local, a parameter or <c>this</c>. Two reads of
/// the same path in one function name the same task unless something in between reassigns a part of it,
/// which the callers accept for the short spans they compare (a check and the read it guards).
/// </summary>
internal static class MemberPaths
{
    private const int MaxDepth = 8;

    /// <summary>Whether <paramref name="operation"/> is a member path of at least one member.</summary>
    public static bool IsPath(IOperation? operation, Func<IOperation?, IOperation?> resolve)
        => resolve(operation) is { } resolved && Step(resolved, resolve).Member is not null && Root(operation, resolve) is not null;

    /// <summary>Whether <paramref name="left"/> and <paramref name="right"/> read the same members from the same root.</summary>
    public static bool Same(IOperation? left, IOperation? right, Func<IOperation?, IOperation?> resolve)
    {
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            left = resolve(left);
            right = resolve(right);
            if (left is null || right is null)
                return false;
            var (leftMember, leftInstance) = Step(left, resolve);
            var (rightMember, rightInstance) = Step(right, resolve);
            if (leftMember is null || rightMember is null)
                return SameRoot(left, right);
            if (!SymbolEqualityComparer.Default.Equals(leftMember.OriginalDefinition, rightMember.OriginalDefinition))
                return false;
            left = leftInstance;
            right = rightInstance;
        }
        return false;
    }

    /// <summary>
    /// Whether <paramref name="path"/> reads the members named <paramref name="names"/> (outermost last) from
    /// <paramref name="instance"/>: <c>this._value.Task</c> is <c>_value</c>, <c>Task</c> from <c>this</c>.
    /// </summary>
    public static bool EndsWith(IOperation? path, string[] names, IOperation? instance, Func<IOperation?, IOperation?> resolve)
    {
        var current = resolve(path);
        for (var i = names.Length - 1; i >= 0; i--)
        {
            var (member, next) = current is null ? default : Step(current, resolve);
            if (member is null || member.Name != names[i])
                return false;
            current = resolve(next);
        }
        // The rest of the path is the instance the guard was read on (this, when it was read without one).
        return instance is null
            ? current is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
            : Same(current, instance, resolve);
    }

    private static IOperation? Root(IOperation? operation, Func<IOperation?, IOperation?> resolve)
    {
        for (var depth = 0; depth < MaxDepth; depth++)
        {
            operation = resolve(operation);
            if (operation is null)
                return null;
            var (member, instance) = Step(operation, resolve);
            if (member is null)
                return IsRoot(operation) ? operation : null;
            operation = instance;
        }
        return null;
    }

    /// <summary>The member an operation reads and the instance it reads it from; a conditional access's instance stands for its receiver.</summary>
    private static (ISymbol? Member, IOperation? Instance) Step(IOperation operation, Func<IOperation?, IOperation?> resolve)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation { Arguments.IsEmpty: true, Property.IsStatic: false, Instance: { } instance } property:
                return (property.Property, Receiver(instance));
            case IFieldReferenceOperation { Field.IsStatic: false, Instance: { } instance } field:
                return (field.Field, Receiver(instance));
            default:
                return default;
        }
    }

    private static IOperation? Receiver(IOperation instance)
    {
        if (instance is not IConditionalAccessInstanceOperation)
            return instance;
        foreach (var ancestor in instance.Ancestors())
        {
            if (ancestor is IConditionalAccessOperation access)
                return access.Operation;
        }
        return null;
    }

    private static bool IsRoot(IOperation operation)
        => operation is ILocalReferenceOperation or IParameterReferenceOperation
            or IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance };

    private static bool SameRoot(IOperation left, IOperation right) => (left, right) switch
    {
        (ILocalReferenceOperation a, ILocalReferenceOperation b) => SymbolEqualityComparer.Default.Equals(a.Local, b.Local),
        (IParameterReferenceOperation a, IParameterReferenceOperation b) => SymbolEqualityComparer.Default.Equals(a.Parameter, b.Parameter),
        (IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }, IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }) => true,
        _ => false,
    };
}
