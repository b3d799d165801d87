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

    [Fact]
    public Task ACatchAllEndingInADoesNotReturnHelperThrows_ALoggingOneDoesNot()
        => Verify.VerifyAnalyzerAsync(Usings + """
            static class Throw
            {
                [System.Diagnostics.CodeAnalysis.DoesNotReturn]
                public static void Failure(Exception inner) => throw new InvalidOperationException("tick failed", inner);
            }

            class Heartbeat
            {
                private Timer? _timer;

                public void Start() => _timer = new Timer(OnTick, null, 1000, 1000);

                private async void {|#0:OnTick|}(object? state)
                {
                    try { await Task.Delay(1); }
                    catch (Exception e) { Throw.Failure(e); }
                }

                private async void OnLoggedTick(object? state)
                {
                    try { await Task.Delay(1); }
                    catch (Exception e) { Console.WriteLine(e); }
                }
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OnTick"));

    [Fact]
    public Task BodiesThatCatchEverything_AreQuiet_PartialOrRethrowingCatchesAreNot()
        => Verify.VerifyAnalyzerAsync(Usings + """
            class Heartbeat
            {
                private Timer? _timer;

                public void Start() => _timer = new Timer(OnTick, null, 1000, 1000);

                private async void OnTick(object? state)
                {
                    try { await SendAsync(); }
                    catch (Exception e) { Console.WriteLine(e); }
                }

                private async void OnQuietTick(object? state)
                {
                    try { await SendAsync(); }
                    catch (ObjectDisposedException) { }
                    catch { }
                }

                private async void {|#0:OnTimeoutTick|}(object? state)
                {
                    try { await SendAsync(); }
                    catch (TimeoutException) { }
                }

                private async void {|#1:OnRethrowingTick|}(object? state)
                {
                    try { await SendAsync(); }
                    catch (Exception e) { Console.WriteLine(e); throw; }
                }

                private async void {|#2:OnFilteredTick|}(object? state)
                {
                    try { await SendAsync(); }
                    catch (Exception e) when (e is TimeoutException) { }
                }

                private async void {|#3:OnLateTick|}(object? state)
                {
                    await SendAsync();
                    try { await SendAsync(); }
                    catch (Exception) { }
                }

                public void Run()
                {
                    Guarded();
                    async void Guarded()
                    {
                        try { await SendAsync(); }
                        catch { }
                    }
                }

                private static Task SendAsync() => Task.CompletedTask;
            }
            """,
            Verify.Diagnostic().WithLocation(0).WithArguments("OnTimeoutTick"),
            Verify.Diagnostic().WithLocation(1).WithArguments("OnRethrowingTick"),
            Verify.Diagnostic().WithLocation(2).WithArguments("OnFilteredTick"),
            Verify.Diagnostic().WithLocation(3).WithArguments("OnLateTick"));

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

                public async Task Run()
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

                public async Task Run()
                {
                    await Tick();
                    async Task Tick() => await Task.Yield();
                }
            }
            """);

    [Fact]
    public Task Fix_ReturnsTask_WhenTheMethodIsOnlyCalledOrNamed()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                /// <summary>Calls <see cref="Start"/>.</summary>
                public async Task Run()
                {
                    this.Start();
                    Console.WriteLine(nameof(Start));
                }

                private async void [|Start|]() => await Task.Yield();
            }
            """, Usings + """
            class Worker
            {
                /// <summary>Calls <see cref="Start"/>.</summary>
                public async Task Run()
                {
                    await this.Start();
                    Console.WriteLine(nameof(Start));
                }

                private async Task Start() => await Task.Yield();
            }
            """);

    [Fact]
    public Task NoFix_WhenTheMethodIsSubscribedToAnEvent_OrHasAnEventArgsSubclassSignature()
        => new Verify.Test
        {
            // 'async Task Refresh' would no longer convert to Action<int>: the subscription would stop compiling.
            // OnMoved's argument type derives from EventArgs without the name: a handler, not reported.
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + """
                    class Moved : EventArgs { }
                    class Counter
                    {
                        public event Action<int>? Changed;
                        public event EventHandler<Moved>? Relocated;
                    }
                    class View
                    {
                        public View(Counter counter)
                        {
                            counter.Changed += Refresh;
                            counter.Relocated += OnMoved;
                        }

                        private async void [|Refresh|](int count) => await Task.Yield();

                        private async void OnMoved(object? sender, Moved e) => await Task.Yield();
                    }
                    """,
                },
            },
        }.RunAsync();

    // Issue 25: a method group converted to a void-returning delegate would stop compiling with a Task return type.
    [Theory]
    [InlineData("public void Run() { Execute(Refresh); }  static void Execute(Action action) => action();")]
    [InlineData("public void Run() { Each(new[] { 1 }, Refresh); }  static void Each(int[] items, Action<int> action) { }", "(int count)")]
    [InlineData("public void Run(SynchronizationContext context) { context.Post(Refresh, null); }", "(object? state)")]
    [InlineData("private readonly Action _callback;  public View() { _callback = Refresh; }")]
    [InlineData("private Action _callback = null!;  public void Run() => _callback += Refresh;")]
    [InlineData("public void Run() { var callback = new Action(Refresh); callback(); }")]
    public Task NoFix_WhenTheMethodIsUsedAsAVoidDelegate(string member, string parameters = "()")
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "class View\n{\n    " + member + "\n\n    private async void [|Refresh|]" + parameters + " => await Task.Yield();\n}\n",
                },
            },
        }.RunAsync();

    // A call as a statement of a synchronous function would now drop the returned task (CS4014, exceptions lost),
    // and no await can go there.
    [Theory]
    [InlineData("public void Run() { Start(); }")]
    [InlineData("public void Run(Worker? other) { other?.Start(); }")]
    [InlineData("public async Task Run(Worker? other) { await Task.Yield(); other?.Start(); }")]
    [InlineData("private readonly object _gate = new();  public async Task Run() { await Task.Yield(); lock (_gate) { Start(); } }")]
    [InlineData("public Worker() { Start(); }")]
    public Task NoFix_WhenACallCannotAwaitTheTask(string member)
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "class Worker\n{\n    " + member + "\n\n    private async void [|Start|]() => await Task.Yield();\n}\n",
                },
            },
        }.RunAsync();

    [Fact]
    public Task NoFix_WhenCalledFromAnotherFile()
        => new Verify.Test
        {
            ExpectNoFix = true,
            TestState =
            {
                Sources =
                {
                    Usings + "class Worker\n{\n    internal async void [|Start|]() => await Task.Yield();\n}\n",
                    Usings + "class Caller\n{\n    public async Task Run(Worker worker) { await Task.Yield(); worker.Start(); }\n}\n",
                },
            },
        }.RunAsync();

    [Fact]
    public Task Fix_AwaitsTheCallsInAsyncFunctions_WithTheFilesConfigureAwait()
        => Verify.VerifyCodeFixAsync(Usings + """
            class Worker
            {
                public async Task Run()
                {
                    await Task.Delay(1).ConfigureAwait(false);
                    Start(); // go
                    Func<Task> later = async () => { Start(); await Task.Yield(); };
                    await later().ConfigureAwait(false);
                }

                private async void [|Start|]() => await Task.Delay(1).ConfigureAwait(false);
            }
            """, Usings + """
            class Worker
            {
                public async Task Run()
                {
                    await Task.Delay(1).ConfigureAwait(false);
                    await Start().ConfigureAwait(false); // go
                    Func<Task> later = async () => { await Start().ConfigureAwait(false); await Task.Yield(); };
                    await later().ConfigureAwait(false);
                }

                private async Task Start() => await Task.Delay(1).ConfigureAwait(false);
            }
            """);
}
