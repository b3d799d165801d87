using System.IO;
using System.Threading.Tasks;

namespace AsyncPitfalls.Tool.Tests;

internal sealed record ToolRun(int ExitCode, string Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Errors}";
}

/// <summary>Runs the command line in-process, as the installed tool's Main does, capturing both streams.</summary>
internal static class ToolRunner
{
    public static async Task<ToolRun> RunAsync(params string[] args)
    {
        MSBuildRegistration.EnsureRegistered();
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exit = await ToolCommands.RunAsync(args, output, errors);
        return new ToolRun(exit, output.ToString(), errors.ToString());
    }
}
