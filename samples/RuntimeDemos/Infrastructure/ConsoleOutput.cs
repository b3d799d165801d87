using System;

namespace RuntimeDemos.Infrastructure;

/// <summary>Demo output: plain lines, and a progress line that redraws itself on a terminal.</summary>
public sealed class ConsoleOutput
{
    private const int ProgressWidth = 60;
    private readonly bool _interactive;
    private bool _progressShown;

    private ConsoleOutput(bool interactive) => _interactive = interactive;

    /// <summary>Writes to the console (which tests may redirect with <see cref="Console.SetOut"/>).</summary>
    public static ConsoleOutput ForConsole() => new(!Console.IsOutputRedirected);

    public void Line(string text = "")
    {
        ClearProgress();
        Console.WriteLine(text);
    }

    /// <summary>Shows "label: done/total" in place on a terminal; writes nothing when the output is redirected.</summary>
    public void Progress(string label, int done, int total)
    {
        if (!_interactive)
            return;
        Console.Write($"\r  {label}: {done}/{total}".PadRight(ProgressWidth));
        _progressShown = true;
    }

    /// <summary>Removes the progress line, if one is shown.</summary>
    public void ClearProgress()
    {
        if (!_progressShown)
            return;
        Console.Write("\r" + new string(' ', ProgressWidth) + "\r");
        _progressShown = false;
    }
}
