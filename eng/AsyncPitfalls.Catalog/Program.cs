// Regenerates the rule catalogs and the severity presets from the analyzers' descriptors:
//   dotnet run --project eng/AsyncPitfalls.Catalog              rewrites the files below
//   dotnet run --project eng/AsyncPitfalls.Catalog -- --check   exit 1 and name each file that differs (CI)
// Run it after adding or renaming a rule or changing a default severity. It owns the text between
// <!-- rules: begin --> and <!-- rules: end --> in README.md, docs/README.md and nuget/README.md, and the whole
// of nuget/config/AsyncPitfalls.Strict.globalconfig. The "Code fix" column comes from the
// "<!-- catalog code fix: ... -->" line under the header table of each docs/rules/APxxxx.md page.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace AsyncPitfalls.Catalog;

public static class Program
{
    public static int Main(string[] args)
    {
        var check = args.Length == 1 && args[0] == "--check";
        if (args.Length > 0 && !check)
        {
            Console.Error.WriteLine("usage: dotnet run --project eng/AsyncPitfalls.Catalog [-- --check]");
            return 2;
        }

        var root = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "RepositoryRoot").Value!;
        IReadOnlyList<(string Path, string Text)> outputs;
        try
        {
            var rules = RuleCatalog.Load(root);
            outputs = Outputs.All(root, rules);
            Console.WriteLine($"{rules.Count} rules from {typeof(HelpLinks).Assembly.GetName().Name}");
        }
        catch (CatalogException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 2;
        }

        var differing = outputs.Where(o => !Matches(Path.Combine(root, o.Path), o.Text)).ToList();
        if (check)
        {
            foreach (var (path, _) in differing)
                Console.WriteLine($"{path} differs from what eng/AsyncPitfalls.Catalog writes");
            if (differing.Count == 0)
            {
                Console.WriteLine($"{outputs.Count} generated files are up to date");
                return 0;
            }

            Console.WriteLine("regenerate them with: dotnet run --project eng/AsyncPitfalls.Catalog");
            return 1;
        }

        foreach (var (path, text) in differing)
        {
            File.WriteAllText(Path.Combine(root, path), text);
            Console.WriteLine($"wrote {path}");
        }

        Console.WriteLine($"{differing.Count} of {outputs.Count} generated files changed");
        return 0;
    }

    // A checkout with CRLF line endings (git's autocrlf on Windows) holds the same content; only the text counts.
    private static bool Matches(string path, string expected)
        => File.Exists(path) && File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal) == expected;
}

/// <summary>A problem in the inputs (a missing marker, page or line) that a person has to fix; reported without a stack trace.</summary>
public sealed class CatalogException(string message) : Exception(message);
