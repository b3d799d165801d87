using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Internals;

/// <summary>
/// Calls whose streams only hold memory: a <c>CryptoStream</c>/<c>GZipStream</c>/<c>StreamReader</c> built over a
/// <c>MemoryStream</c>, a serializer handed a <c>MemoryStream</c>, a <c>ByteArrayContent</c> read into memory. Their
/// synchronous form has nothing to wait for. Decided by the static type of each stream, following a local to
/// its initializer (when nothing writes the local again) and a wrapper to the stream it was constructed over.
/// </summary>
internal static class InMemoryStreams
{
    private const int MaxDepth = 4;

    private static readonly ConditionalWeakTable<Compilation, Types> s_types = new();

    /// <summary>
    /// Whether every stream <paramref name="invocation"/> touches holds only memory: its receiver when that is a
    /// stream, reader, writer or HTTP content, and every such argument; a receiver of another kind counts only
    /// when it owns no resource (not disposable: a serializer, not a client holding a connection) and at
    /// least one stream is passed.
    /// </summary>
    public static bool OnlyTouchesMemory(IInvocationOperation invocation, Compilation compilation, SymbolNameList inMemoryTypes)
    {
        var types = s_types.GetValue(compilation, static c => new Types(c));
        if (types.Stream is null)
            return false;

        var method = invocation.TargetMethod;
        var receiver = invocation.Instance ?? (method.IsExtensionMethod && invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
        var streams = 0;
        if (receiver is not null && types.IsStreamLike(receiver.Type))
        {
            if (!IsMemory(receiver, types, inMemoryTypes, invocation, 0))
                return false;
            streams++;
        }
        else if (!OwnsNoResource(receiver?.Type ?? method.ContainingType, types))
        {
            return false;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value == receiver || !types.IsStreamLike(argument.Value.Type) && !types.IsStreamLike(argument.Parameter?.Type))
                continue;
            if (!IsMemory(argument.Value, types, inMemoryTypes, invocation, 0))
                return false;
            streams++;
        }
        return streams > 0;
    }

    private static bool OwnsNoResource(ITypeSymbol? type, Types types)
        => type is not null && !Implements(type, types.IDisposable) && !Implements(type, types.IAsyncDisposable);

    private static bool Implements(ITypeSymbol type, INamedTypeSymbol? @interface)
        => @interface is not null && (SymbolEqualityComparer.Default.Equals(type, @interface) || type.AllInterfaces.Contains(@interface, SymbolEqualityComparer.Default));

    private static bool IsMemory(IOperation? operation, Types types, SymbolNameList inMemoryTypes, IOperation site, int depth)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        if (operation is null || depth > MaxDepth)
            return false;
        if (HoldsOnlyMemory(operation.Type, inMemoryTypes))
            return true;

        switch (operation)
        {
            case ILocalReferenceOperation local:
                return Initializer(local.Local, site) is { } initializer && IsMemory(initializer, types, inMemoryTypes, site, depth + 1);
            case IObjectCreationOperation creation when types.IsStreamLike(creation.Type):
                // A wrapper is as memory-only as the streams it is built over; one built over none (a path, a socket) is not.
                var inner = 0;
                foreach (var argument in creation.Arguments)
                {
                    if (!types.IsStreamLike(argument.Parameter?.Type))
                        continue;
                    if (!IsMemory(argument.Value, types, inMemoryTypes, site, depth + 1))
                        return false;
                    inner++;
                }
                return inner > 0;
            default:
                return false;
        }
    }

    /// <summary>
    /// A type whose data is in memory by construction, whatever the instance: it or a base type is on the list
    /// (the shipped exclusions name MemoryStream, StringReader, ByteArrayContent...; turning them off turns this off).
    /// </summary>
    private static bool HoldsOnlyMemory(ITypeSymbol? type, SymbolNameList inMemoryTypes)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (inMemoryTypes.ContainsType(current))
                return true;
        }
        return false;
    }

    /// <summary>The value a local was declared with, when no other statement of the body writes it.</summary>
    private static IOperation? Initializer(ILocalSymbol local, IOperation site)
    {
        if (local.DeclaringSyntaxReferences is not { Length: 1 } references
            || references[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } value }
            || site.SemanticModel is not { } model || value.SyntaxTree != model.SyntaxTree)
            return null;
        foreach (var reference in OperationTree.ReferencesTo(local, site))
        {
            if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference
                || reference.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out })
                return null;
        }
        return model.GetOperation(value);
    }

    private sealed class Types
    {
        public Types(Compilation compilation)
        {
            Stream = compilation.GetBestType("System.IO.Stream");
            TextReader = compilation.GetBestType("System.IO.TextReader");
            TextWriter = compilation.GetBestType("System.IO.TextWriter");
            BinaryReader = compilation.GetBestType("System.IO.BinaryReader");
            BinaryWriter = compilation.GetBestType("System.IO.BinaryWriter");
            HttpContent = compilation.GetBestType("System.Net.Http.HttpContent");
            IDisposable = compilation.GetBestType("System.IDisposable");
            IAsyncDisposable = compilation.GetBestType("System.IAsyncDisposable");
        }

        public INamedTypeSymbol? Stream { get; }
        public INamedTypeSymbol? TextReader { get; }
        public INamedTypeSymbol? TextWriter { get; }
        public INamedTypeSymbol? BinaryReader { get; }
        public INamedTypeSymbol? BinaryWriter { get; }
        public INamedTypeSymbol? HttpContent { get; }
        public INamedTypeSymbol? IDisposable { get; }
        public INamedTypeSymbol? IAsyncDisposable { get; }

        /// <summary>Something that reads or writes bytes or text and might do I/O: a stream, reader, writer or HTTP content.</summary>
        public bool IsStreamLike(ITypeSymbol? type)
            => type is not null && (TypeLookup.Is(type, Stream) || TypeLookup.Is(type, TextReader) || TypeLookup.Is(type, TextWriter)
                || TypeLookup.Is(type, BinaryReader) || TypeLookup.Is(type, BinaryWriter) || TypeLookup.Is(type, HttpContent));
    }
}
