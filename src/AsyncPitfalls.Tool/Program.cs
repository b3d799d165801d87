using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace AsyncPitfalls.Tool;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Before any method that mentions an MSBuild or workspace type is compiled: the locator can only redirect
        // MSBuild's assemblies to the installed SDK's if none of them is loaded yet.
        MSBuildRegistration.EnsureRegistered();
        return await RunAsync(args);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<int> RunAsync(string[] args) => ToolCommands.RunAsync(args, Console.Out, Console.Error);
}
