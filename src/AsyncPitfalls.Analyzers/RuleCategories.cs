namespace AsyncPitfalls;

/// <summary>
/// Diagnostic categories, one per rule family, so a team can set a whole family's severity with
/// <c>dotnet_analyzer_diagnostic.category-AsyncPitfalls.Blocking.severity</c>.
/// </summary>
public static class RuleCategories
{
    public const string Blocking = "AsyncPitfalls.Blocking";
    public const string UnawaitedTasks = "AsyncPitfalls.UnawaitedTasks";
    public const string Locking = "AsyncPitfalls.Locking";
    public const string Resources = "AsyncPitfalls.Resources";
    public const string Cancellation = "AsyncPitfalls.Cancellation";
}
