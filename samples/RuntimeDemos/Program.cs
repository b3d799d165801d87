using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Demos;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos;

public static class Program
{
    private const string Usage = """
        Runnable demos of async pitfalls, measured against a loopback HTTP server.

        usage: dotnet run --project samples/RuntimeDemos -- <demo>... | all | --list [--scale <factor>]

          <demo>            run one or more demos by name
          all               run every demo and print a summary
          --list            list the demos
          --scale <factor>  multiply every delay (0.2 runs five times faster; default 1)

        The exit code is 0 when every demo's claim held, 1 when one did not, 2 on a usage error.
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is [AsyncVoidDemo.ChildArgument])
            return await AsyncVoidDemo.RunCrashingChildAsync();

        var scale = 1.0;
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--list":
                    PrintList();
                    return 0;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                case "--scale" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 0:
                    scale = factor;
                    i++;
                    break;
                case "--scale":
                    Console.Error.WriteLine("--scale needs a positive number, for example --scale 0.2");
                    return 2;
                default:
                    names.Add(args[i]);
                    break;
            }
        }

        if (names.Count == 0)
        {
            Console.WriteLine(Usage);
            PrintList();
            return 2;
        }

        var demos = new List<IDemo>();
        foreach (var name in names)
        {
            if (name == "all")
            {
                demos.AddRange(DemoCatalog.All);
                continue;
            }
            if (DemoCatalog.Find(name) is not { } demo)
            {
                Console.Error.WriteLine($"Unknown demo '{name}'. Run with --list to see the demos.");
                return 2;
            }
            demos.Add(demo);
        }

        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };

        var output = ConsoleOutput.ForConsole();
        await using var server = await LoopbackServer.StartAsync(interrupt.Token);
        output.Line($"Loopback server on {server.BaseAddress} (scale {scale.ToString(CultureInfo.InvariantCulture)})");
        var context = new DemoContext(server, scale, output);

        var results = new List<(IDemo Demo, bool Held)>();
        foreach (var demo in demos)
        {
            output.Line();
            output.Line($"== {demo.Name} ({demo.Rules}): {demo.Description}");
            output.Line();
            var report = await RunSafelyAsync(demo, context, interrupt.Token);
            output.Line(report.Render());
            results.Add((demo, report.ClaimHolds));
        }

        if (results.Count > 1)
        {
            output.Line($"Summary: {results.Count(r => r.Held)} of {results.Count} claims held.");
            foreach (var (demo, held) in results.Where(r => !r.Held))
                output.Line($"  did not hold: {demo.Name}");
        }
        return results.All(r => r.Held) ? 0 : 1;
    }

    /// <summary>A demo that throws fails its claim; the rest of the catalog still runs.</summary>
    public static async Task<DemoReport> RunSafelyAsync(IDemo demo, DemoContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await demo.RunAsync(context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return DemoReport.Threw(ex);
        }
    }

    private static void PrintList()
    {
        var width = DemoCatalog.All.Max(d => d.Name.Length);
        foreach (var group in DemoCatalog.All.GroupBy(d => d.Group))
        {
            Console.WriteLine($"{group.Key}:");
            foreach (var demo in group)
                Console.WriteLine($"  {demo.Name.PadRight(width)}  {demo.Description} [{demo.Rules}]");
        }
    }
}
