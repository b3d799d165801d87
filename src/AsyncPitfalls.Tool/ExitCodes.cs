namespace AsyncPitfalls.Tool;

internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>scan --fail-on-findings found something; baseline check found a finding the baseline lacks.</summary>
    public const int Findings = 1;

    /// <summary>Nothing was analyzed: a path, option or baseline file the tool cannot use, or code MSBuild cannot load.</summary>
    public const int UsageError = 2;

    /// <summary>Ctrl+C, as shells report a process ended by SIGINT.</summary>
    public const int Cancelled = 130;
}
