namespace AsyncPitfalls;

/// <summary>Help links of the descriptors: each points at the rule's page under docs/rules.</summary>
public static class HelpLinks
{
    public const string RulesBaseUri = "https://github.com/AsyncPitfalls/AsyncPitfalls/blob/main/docs/rules/";

    public static string For(string diagnosticId) => RulesBaseUri + diagnosticId + ".md";
}
