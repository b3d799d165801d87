using System.Composition;
using System.Linq;
using System.Threading;
using AsyncPitfalls.Internals;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Rules;

/// <summary>
/// AP4005: <c>using</c> becomes <c>await using</c>; <c>x.Dispose()</c> becomes <c>await x.DisposeAsync()</c>.
/// In a file that awaits with <c>ConfigureAwait(false)</c> the disposal is configured too:
/// <c>await using (x.ConfigureAwait(false))</c>, declared so that <c>x</c> keeps its own type where the code
/// uses it (a <c>ConfiguredAsyncDisposable</c> has none of its members).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SyncDisposeOfAsyncDisposableCodeFix)), Shared]
public sealed class SyncDisposeOfAsyncDisposableCodeFix : EditCodeFixProvider
{
    private const string Title = "Use 'await using'";

    public SyncDisposeOfAsyncDisposableCodeFix()
        : base(DiagnosticIds.SyncDisposeOfAsyncDisposable, "AP4005.AwaitUsing")
    {
    }

    // The shared answer to "can an await go here": not in a lock body, nor beside a ref struct local below C# 13.
    protected override CodeEdit? GetEdit(EditContext context, Diagnostic diagnostic)
    {
        var token = context.FindToken(diagnostic);
        if (diagnostic.Properties.ContainsKey(DiagnosticProperties.CreateAsyncScope))
        {
            var scopeEdit = AsyncScope(context, token);
            return scopeEdit is not null && FunctionSyntax.CanAwaitAt(scopeEdit.Target is BlockSyntax ? token.Parent! : scopeEdit.Target, context.Model, context.CancellationToken) ? scopeEdit : null;
        }
        var edit = token.Parent switch
        {
            LocalDeclarationStatementSyntax declaration when token.IsKind(SyntaxKind.UsingKeyword)
                => context.ConfigureAwaitFalse ? ConfiguredUsingDeclaration(context, declaration) : AwaitUsing(declaration),
            // 'await using' needs C# 8 (a netstandard2.0 or net472 library compiles at 7.3); a using declaration is C# 8 already.
            UsingStatementSyntax statement when token.IsKind(SyntaxKind.UsingKeyword) && !LanguageFeatures.AllowsAwaitUsing(statement) => null,
            UsingStatementSyntax statement when token.IsKind(SyntaxKind.UsingKeyword)
                => context.ConfigureAwaitFalse ? ConfiguredUsingStatement(context, statement) : AwaitUsing(statement),
            _ => DisposeAsync(context, diagnostic),
        };
        // An edit of the enclosing block (a declaration moved before the using) is asked about at the using itself.
        return edit is not null && FunctionSyntax.CanAwaitAt(edit.Target is BlockSyntax ? token.Parent! : edit.Target, context.Model, context.CancellationToken) ? edit : null;
    }

    private static CodeEdit AwaitUsing(LocalDeclarationStatementSyntax declaration)
        => CodeEdit.Replace(Title, declaration, current =>
        {
            var statement = (LocalDeclarationStatementSyntax)current;
            return statement.WithAwaitKeyword(AwaitKeyword(statement.UsingKeyword)).WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia());
        });

    private static CodeEdit AwaitUsing(UsingStatementSyntax statement)
        => CodeEdit.Replace(Title, statement, current => AwaitUsingStatement((UsingStatementSyntax)current));

    private static UsingStatementSyntax AwaitUsingStatement(UsingStatementSyntax statement)
        => statement.WithAwaitKeyword(AwaitKeyword(statement.UsingKeyword)).WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia());

    /// <summary><c>x.Dispose()</c> becomes <c>await x.DisposeAsync()</c>, configured as the file awaits; not when DisposeAsync is not callable on x (an explicit implementation).</summary>
    private static CodeEdit? DisposeAsync(EditContext context, Diagnostic diagnostic)
    {
        if (context.FindNode(diagnostic) is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } dispose
            || context.Model.GetTypeInfo(access.Expression, context.CancellationToken).Type is not { } type
            || !context.Model.LookupSymbols(dispose.SpanStart, type, "DisposeAsync").OfType<IMethodSymbol>().Any(m => m.Parameters.IsEmpty))
            return null;
        var configureAwaitFalse = context.ConfigureAwaitFalse;
        return CodeEdit.Replace(Title, dispose, current =>
        {
            var invocation = (InvocationExpressionSyntax)current;
            var disposeAsync = invocation.WithExpression(((MemberAccessExpressionSyntax)invocation.Expression).WithName(SyntaxFactory.IdentifierName("DisposeAsync")));
            return AwaitSyntax.Await(disposeAsync, configureAwaitFalse);
        });
    }

    /// <summary>
    /// <c>using var x = e;</c> in a file that configures its awaits. Where x is not used after its declaration:
    /// <c>await using var x = e.ConfigureAwait(false);</c>. Otherwise x keeps its type: <c>var x = e;</c> and the
    /// rest of the block in <c>await using (x.ConfigureAwait(false)) { ... }</c>, which disposes at the same point.
    /// </summary>
    private static CodeEdit? ConfiguredUsingDeclaration(EditContext context, LocalDeclarationStatementSyntax declaration, AsyncScopeRewrite? scope = null)
    {
        if (SingleInitializedVariable(declaration.Declaration) is not { Initializer.Value: { } value } variable || scope is null && !IsNeverNull(value, context))
            return null;
        var name = variable.Identifier.ValueText;
        if (!IsUsedAfter(name, declaration))
        {
            if (!ConfiguresAsAsyncDisposable(scope?.Type ?? context.Model.GetTypeInfo(value, context.CancellationToken).Type, declaration.SpanStart, context.Model))
                return null;
            return CodeEdit.Replace(Title, declaration, current =>
            {
                var statement = AsyncScopeRewrite.Apply(scope, (LocalDeclarationStatementSyntax)current);
                var configured = statement.Declaration.Variables[0];
                return statement.WithAwaitKeyword(AwaitKeyword(statement.UsingKeyword)).WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia())
                    .WithDeclaration(statement.Declaration
                        .WithType(VarKeyword().WithTriviaFrom(statement.Declaration.Type))
                        .WithVariables(SyntaxFactory.SingletonSeparatedList(configured.WithInitializer(configured.Initializer!.WithValue(
                            AwaitSyntax.ConfigureAwaitFalse(configured.Initializer.Value).WithTriviaFrom(configured.Initializer.Value))))));
            });
        }

        if (declaration.Parent is not BlockSyntax block
            || !ConfiguresAsAsyncDisposable(scope?.Type ?? DeclaredType(variable, context), declaration.SpanStart, context.Model)
            || !CanEnclose(block, block.Statements.IndexOf(declaration)))
            return null;
        return CodeEdit.Replace(Title, block, current =>
        {
            var currentBlock = (BlockSyntax)current;
            if (currentBlock.GetCurrentNode(declaration) is not { } trackedDeclaration)
                return currentBlock;
            var currentDeclaration = AsyncScopeRewrite.Apply(scope, trackedDeclaration);
            var index = currentBlock.Statements.IndexOf(trackedDeclaration);
            var plain = currentDeclaration.WithUsingKeyword(default)
                .WithDeclaration(currentDeclaration.Declaration.WithLeadingTrivia(currentDeclaration.UsingKeyword.LeadingTrivia));
            var rest = SyntaxFactory.Block(currentBlock.Statements.Skip(index + 1));
            var statements = currentBlock.Statements.Take(index).Append(plain).Append(ConfiguredAwaitUsing(name, rest));
            return currentBlock.WithStatements(SyntaxFactory.List(statements));
        }).AndTrack(declaration);
    }

    /// <summary>
    /// <c>using (var x = e) body</c> in a file that configures its awaits (the rule reports no <c>using (e)</c>). Where the body
    /// uses x, the declaration moves before the statement (<c>var x = e; await using (x.ConfigureAwait(false)) body</c>),
    /// only when no other x in the block could clash with it or bind to it instead.
    /// </summary>
    private static CodeEdit? ConfiguredUsingStatement(EditContext context, UsingStatementSyntax statement, AsyncScopeRewrite? scope = null)
    {
        if (SingleInitializedVariable(statement.Declaration) is not { Initializer.Value: { } value } variable || scope is null && !IsNeverNull(value, context))
            return null;
        var name = variable.Identifier.ValueText;
        if (!statement.Statement.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == name))
        {
            if (!ConfiguresAsAsyncDisposable(scope?.Type ?? context.Model.GetTypeInfo(value, context.CancellationToken).Type, statement.SpanStart, context.Model))
                return null;
            return CodeEdit.Replace(Title, statement, current =>
            {
                var @using = AwaitUsingStatement(AsyncScopeRewrite.Apply(scope, (UsingStatementSyntax)current));
                var configured = @using.Declaration!.Variables[0];
                return @using.WithDeclaration(@using.Declaration
                    .WithType(VarKeyword().WithTriviaFrom(@using.Declaration.Type))
                    .WithVariables(SyntaxFactory.SingletonSeparatedList(configured.WithInitializer(configured.Initializer!.WithValue(
                        AwaitSyntax.ConfigureAwaitFalse(configured.Initializer.Value).WithTriviaFrom(configured.Initializer.Value))))));
            });
        }

        if (statement.Parent is not BlockSyntax block
            || block.DescendantTokens().Any(t => t.IsKind(SyntaxKind.IdentifierToken) && t.ValueText == name && !statement.Span.Contains(t.Span))
            || !ConfiguresAsAsyncDisposable(scope?.Type ?? DeclaredType(variable, context), statement.SpanStart, context.Model))
            return null;
        return CodeEdit.Replace(Title, block, current =>
        {
            var currentBlock = (BlockSyntax)current;
            if (currentBlock.GetCurrentNode(statement) is not UsingStatementSyntax trackedStatement)
                return currentBlock;
            var index = currentBlock.Statements.IndexOf(trackedStatement);
            var currentStatement = AsyncScopeRewrite.Apply(scope, trackedStatement);
            var local = SyntaxFactory.LocalDeclarationStatement(currentStatement.Declaration!.WithoutTrivia())
                .WithLeadingTrivia(currentStatement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            var statements = currentBlock.Statements.Take(index).Append(local).Append(ConfiguredAwaitUsing(name, currentStatement.Statement).WithTrailingTrivia(currentStatement.GetTrailingTrivia()))
                .Concat(currentBlock.Statements.Skip(index + 1));
            return currentBlock.WithStatements(SyntaxFactory.List(statements));
        }).AndTrack(statement);
    }

    /// <summary><c>await using (x.ConfigureAwait(false)) body</c>.</summary>
    private static UsingStatementSyntax ConfiguredAwaitUsing(string name, StatementSyntax body)
        => SyntaxFactory.UsingStatement(null, AwaitSyntax.ConfigureAwaitFalse(SyntaxFactory.IdentifierName(name)), body)
            .WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space))
            .WithLeadingTrivia(SyntaxFactory.ElasticMarker)
            .WithAdditionalAnnotations(Formatter.Annotation);

    /// <summary>
    /// Whether the rest of the block, after the statement at <paramref name="index"/>, can move into a nested block:
    /// no local function there that code before calls, no label there that a goto before could target.
    /// </summary>
    private static bool CanEnclose(BlockSyntax block, int index)
    {
        var rest = block.Statements.Skip(index + 1).ToList();
        if (rest.Any(s => s is LabeledStatementSyntax))
            return false;
        var localFunctions = rest.OfType<LocalFunctionStatementSyntax>().Select(f => f.Identifier.ValueText).ToList();
        return localFunctions.Count == 0 || !block.Statements.Take(index + 1)
            .Any(s => s.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => localFunctions.Contains(n.Identifier.ValueText)));
    }

    /// <summary>Whether a name like the local's is used after its declaration, in the scope it shares (the block, or the top-level statements).</summary>
    private static bool IsUsedAfter(string name, LocalDeclarationStatementSyntax declaration)
        => (declaration.Parent is GlobalStatementSyntax global ? global.Parent! : declaration.Parent!).DescendantNodes()
            .OfType<IdentifierNameSyntax>().Any(n => n.SpanStart >= declaration.Span.End && n.Identifier.ValueText == name);

    private static ITypeSymbol? DeclaredType(VariableDeclaratorSyntax variable, EditContext context)
        => (context.Model.GetDeclaredSymbol(variable, context.CancellationToken) as ILocalSymbol)?.Type;

    /// <summary>
    /// A using does nothing for a null resource, but <c>ConfigureAwait(false)</c> wraps the null and its
    /// DisposeAsync throws: configured only when the resource cannot be null (created with <c>new</c>, or
    /// not-null by the compiler's nullable analysis).
    /// </summary>
    private static bool IsNeverNull(ExpressionSyntax resource, EditContext context)
    {
        while (resource is ParenthesizedExpressionSyntax parenthesized)
            resource = parenthesized.Expression;
        var info = context.Model.GetTypeInfo(resource, context.CancellationToken);
        return resource is BaseObjectCreationExpressionSyntax || info.Nullability.FlowState == NullableFlowState.NotNull
            || info.Type is { IsValueType: true } type && type.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T;
    }

    /// <summary>
    /// Whether <c>x.ConfigureAwait(false)</c> binds to the IAsyncDisposable extension for a resource of this type:
    /// its namespace (System.Threading.Tasks) imported, no ConfigureAwait of the type's own, no second candidate
    /// (an IAsyncEnumerable as well). Only reference types: a struct would be boxed, and the copy disposed.
    /// </summary>
    private static bool ConfiguresAsAsyncDisposable(ITypeSymbol? type, int position, SemanticModel model)
        => (type is { IsReferenceType: true } || IsAsyncServiceScope(type))
            && model.LookupSymbols(position, type, "ConfigureAwait", includeReducedExtensionMethods: true) is { Length: 1 } candidates
            && candidates[0] is IMethodSymbol { ReducedFrom: not null, ReturnType.Name: "ConfiguredAsyncDisposable" };

    /// <summary>
    /// Microsoft.Extensions.DependencyInjection's AsyncServiceScope: a readonly struct around the one scope it disposes, so the
    /// boxed copy that <c>ConfigureAwait(false)</c> wraps disposes that same scope.
    /// </summary>
    private static bool IsAsyncServiceScope(ITypeSymbol? type)
        => type is INamedTypeSymbol { Name: "AsyncServiceScope", TypeKind: TypeKind.Struct, ContainingNamespace: { Name: "DependencyInjection", ContainingNamespace: { Name: "Extensions", ContainingNamespace: { Name: "Microsoft", ContainingNamespace.IsGlobalNamespace: true } } } };

    /// <summary>
    /// <c>using var scope = factory.CreateScope();</c> becomes <c>await using var scope = factory.CreateAsyncScope();</c> (configured
    /// as the file awaits, as for any resource), and an explicit <c>IServiceScope</c> becomes <c>var</c>: the local is then an
    /// AsyncServiceScope. Only where <c>CreateAsyncScope()</c> binds on that receiver (the extension imported, one candidate),
    /// and where every use of the local reads its <c>ServiceProvider</c> or passes it on as an argument: a struct serves both as
    /// the interface did.
    /// </summary>
    private static CodeEdit? AsyncScope(EditContext context, SyntaxToken usingKeyword)
    {
        var (declaration, scopeNode) = usingKeyword.Parent switch
        {
            LocalDeclarationStatementSyntax localDeclaration when usingKeyword.IsKind(SyntaxKind.UsingKeyword)
                => (localDeclaration.Declaration, localDeclaration.Parent is GlobalStatementSyntax global ? global.Parent : localDeclaration.Parent),
            UsingStatementSyntax statement when usingKeyword.IsKind(SyntaxKind.UsingKeyword) && LanguageFeatures.AllowsAwaitUsing(statement) => (statement.Declaration, statement.Statement),
            _ => (null, null),
        };
        if (SingleInitializedVariable(declaration) is not { Initializer.Value: { } value } variable || scopeNode is null
            || AsyncScopeRewrite.CreateScopeCall(value) is not { } invocation
            || context.Model.GetSpeculativeSymbolInfo(invocation.SpanStart, AsyncScopeRewrite.Rename(invocation), SpeculativeBindingOption.BindAsExpression).Symbol
                is not IMethodSymbol { ReturnType: var scopeType } || !IsAsyncServiceScope(scopeType)
            || context.Model.GetDeclaredSymbol(variable, context.CancellationToken) is not ILocalSymbol local)
            return null;
        foreach (var use in scopeNode.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (use.Identifier.ValueText != local.Name || !SymbolEqualityComparer.Default.Equals(context.Model.GetSymbolInfo(use, context.CancellationToken).Symbol, local))
                continue;
            var served = use.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ServiceProvider" } access && access.Expression == use
                || use.Parent is ArgumentSyntax { RefKindKeyword.RawKind: 0 };
            if (!served)
                return null;
        }

        var scope = new AsyncScopeRewrite(scopeType);
        return usingKeyword.Parent switch
        {
            LocalDeclarationStatementSyntax local2 => context.ConfigureAwaitFalse
                ? ConfiguredUsingDeclaration(context, local2, scope)
                : CodeEdit.Replace(Title, local2, current =>
                {
                    var statement = AsyncScopeRewrite.Apply(scope, (LocalDeclarationStatementSyntax)current);
                    return statement.WithAwaitKeyword(AwaitKeyword(statement.UsingKeyword)).WithUsingKeyword(statement.UsingKeyword.WithLeadingTrivia());
                }),
            UsingStatementSyntax statement => context.ConfigureAwaitFalse
                ? ConfiguredUsingStatement(context, statement, scope)
                : CodeEdit.Replace(Title, statement, current => AwaitUsingStatement(AsyncScopeRewrite.Apply(scope, (UsingStatementSyntax)current))),
            _ => null,
        };
    }

    /// <summary>The rewrite of a <c>CreateScope()</c> declaration into a <c>CreateAsyncScope()</c> one, applied to the current syntax.</summary>
    private sealed class AsyncScopeRewrite
    {
        public AsyncScopeRewrite(ITypeSymbol type) => Type = type;

        /// <summary>AsyncServiceScope.</summary>
        public ITypeSymbol Type { get; }

        public static InvocationExpressionSyntax? CreateScopeCall(ExpressionSyntax value)
        {
            while (value is ParenthesizedExpressionSyntax parenthesized)
                value = parenthesized.Expression;
            return value is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name: IdentifierNameSyntax { Identifier.ValueText: "CreateScope" } }, ArgumentList.Arguments.Count: 0 } invocation
                ? invocation : null;
        }

        public static InvocationExpressionSyntax Rename(InvocationExpressionSyntax invocation)
        {
            var access = (MemberAccessExpressionSyntax)invocation.Expression;
            return invocation.WithExpression(access.WithName(SyntaxFactory.IdentifierName("CreateAsyncScope").WithTriviaFrom(access.Name)));
        }

        public static LocalDeclarationStatementSyntax Apply(AsyncScopeRewrite? scope, LocalDeclarationStatementSyntax statement)
            => scope is null ? statement : statement.WithDeclaration(Apply(statement.Declaration));

        public static UsingStatementSyntax Apply(AsyncScopeRewrite? scope, UsingStatementSyntax statement)
            => scope is null || statement.Declaration is null ? statement : statement.WithDeclaration(Apply(statement.Declaration));

        private static VariableDeclarationSyntax Apply(VariableDeclarationSyntax declaration)
        {
            if (declaration.Variables.Count != 1 || declaration.Variables[0].Initializer is not { } initializer || CreateScopeCall(initializer.Value) is not { } invocation)
                return declaration;
            var renamed = declaration.ReplaceNode(invocation, Rename(invocation));
            return renamed.Type.IsVar ? renamed : renamed.WithType(VarKeyword().WithTriviaFrom(renamed.Type));
        }
    }

    private static VariableDeclaratorSyntax? SingleInitializedVariable(VariableDeclarationSyntax? declaration)
        => declaration is { Variables.Count: 1 } && declaration.Variables[0].Initializer is not null ? declaration.Variables[0] : null;

    private static IdentifierNameSyntax VarKeyword() => SyntaxFactory.IdentifierName("var");

    /// <summary>'await ' in front of the using keyword, taking over its leading trivia.</summary>
    private static SyntaxToken AwaitKeyword(SyntaxToken usingKeyword)
        => SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space).WithLeadingTrivia(usingKeyword.LeadingTrivia);
}
