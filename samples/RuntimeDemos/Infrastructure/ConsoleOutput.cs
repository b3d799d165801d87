using System;
using System.IO;

namespace RuntimeDemos.Infrastructure;

/// <summary>Demo output: plain lines, and a progress line that redraws itself on a terminal.</summary>
public sealed class ConsoleOutput
{
    private readonly TextWriter _writer;
    private readonly bool _interactive;
    private bool _progressShown;

    public ConsoleOutput(TextWriter writer, bool interactive)
    {
        _writer = writer;
        _interactive = interactive;
    }

    public static ConsoleOutput ForConsole() => new(Console.Out, !Console.IsOutputRedirected);

    public void Line(string text = "")
    {
        ClearProgress();
        _writer.WriteLine(text);
    }

    /// <summary>Shows "label: done/total" in place on a terminal; writes nothing when the output is redirected.</summary>
    public void Progress(string label, int done, int total)
    {
        if (!_interactive)
            return;
        _writer.Write($"\r  {label}: {done}/{total}".PadRight(60));
        _progressShown = true;
    }

    /// <summary>Removes the progress line, if one is shown.</summary>
    public void ClearProgress()
    {
        if (!_progressShown)
            return;
        _writer.Write("\r" + new string(' ', 60) + "\r");
        _progressShown = false;
    }
}
