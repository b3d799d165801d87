using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>An expected diagnostic: id, a markup location (<c>{|#n:...|}</c>) and, when given, the exact message.</summary>
public sealed record DiagnosticResult(string Id, DiagnosticDescriptor? Descriptor = null, int? LocationIndex = null, string? Message = null)
{
    public DiagnosticResult WithLocation(int markupIndex) => this with { LocationIndex = markupIndex };

    public DiagnosticResult WithMessage(string message) => this with { Message = message };

    /// <summary>The message the descriptor's format gives with these arguments.</summary>
    public DiagnosticResult WithArguments(params object[] arguments)
        => this with { Message = string.Format(System.Globalization.CultureInfo.InvariantCulture, Descriptor!.MessageFormat.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments) };
}
