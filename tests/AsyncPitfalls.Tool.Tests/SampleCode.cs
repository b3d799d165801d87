using System;
using System.Diagnostics;
using System.IO;

namespace AsyncPitfalls.Tool.Tests;

/// <summary>
/// A small solution on disk, in a folder of its own under the temporary folder: Lib (one AP1002, one AP2004) and App
/// (one AP1002, referencing Lib), restored so MSBuild resolves their references. Nothing references the package.
/// </summary>
public sealed class SampleCode : IDisposable
{
    public const string Worker = """
        namespace Lib;

        public sealed class Worker
        {
            public async Task<int> RunAsync()
            {
                Thread.Sleep(100);
                await Task.Yield();
                return 1;
            }

            public async void Fire()
            {
                await Task.Yield();
            }
        }
        """;

    public const string Program = """
        var worker = new Lib.Worker();
        Console.WriteLine(await worker.RunAsync());
        Thread.Sleep(10);
        """;

    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
        </Project>
        """;

    private const string AppProject = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <ImplicitUsings>enable</ImplicitUsings>
            <Nullable>enable</Nullable>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="../Lib/Lib.csproj" />
          </ItemGroup>
        </Project>
        """;

    private const string Solution = """
        <Solution>
          <Project Path="App/App.csproj" />
          <Project Path="Lib/Lib.csproj" />
        </Solution>
        """;

    public SampleCode()
    {
        Root = Path.Combine(Path.GetTempPath(), "asyncpitfalls-tool-tests", Guid.NewGuid().ToString("N")[..12]);
        Write("Lib/Lib.csproj", Project);
        Write("Lib/Worker.cs", Worker);
        Write("App/App.csproj", AppProject);
        Write("App/Program.cs", Program);
        Write("Sample.slnx", Solution);
        // Keep the folder out of any repository or build configuration the temporary folder may sit in.
        Write("Directory.Build.props", "<Project />");
        Write("Directory.Build.targets", "<Project />");
        Restore();
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string text)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build host may still hold a file; the temporary folder is cleaned up eventually.
        }
    }

    private void Restore()
    {
        var start = new ProcessStartInfo("dotnet", ["restore", PathOf("Sample.slnx"), "--nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Root,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet restore of the sample failed ({process.ExitCode}):\n{output.Result}\n{errors}");
    }
}
