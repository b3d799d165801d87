using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Verifiers;
using Verify = AsyncPitfalls.Tests.Verifiers.CSharpCodeFixVerifier<AsyncPitfalls.Rules.AsyncVoidAnalyzer, AsyncPitfalls.Rules.AsyncVoidCodeFix>;

namespace AsyncPitfalls.Tests.Rules;

public sealed class AP2004AsyncVoidTests
{
    private const string Usings = AP2001DiscardedTaskTests.Usings;

    [Fact]
    public Task Reports_AsyncVoidMethodsAndLocalFunctions()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Worker
            {
                public async void {|#0:Start|}()
                {
                    await Task.Delay(1);
                }

                public void Run()
                {
                    Tick();
                    async void {|#1:Tick|}() => await Task.Yield();
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithMessage("'Start' is async void: callers cannot await it, and an exception it throws ends the process; return Task"),
            Verify.Diagnostic().WithLocation(1).WithArguments("Tick"));

    [Fact]
    public Task NoDiagnostic_EventHandlers_OverridesInterfaceImplementations_AsyncTask()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class ClickEventArgs : EventArgs { }
            class RoutedEventArgs { }
            interface IStartable { void Start(); }
            abstract class Page { public abstract void OnAppearing(); }
            class Form : Page, IStartable
            {
                public async void OnClick(object sender, EventArgs e) => await Task.Yield();
                public async void OnCustom(object? sender, ClickEventArgs e) => await Task.Yield();
                private async void OnLoaded(object sender, RoutedEventArgs e) => await Task.Yield();
                public override async void OnAppearing() => await Task.Yield();
                public async void Start() => await Task.Yield();
                public async Task RunAsync() => await Task.Yield();
                public void Sync() { }
            }
            """);

    [Theory]
    [InlineData("async void M( { await Task.Yield(); }")]
    [InlineData("async void M(object sender, Missing e) { await Task.Yield(); }")]
    [InlineData("async void { }")]
    public Task NoCrash_OnHalfTypedCode(string member)
        => Verify.VerifyNoCrashAsync(Usings + "class C { " + member + " }");

    [Fact]
    public Task Fix_ReturnsTask_ForMethodsAndLocalFunctions()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async void [|Start|]()
                {
                    await Task.Delay(1);
                }

                public void Run()
                {
                    Tick();
                    async void [|Tick|]() => await Task.Yield();
                }
            }
            """, Usings + """
            class Worker
            {
                public async Task Start()
                {
                    await Task.Delay(1);
                }

                public void Run()
                {
                    Tick();
                    async Task Tick() => await Task.Yield();
                }
            }
            """);
}
