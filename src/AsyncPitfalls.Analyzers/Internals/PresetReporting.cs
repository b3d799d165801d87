using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Internals;

/// <summary>
/// The one way the rules report: through the <c>AsyncPitfallsMode</c> preset (<see cref="SeverityPresets"/>). The
/// contexts' own ReportDiagnostic methods are banned in analyzer code (src/BannedSymbols.txt) so none bypasses it.
/// </summary>
#pragma warning disable RS0030 // The banned ReportDiagnostic methods are called here, and only here.
internal static class PresetReporting
{
    public static void Report(this OperationAnalysisContext context, Diagnostic diagnostic)
    {
        if (SeverityPresets.Apply(diagnostic, context.Options, context.Compilation, context.CancellationToken) is { } reported)
            context.ReportDiagnostic(reported);
    }

    public static void Report(this SymbolAnalysisContext context, Diagnostic diagnostic)
    {
        if (SeverityPresets.Apply(diagnostic, context.Options, context.Compilation, context.CancellationToken) is { } reported)
            context.ReportDiagnostic(reported);
    }

    public static void Report(this CompilationAnalysisContext context, Diagnostic diagnostic)
    {
        if (SeverityPresets.Apply(diagnostic, context.Options, context.Compilation, context.CancellationToken) is { } reported)
            context.ReportDiagnostic(reported);
    }

    public static void Report(this OperationBlockAnalysisContext context, Diagnostic diagnostic)
    {
        if (SeverityPresets.Apply(diagnostic, context.Options, context.Compilation, context.CancellationToken) is { } reported)
            context.ReportDiagnostic(reported);
    }
}
#pragma warning restore RS0030
