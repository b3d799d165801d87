using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace AsyncPitfalls.Internals;

/// <summary>How a function's return type and return statements change when it becomes async.</summary>
internal enum AsyncReturnShape
{
    /// <summary>Already returns Task or ValueTask: <c>return t;</c> becomes <c>await t; return;</c>.</summary>
    Task,
    /// <summary>Already returns Task&lt;T&gt; or ValueTask&lt;T&gt;: <c>return t;</c> becomes <c>return await t;</c>.</summary>
    TaskOfT,
    /// <summary>Returns void: the return type becomes Task.</summary>
    VoidToTask,
    /// <summary>Returns another type T: the return type becomes Task&lt;T&gt;; returns stay as they are.</summary>
    WrapInTask,
    /// <summary>An event handler: it stays void (the event fixes its signature) and only becomes async.</summary>
    AsyncVoidHandler,
}

/// <summary>Makes a method, local function or lambda async: the shared "make the enclosing function async" of every fix that inserts an await.</summary>
internal static class AsyncConversion
{
    /// <summary>
    /// Decides, before any edit, whether <paramref name="function"/> can become async and how its
    /// returns change. It cannot when it has ref, out or in parameters, ref struct or pointer
    /// parameters, is an iterator, or returns an async stream (that needs <c>yield</c>, not
    /// <c>async</c>). A synchronous signature (void, or a type T) changes only when
    /// <paramref name="allowSignatureChange"/> says so, and never for an override or an interface
    /// implementation, whose signature is not this method's to change, nor when the document uses the
    /// method as its old signature requires (a method group, the value of a call); a lambda's return type
    /// is its delegate's, so a synchronous lambda never becomes async.
    /// </summary>
    public static bool TryPlan(SyntaxNode function, SemanticModel model, KnownTypes types, out AsyncReturnShape shape, out ImmutableArray<InvocationExpressionSyntax> callsToAwait,
        System.Threading.CancellationToken cancellationToken, bool allowSignatureChange = false)
    {
        shape = default;
        callsToAwait = ImmutableArray<InvocationExpressionSyntax>.Empty;
        var symbol = function is AnonymousFunctionExpressionSyntax
            ? model.GetSymbolInfo(function, cancellationToken).Symbol as IMethodSymbol
            : model.GetDeclaredSymbol(function, cancellationToken) as IMethodSymbol;
        if (symbol is null || symbol.IsAsync || symbol.ReturnsByRef || symbol.ReturnsByRefReadonly || IsIterator(function))
            return false;

        foreach (var parameter in symbol.Parameters)
        {
            if (parameter.RefKind != RefKind.None || parameter.Type.IsRefLikeType || parameter.Type.TypeKind == TypeKind.Pointer)
                return false;
        }

        if (types.IsTaskOrValueTask(symbol.ReturnType))
        {
            shape = types.GetTaskResultType(symbol.ReturnType) is null ? AsyncReturnShape.Task : AsyncReturnShape.TaskOfT;
            return true;
        }

        // The delegate type, not the lambda, decides what a lambda returns.
        if (!allowSignatureChange || function is AnonymousFunctionExpressionSyntax || symbol.IsOverride || Declarations.ImplementsInterfaceMember(symbol)
            || types.IsAsyncReturnType(symbol.ReturnType))
            return false;
        shape = symbol.ReturnsVoid
            ? Declarations.IsEventHandler(symbol, types) ? AsyncReturnShape.AsyncVoidHandler : AsyncReturnShape.VoidToTask
            : AsyncReturnShape.WrapInTask;
        return shape == AsyncReturnShape.AsyncVoidHandler || TryFindCallsToAwait(symbol, function, model, cancellationToken, out callsToAwait);
    }

    /// <summary>
    /// The calls that must await the method once it returns a task, or false when a use in the document would
    /// break or lose it. A method group (an <c>Action</c>, a delegate argument) needs the old return type, and a
    /// call whose value is used (<c>Count() + 1</c>) would get a task. A call as a statement would drop the task,
    /// and with it the exceptions the caller used to see (the forgotten await the fix is about, one call up): it is
    /// awaited when it stands in an async function where an await can go, and the plan is refused otherwise (a
    /// synchronous caller, <c>worker?.Save()</c>, recursion). Uses in other documents are out of the fix's sight:
    /// they are why such a change may be an action of its own (<see cref="SignatureChangeOthersMaySee"/>).
    /// </summary>
    private static bool TryFindCallsToAwait(IMethodSymbol method, SyntaxNode function, SemanticModel model, System.Threading.CancellationToken cancellationToken,
        out ImmutableArray<InvocationExpressionSyntax> callsToAwait)
    {
        callsToAwait = ImmutableArray<InvocationExpressionSyntax>.Empty;
        var calls = ImmutableArray.CreateBuilder<InvocationExpressionSyntax>();
        foreach (var name in function.SyntaxTree.GetRoot(cancellationToken).DescendantNodes().OfType<SimpleNameSyntax>())
        {
            if (name.Identifier.ValueText != method.Name
                || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol?.OriginalDefinition, method.OriginalDefinition))
                continue;
            var callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? (ExpressionSyntax)access : name;
            if (callee.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } } })
                continue;
            if (AwaitableCallStatement(name, model, cancellationToken) is not { } call)
                return false;
            calls.Add(call);
        }
        callsToAwait = calls.ToImmutable();
        return true;
    }

    /// <summary>
    /// The call <paramref name="name"/> makes when it is a statement of an async function where an await can go
    /// (<c>Save(x);</c>, <c>this.Save(x);</c>), which can then await the task the method returns; null otherwise
    /// (<c>worker?.Save()</c> too: awaiting it would throw when worker is null).
    /// </summary>
    public static InvocationExpressionSyntax? AwaitableCallStatement(SimpleNameSyntax name, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        var callee = name.Parent is MemberAccessExpressionSyntax access && access.Name == name ? (ExpressionSyntax)access : name;
        return callee.Parent is InvocationExpressionSyntax { Parent: ExpressionStatementSyntax } call && call.Expression == callee
            && IsAsyncFunction(FunctionSyntax.GetEnclosingFunction(call)) && FunctionSyntax.CanAwaitAt(call, model, cancellationToken)
                ? call
                : null;
    }

    private static bool IsAsyncFunction(SyntaxNode? function) => function switch
    {
        MethodDeclarationSyntax method => method.Modifiers.Any(SyntaxKind.AsyncKeyword),
        LocalFunctionStatementSyntax local => local.Modifiers.Any(SyntaxKind.AsyncKeyword),
        AnonymousFunctionExpressionSyntax lambda => lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword),
        _ => false,
    };

    /// <summary>
    /// The name of the method when the plan changes its signature and code the fix cannot see may use it: what
    /// <see cref="VisibleSignatureChange"/> names, and also an internal method, or a private one of a partial type,
    /// that <paramref name="usedInOtherDocuments"/> does not clear (its calls there would drop the task unseen).
    /// Null for a private method of a type declared once and for local functions: every use is in this document.
    /// </summary>
    public static string? SignatureChangeOthersMaySee(SyntaxNode function, AsyncReturnShape shape, SemanticModel model, System.Func<IMethodSymbol, bool?> usedInOtherDocuments,
        System.Threading.CancellationToken cancellationToken)
    {
        if (VisibleSignatureChange(function, shape, model, cancellationToken) is { } visible)
            return visible;
        if (shape is not (AsyncReturnShape.VoidToTask or AsyncReturnShape.WrapInTask)
            || function is not MethodDeclarationSyntax
            || model.GetDeclaredSymbol(function, cancellationToken) is not IMethodSymbol method
            || !MayBeUsedInOtherDocuments(method))
            return null;
        return usedInOtherDocuments(method) == false ? null : method.Name;
    }

    /// <summary>Whether code in another document could name the method: it is not private, or a type around it is partial.</summary>
    public static bool MayBeUsedInOtherDocuments(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.LocalFunction)
            return false;
        if (method.DeclaredAccessibility != Accessibility.Private)
            return true;
        for (var type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (type.DeclaringSyntaxReferences.Length > 1)
                return true;
        }
        return false;
    }

    /// <summary>
    /// The name of the method when the plan changes its signature (void or T becomes a task) and code the fix
    /// cannot see depends on it: a method that callers outside the assembly can reach (public, protected or
    /// protected internal, in types that are all visible outside), or a virtual one, whose overrides would no
    /// longer match. Null for private and internal methods, local functions, and plans that keep the signature.
    /// </summary>
    public static string? VisibleSignatureChange(SyntaxNode function, AsyncReturnShape shape, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        if (shape is not (AsyncReturnShape.VoidToTask or AsyncReturnShape.WrapInTask)
            || function is not MethodDeclarationSyntax
            || model.GetDeclaredSymbol(function, cancellationToken) is not IMethodSymbol method)
            return null;
        return method.IsVirtual || method.IsAbstract || IsVisibleOutsideAssembly(method) ? method.Name : null;
    }

    private static bool IsVisibleOutsideAssembly(ISymbol symbol)
    {
        for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                return false;
        }
        return true;
    }

    private static bool IsIterator(SyntaxNode function)
        => function.DescendantNodes(node => node == function || !FunctionSyntax.IsFunction(node)).OfType<YieldStatementSyntax>().Any();

    /// <summary>Applies a plan made by <see cref="TryPlan"/> to the current version of the function's syntax.</summary>
    public static SyntaxNode Apply(SyntaxNode function, AsyncReturnShape shape, bool configureAwaitFalse)
    {
        var rewriter = new ReturnRewriter(shape, configureAwaitFalse);
        switch (function)
        {
            case MethodDeclarationSyntax method:
            {
                method = method.Body is { } body
                    ? method.WithBody(rewriter.RewriteBody(body))
                    : method.WithExpressionBody(rewriter.RewriteExpressionBody(method.ExpressionBody!));
                method = method.WithReturnType(NewReturnType(method.ReturnType, shape));
                return AddAsyncModifier(method, method.Modifiers, method.ReturnType, (m, mods) => m.WithModifiers(mods), (m, t) => m.WithReturnType(t));
            }
            case LocalFunctionStatementSyntax localFunction:
            {
                localFunction = localFunction.Body is { } body
                    ? localFunction.WithBody(rewriter.RewriteBody(body))
                    : localFunction.WithExpressionBody(rewriter.RewriteExpressionBody(localFunction.ExpressionBody!));
                localFunction = localFunction.WithReturnType(NewReturnType(localFunction.ReturnType, shape));
                return AddAsyncModifier(localFunction, localFunction.Modifiers, localFunction.ReturnType, (m, mods) => m.WithModifiers(mods), (m, t) => m.WithReturnType(t));
            }
            case AnonymousFunctionExpressionSyntax lambda:
            {
                lambda = lambda.Block is { } block
                    ? lambda.WithBlock(rewriter.RewriteBody(block))
                    : lambda.WithExpressionBody(rewriter.RewriteExpression(lambda.ExpressionBody!));
                var asyncKeyword = SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithLeadingTrivia(lambda.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space);
                return lambda.WithoutLeadingTrivia().WithAsyncKeyword(asyncKeyword);
            }
            default:
                return function;
        }
    }

    private static TypeSyntax NewReturnType(TypeSyntax returnType, AsyncReturnShape shape) => shape switch
    {
        AsyncReturnShape.VoidToTask => AwaitSyntax.TaskType().WithTriviaFrom(returnType),
        AsyncReturnShape.WrapInTask => AwaitSyntax.TaskOf(returnType.WithoutTrivia()).WithTriviaFrom(returnType),
        _ => returnType,
    };

    private static TNode AddAsyncModifier<TNode>(TNode node, SyntaxTokenList modifiers, TypeSyntax returnType,
        System.Func<TNode, SyntaxTokenList, TNode> withModifiers, System.Func<TNode, TypeSyntax, TNode> withReturnType)
        where TNode : SyntaxNode
    {
        var asyncKeyword = SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (modifiers.Count == 0)
        {
            // The return type's indentation moves to the new first token.
            node = withReturnType(node, returnType.WithLeadingTrivia());
            return withModifiers(node, SyntaxFactory.TokenList(asyncKeyword.WithLeadingTrivia(returnType.GetLeadingTrivia())));
        }
        return withModifiers(node, modifiers.Add(asyncKeyword));
    }

    /// <summary>Rewrites the returns of one function body, leaving nested functions alone.</summary>
    private sealed class ReturnRewriter : CSharpSyntaxRewriter
    {
        private readonly AsyncReturnShape _shape;
        private readonly bool _configureAwaitFalse;

        public ReturnRewriter(AsyncReturnShape shape, bool configureAwaitFalse)
        {
            _shape = shape;
            _configureAwaitFalse = configureAwaitFalse;
        }

        public BlockSyntax RewriteBody(BlockSyntax body)
        {
            var rewritten = (BlockSyntax)VisitBlock(body)!;
            // A bare 'return;' left as the last statement says nothing.
            if (rewritten.Statements.LastOrDefault() is ReturnStatementSyntax { Expression: null } last)
                rewritten = rewritten.WithStatements(rewritten.Statements.Remove(last));
            return rewritten;
        }

        public ArrowExpressionClauseSyntax RewriteExpressionBody(ArrowExpressionClauseSyntax arrow)
            => arrow.WithExpression(RewriteExpression(arrow.Expression));

        public ExpressionSyntax RewriteExpression(ExpressionSyntax expression)
        {
            if (_shape == AsyncReturnShape.TaskOfT && TryUnwrapFromResult(expression, out var value))
                return value.WithTriviaFrom(expression);
            if (_shape is AsyncReturnShape.Task or AsyncReturnShape.TaskOfT && expression is not AwaitExpressionSyntax)
                return AwaitSyntax.Await(expression, _configureAwaitFalse);
            return expression;
        }

        public override SyntaxNode? VisitBlock(BlockSyntax node)
        {
            var statements = new List<StatementSyntax>(node.Statements.Count);
            foreach (var statement in node.Statements)
            {
                if (statement is ReturnStatementSyntax @return)
                    statements.AddRange(RewriteReturn(@return));
                else
                    statements.Add((StatementSyntax)Visit(statement)!);
            }
            return node.WithStatements(SyntaxFactory.List(statements));
        }

        public override SyntaxNode? VisitReturnStatement(ReturnStatementSyntax node)
        {
            // A return that is not directly in a block ('if (x) return t;'): several statements need braces.
            var statements = RewriteReturn(node);
            return statements.Count == 1 ? statements[0] : SyntaxFactory.Block(statements).WithAdditionalAnnotations(Formatter.Annotation);
        }

        public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node) => node;
        public override SyntaxNode? VisitParenthesizedLambdaExpression(ParenthesizedLambdaExpressionSyntax node) => node;
        public override SyntaxNode? VisitSimpleLambdaExpression(SimpleLambdaExpressionSyntax node) => node;
        public override SyntaxNode? VisitAnonymousMethodExpression(AnonymousMethodExpressionSyntax node) => node;

        private List<StatementSyntax> RewriteReturn(ReturnStatementSyntax node)
        {
            if (node.Expression is not { } expression || _shape is AsyncReturnShape.VoidToTask or AsyncReturnShape.WrapInTask or AsyncReturnShape.AsyncVoidHandler)
                return new List<StatementSyntax> { node };

            if (_shape == AsyncReturnShape.TaskOfT)
                return new List<StatementSyntax> { node.WithExpression(RewriteExpression(expression)) };

            if (IsCompletedTask(expression))
                return new List<StatementSyntax> { node.WithExpression(null).WithReturnKeyword(node.ReturnKeyword.WithTrailingTrivia()) };

            var awaitStatement = SyntaxFactory.ExpressionStatement(AwaitSyntax.Await(expression.WithoutTrivia(), _configureAwaitFalse))
                .WithLeadingTrivia(node.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            var returnStatement = SyntaxFactory.ReturnStatement().WithTrailingTrivia(node.GetTrailingTrivia()).WithAdditionalAnnotations(Formatter.Annotation);
            return new List<StatementSyntax> { awaitStatement, returnStatement };
        }

        private static bool IsCompletedTask(ExpressionSyntax expression) => expression switch
        {
            MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CompletedTask" } => true,
            LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.DefaultLiteralExpression),
            DefaultExpressionSyntax => true,
            ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } creation => creation.Type is IdentifierNameSyntax { Identifier.ValueText: "ValueTask" } or QualifiedNameSyntax { Right.Identifier.ValueText: "ValueTask" },
            ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0 } => true,
            _ => false,
        };

        private static bool TryUnwrapFromResult(ExpressionSyntax expression, out ExpressionSyntax value)
        {
            switch (expression)
            {
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "FromResult" }, ArgumentList.Arguments.Count: 1 } fromResult:
                    value = fromResult.ArgumentList.Arguments[0].Expression;
                    return true;
                case BaseObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 1 } creation
                    when creation is ImplicitObjectCreationExpressionSyntax || creation is ObjectCreationExpressionSyntax { Type: GenericNameSyntax { Identifier.ValueText: "ValueTask" } or QualifiedNameSyntax { Right: GenericNameSyntax { Identifier.ValueText: "ValueTask" } } }:
                    value = creation.ArgumentList!.Arguments[0].Expression;
                    return true;
                default:
                    value = expression;
                    return false;
            }
        }
    }
}
