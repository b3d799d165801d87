using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The token a type keeps for the operation it serves, for its instance methods that take none (AP5003, after
/// <see cref="CancellationTokens.TryFindInScope"/> found nothing in the functions around a call). Only members that
/// mean "this operation" count:
/// <list type="bullet">
/// <item>a primary-constructor or record parameter of type <c>CancellationToken</c> (or the field or property a class
/// initializes from it): an object built with a token by whoever runs the operation, since a container cannot inject one;</item>
/// <item>a field or property a <c>BackgroundService</c> sets from the stopping token of its <c>ExecuteAsync</c>
/// (<c>_stoppingToken = stoppingToken;</c>): the run the methods it calls belong to;</item>
/// <item>a property whose value carries <c>RequestAborted</c> (a controller's or page's inherited <c>HttpContext</c>):
/// the request being served.</item>
/// </list>
/// Any other token field (a <c>_disposeCts.Token</c>, a shutdown token handed to an explicit constructor) may stand for the
/// object's lifetime, and passing it would change what the call means; it is not used. Nor is a member token used in
/// teardown (<c>Dispose</c>, <c>StopAsync</c>, <c>Close</c>), in a <c>catch</c> or <c>finally</c> (clean-up that must run
/// to completion), in static members and static lambdas, or where a local or parameter of the same name hides it.
/// A type with two such tokens is ambiguous and has none.
/// </summary>
internal static class MemberTokens
{
    public static bool TryFind(IOperation operation, ISymbol containingSymbol, KnownTypes types, out TokenInScope token)
    {
        token = default;
        if (types.CancellationToken is null
            || containingSymbol is not IMethodSymbol { IsStatic: false, MethodKind: MethodKind.Ordinary } method
            || method.ContainingType is not { TypeKind: TypeKind.Class or TypeKind.Struct } type
            || IsTeardown(method))
            return false;
        foreach (var ancestor in operation.Ancestors())
        {
            switch (ancestor)
            {
                case ICatchClauseOperation:
                    return false;
                case ITryOperation { Finally: { } @finally } when @finally.Syntax.Span.Contains(operation.Syntax.Span):
                    return false;
                // A struct's lambdas cannot reach 'this'.
                case IAnonymousFunctionOperation lambda when lambda.Symbol.IsStatic || type.IsValueType:
                    return false;
                case ILocalFunctionOperation local when local.Symbol.IsStatic || type.IsValueType:
                    return false;
            }
        }

        var cache = CompilationCaches.For(types).MemberTokens;
        if (!cache.TryGetValue(type, out token))
            token = cache.GetOrAdd(type, Compute(type, types));
        if (token.Symbol is null || operation.SemanticModel is not { } model)
            return false;

        // The name must mean the member where the call is: a local or parameter of the same name hides it.
        var name = token.Expression;
        var dot = name.IndexOf('.');
        if (dot >= 0)
            name = name.Substring(0, dot);
        if (name.StartsWith("@", System.StringComparison.Ordinal))
            name = name.Substring(1);
        var visible = model.LookupSymbols(operation.Syntax.SpanStart, name: name);
        if (visible.Length == 1 && SymbolEqualityComparer.Default.Equals(visible[0].OriginalDefinition, token.Symbol.OriginalDefinition))
            return true;
        token = default;
        return false;
    }

    /// <summary>Clean-up and stop paths: a member token is typically cancelled by then, or the work must run to completion.</summary>
    private static bool IsTeardown(IMethodSymbol method)
    {
        var name = method.Name;
        var dot = name.LastIndexOf('.');
        if (dot >= 0)
            name = name.Substring(dot + 1);
        return name is "Dispose" or "DisposeAsync" or "DisposeAsyncCore" or "Close" or "CloseAsync" or "Stop" or "StopAsync"
            or "Shutdown" or "ShutdownAsync" or "Finalize";
    }

    private static TokenInScope Compute(INamedTypeSymbol type, KnownTypes types)
    {
        var found = default(TokenInScope);
        var count = 0;
        void Add(ISymbol symbol, string expression)
        {
            if (found.Symbol is not null && SymbolEqualityComparer.Default.Equals(found.Symbol, symbol))
                return;
            found = new TokenInScope(symbol, expression);
            count++;
        }

        // A primary-constructor or record parameter.
        foreach (var constructor in type.InstanceConstructors)
        {
            if (!IsPrimary(constructor))
                continue;
            foreach (var parameter in constructor.Parameters)
            {
                if (!CancellationTokens.IsCancellationToken(parameter.Type, types))
                    continue;
                if (type.IsRecord)
                {
                    if (InstanceToken(type, parameter.Name, types) is { } property)
                        Add(property, Escape(property.Name));
                }
                else if (!UsedToInitialize(type, parameter.Name))
                {
                    Add(parameter, Escape(parameter.Name));
                }
                else
                {
                    // 'private readonly CancellationToken _token = token;': the member, not the parameter (CS9124).
                    foreach (var member in MembersInitializedWith(type, parameter.Name, types))
                        Add(member, Escape(member.Name));
                }
            }
        }

        // A BackgroundService's '_stoppingToken = stoppingToken;' in ExecuteAsync.
        if (IsBackgroundService(type))
        {
            foreach (var member in type.GetMembers("ExecuteAsync"))
            {
                if (member is IMethodSymbol { IsOverride: true, Parameters.Length: 1 } execute
                    && CancellationTokens.IsCancellationToken(execute.Parameters[0].Type, types))
                {
                    foreach (var stored in MembersAssignedFrom(type, execute, types))
                        Add(stored, Escape(stored.Name));
                }
            }
        }

        // An HttpContext property (inherited from ControllerBase or PageModel): the request's RequestAborted.
        for (var current = type; current is not null && current.SpecialType == SpecialType.None; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is IPropertySymbol { IsStatic: false, IsIndexer: false, GetMethod: not null } property
                    && (SymbolEqualityComparer.Default.Equals(current, type) || property.DeclaredAccessibility != Accessibility.Private)
                    && CancellationTokens.CarriedTokenProperty(property.Type, types) is { Name: "RequestAborted" } aborted)
                    Add(property, Escape(property.Name) + "." + aborted.Name);
            }
        }

        return count == 1 ? found : default;
    }

    private static bool IsPrimary(IMethodSymbol constructor)
        => constructor.DeclaringSyntaxReferences.Length == 1 && !constructor.IsImplicitlyDeclared
            && constructor.DeclaringSyntaxReferences[0].GetSyntax() is TypeDeclarationSyntax;

    private static ISymbol? InstanceToken(INamedTypeSymbol type, string name, KnownTypes types)
    {
        foreach (var member in type.GetMembers(name))
        {
            if (member is IPropertySymbol { IsStatic: false } property && CancellationTokens.IsCancellationToken(property.Type, types))
                return property;
            if (member is IFieldSymbol { IsStatic: false } field && CancellationTokens.IsCancellationToken(field.Type, types))
                return field;
        }
        return null;
    }

    /// <summary>Whether a field or property initializer, or the base type's arguments, read the primary-constructor parameter.</summary>
    private static bool UsedToInitialize(INamedTypeSymbol type, string name)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not TypeDeclarationSyntax declaration)
                continue;
            if (declaration.BaseList is { } baseList && Mentions(baseList, name))
                return true;
            foreach (var member in declaration.Members)
            {
                if (member is FieldDeclarationSyntax && Mentions(member, name)
                    || member is PropertyDeclarationSyntax { Initializer: { } initializer } && Mentions(initializer, name))
                    return true;
            }
        }
        return false;
    }

    private static bool Mentions(SyntaxNode node, string name)
    {
        foreach (var descendant in node.DescendantNodes())
        {
            if (descendant is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == name)
                return true;
        }
        return false;
    }

    private static System.Collections.Generic.IEnumerable<ISymbol> MembersInitializedWith(INamedTypeSymbol type, string name, KnownTypes types)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is not TypeDeclarationSyntax declaration)
                continue;
            foreach (var member in declaration.Members)
            {
                if (member is FieldDeclarationSyntax field)
                {
                    foreach (var variable in field.Declaration.Variables)
                    {
                        if (variable.Initializer?.Value is IdentifierNameSyntax value && value.Identifier.ValueText == name
                            && InstanceToken(type, variable.Identifier.ValueText, types) is { } symbol)
                            yield return symbol;
                    }
                }
                else if (member is PropertyDeclarationSyntax { Initializer.Value: IdentifierNameSyntax initial } property
                    && initial.Identifier.ValueText == name && InstanceToken(type, property.Identifier.ValueText, types) is { } symbol)
                {
                    yield return symbol;
                }
            }
        }
    }

    private static bool IsBackgroundService(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "BackgroundService" && current.ContainingNamespace?.Name == "Hosting")
                return true;
        }
        return false;
    }

    /// <summary>The token fields and properties <c>ExecuteAsync</c> sets from its parameter: <c>_stoppingToken = stoppingToken;</c>.</summary>
    private static System.Collections.Generic.IEnumerable<ISymbol> MembersAssignedFrom(INamedTypeSymbol type, IMethodSymbol execute, KnownTypes types)
    {
        var parameter = execute.Parameters[0].Name;
        foreach (var reference in execute.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                if (node is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment
                    || assignment.Right is not IdentifierNameSyntax right || right.Identifier.ValueText != parameter)
                    continue;
                var target = assignment.Left switch
                {
                    IdentifierNameSyntax name => name.Identifier.ValueText,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax name } => name.Identifier.ValueText,
                    _ => null,
                };
                if (target is not null && InstanceToken(type, target, types) is { } symbol)
                    yield return symbol;
            }
        }
    }

    private static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
