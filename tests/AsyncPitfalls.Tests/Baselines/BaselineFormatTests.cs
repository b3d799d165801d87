using System.Linq;
using AsyncPitfalls.Baselines;

namespace AsyncPitfalls.Tests.Baselines;

/// <summary>asyncpitfalls.baseline.json as written (sorted, one finding per line) and as read (any JSON of that shape, nothing else).</summary>
public sealed class BaselineFormatTests
{
    private static readonly BaselineEntry Sleep = new("AP1002", "src/Orders/Worker.cs", "M:Orders.Worker.RunAsync", "26614844e9eb7459", 0);
    private static readonly BaselineEntry SleepAgain = new("AP1002", "src/Orders/Worker.cs", "M:Orders.Worker.RunAsync", "26614844e9eb7459", 1);
    private static readonly BaselineEntry Wait = new("AP1001", "src/Orders/Worker.cs", "M:Orders.Worker.DrainAsync(System.Threading.Tasks.Task{System.Int32})", "0123456789abcdef", 0);
    private static readonly BaselineEntry Other = new("AP2004", "src/Api/Handler.cs", "M:Api.Handler.OnClick", "fedcba9876543210", 0);

    [Fact]
    public void Write_SortsByFileMemberRuleMessageOrdinal_OneFindingPerLine()
    {
        var text = BaselineFormat.Write(new[] { SleepAgain, Sleep, Wait, Other });

        Assert.Equal(
            "{\n"
            + "  \"version\": 1,\n"
            + "  \"findings\": [\n"
            + "    {\"rule\": \"AP2004\", \"file\": \"src/Api/Handler.cs\", \"member\": \"M:Api.Handler.OnClick\", \"message\": \"fedcba9876543210\", \"ordinal\": 0},\n"
            + "    {\"rule\": \"AP1001\", \"file\": \"src/Orders/Worker.cs\", \"member\": \"M:Orders.Worker.DrainAsync(System.Threading.Tasks.Task{System.Int32})\", \"message\": \"0123456789abcdef\", \"ordinal\": 0},\n"
            + "    {\"rule\": \"AP1002\", \"file\": \"src/Orders/Worker.cs\", \"member\": \"M:Orders.Worker.RunAsync\", \"message\": \"26614844e9eb7459\", \"ordinal\": 0},\n"
            + "    {\"rule\": \"AP1002\", \"file\": \"src/Orders/Worker.cs\", \"member\": \"M:Orders.Worker.RunAsync\", \"message\": \"26614844e9eb7459\", \"ordinal\": 1}\n"
            + "  ]\n"
            + "}\n",
            text);
    }

    [Fact]
    public void Write_OrdinalsSortNumerically()
    {
        var entries = Enumerable.Range(0, 12).Select(i => new BaselineEntry("AP1002", "a.cs", "M:A.B", "26614844e9eb7459", i)).Reverse();

        var parsed = Parse(BaselineFormat.Write(entries));

        Assert.Equal(Enumerable.Range(0, 12), parsed.Select(e => e.Ordinal));
    }

    [Fact]
    public void Write_Empty()
        => Assert.Equal("{\n  \"version\": 1,\n  \"findings\": []\n}\n", BaselineFormat.Write(Enumerable.Empty<BaselineEntry>()));

    [Fact]
    public void RoundTrip_KeepsEveryEntry_EscapesIncluded()
    {
        var odd = new BaselineEntry("AP1002", "src/we\"ird\\path\t.cs", "M:A.B(System.String)", "é\u0001", 3);
        var entries = new[] { Sleep, SleepAgain, Wait, Other, odd };

        var parsed = Parse(BaselineFormat.Write(entries));

        Assert.Equal(entries.OrderBy(e => e, BaselineEntry.Order), parsed);
    }

    [Fact]
    public void TryParse_AcceptsOtherWhitespaceKeyOrderUnknownKeysAndEscapes()
    {
        const string Text = "\uFEFF\r\n{ \"findings\" : [ { \"ordinal\" : 2 , \"message\":\"26614844e9eb7459\",\r\n\t\"member\": \"M:Orders.Worker.RunAsync\", "
            + "\"file\": \"src\\/Orders\\/Worker.cs\", \"note\": {\"any\": [1, 2.5e3, true, false, null]}, \"rule\": \"AP\\u0031002\" } ],"
            + " \"generatedBy\": \"hand\", \"version\": 1 }  \n";

        var parsed = Parse(Text);

        Assert.Equal(new[] { new BaselineEntry("AP1002", "src/Orders/Worker.cs", "M:Orders.Worker.RunAsync", "26614844e9eb7459", 2) }, parsed);
    }

    [Theory]
    [InlineData("", "line 1, column 1: unexpected end of the text")]
    [InlineData("not json", "line 1, column 1: unexpected character 'n'")]
    [InlineData("[]", "the baseline is not a JSON object")]
    [InlineData("{\"findings\": []}", "the baseline has no \"version\"")]
    [InlineData("{\"version\": 2, \"findings\": []}", "unsupported baseline version 2; this package reads version 1")]
    [InlineData("{\"version\": \"1\", \"findings\": []}", "unsupported baseline version \"1\"; this package reads version 1")]
    [InlineData("{\"version\": 1}", "the baseline has no \"findings\"")]
    [InlineData("{\"version\": 1, \"findings\": {}}", "\"findings\" is not an array")]
    [InlineData("{\"version\": 1, \"findings\": [1]}", "finding 0 is not an object")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": \"AP1002\", \"file\": \"a.cs\", \"member\": \"\", \"message\": \"x\"}]}", "finding 0 has no \"ordinal\"")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": \"AP1002\", \"file\": \"a.cs\", \"member\": \"\", \"message\": \"x\", \"ordinal\": -1}]}", "finding 0: \"ordinal\" is not a non-negative integer: -1")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": \"AP1002\", \"file\": \"a.cs\", \"member\": \"\", \"message\": \"x\", \"ordinal\": 1.5}]}", "finding 0: \"ordinal\" is not a non-negative integer: 1.5")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": 1002, \"file\": \"a.cs\", \"member\": \"\", \"message\": \"x\", \"ordinal\": 0}]}", "finding 0: \"rule\" is not a string")]
    [InlineData("{\"version\": 1, \"findings\": [{\"file\": \"a.cs\", \"member\": \"\", \"message\": \"x\", \"ordinal\": 0}]}", "finding 0 has no \"rule\"")]
    [InlineData("{\"version\": 1, \"findings\": []} x", "line 1, column 32: unexpected text after the end of the baseline")]
    [InlineData("{\"version\": 1,\n \"findings\": [}", "line 2, column 15: unexpected character '}'")]
    [InlineData("{\"version\": 1, \"version\": 1, \"findings\": []}", "line 1, column 16: duplicate property \"version\"")]
    [InlineData("{\"version\": 1, \"findings\": [\"abc", "line 1, column 29: unterminated string")]
    [InlineData("{\"version\": 1, \"findings\": [\"a\\qb\"]}", "line 1, column 31: invalid escape '\\q'")]
    [InlineData("{\"version\": 01, \"findings\": []}", "line 1, column 14: expected ',' or '}'")]
    [InlineData("{\"version\": 1, \"findings\": [],}", "line 1, column 31: expected a property name in quotes")]
    public void TryParse_RejectsGarbage_WithWhereAndWhat(string text, string error)
    {
        Assert.False(BaselineFormat.TryParse(text, out var entries, out var actual));
        Assert.Empty(entries);
        Assert.Equal(error, actual);
    }

    [Fact]
    public void TryParse_DeepNesting_IsAnErrorNotAStackOverflow()
    {
        Assert.False(BaselineFormat.TryParse(new string('[', 100_000), out _, out var error));
        Assert.Equal("line 1, column 66: nested too deeply", error);
    }

    [Fact]
    public void TryParse_Null_IsAnError()
        => Assert.False(BaselineFormat.TryParse(null, out _, out _));

    private static BaselineEntry[] Parse(string text)
    {
        Assert.True(BaselineFormat.TryParse(text, out var entries, out var error), error);
        Assert.Null(error);
        return entries.ToArray();
    }
}
