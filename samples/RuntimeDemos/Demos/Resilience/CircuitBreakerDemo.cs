using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Resilience;

/// <summary>
/// The guides' circuit breaker against the loopback server's <c>/status/500</c>: after three failures in a
/// row it opens and fails fast (the server sees no more requests), after its break time one trial call goes
/// through (half-open), and a success closes it again.
/// </summary>
public sealed class CircuitBreakerDemo : IDemo
{
    private const int Threshold = 3;
    private static readonly TimeSpan BreakTime = TimeSpan.FromMilliseconds(300);

    public string Name => "circuit-breaker";
    public string Group => "resilience";
    public string Description => $"a circuit breaker against /status/500: opens after {Threshold} failures, fails fast, half-opens after its break, closes on success";
    public string Rules => "AP5002, AP4003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var breaker = new CircuitBreaker(Threshold, context.Scaled(BreakTime));
        var report = new DemoReport("call", "state before", "outcome", "server requests so far");
        var requestsAtStart = context.Server.Requests;

        async Task CallAsync(string label, string path)
        {
            var before = breaker.State;
            string outcome;
            try
            {
                await breaker.ExecuteAsync(async token =>
                {
                    using var response = await client.GetAsync(path, token);
                    response.EnsureSuccessStatusCode();
                }, cancellationToken);
                outcome = "ok";
            }
            catch (HttpRequestException ex)
            {
                outcome = $"failed ({(int?)ex.StatusCode})";
            }
            catch (CircuitOpenException)
            {
                outcome = "rejected: circuit open";
            }
            report.AddRow(label, before.ToString(), outcome, Measure.N(context.Server.Requests - requestsAtStart));
        }

        for (var i = 1; i <= Threshold; i++)
            await CallAsync($"failing call {i}", "status/500");
        var requestsWhenOpened = context.Server.Requests;
        var stateAfterFailures = breaker.State;
        for (var i = 1; i <= 3; i++)
            await CallAsync($"while open {i}", "status/500");
        var requestsWhileOpen = context.Server.Requests - requestsWhenOpened;

        await Task.Delay(context.Scaled(BreakTime) * 1.2, cancellationToken);
        var stateAfterBreak = breaker.State;
        await CallAsync("trial after the break", "get");

        return report.Conclude(
            $"The circuit opened after {Threshold} failures; the next 3 calls were rejected without reaching the server ({requestsWhileOpen} requests); after the break the trial call went through and closed it.",
            Check.Observed($"after {Threshold} failures: open", stateAfterFailures == CircuitState.Open, "yes", stateAfterFailures.ToString()),
            Check.Exactly("while open: requests reaching the server", requestsWhileOpen, 0),
            Check.Observed("after the break: half-open", stateAfterBreak == CircuitState.HalfOpen, "yes", stateAfterBreak.ToString()),
            Check.Observed("after the trial call: closed", breaker.State == CircuitState.Closed, "yes", breaker.State.ToString()));
    }

    private enum CircuitState { Closed, Open, HalfOpen }

    private sealed class CircuitOpenException() : Exception("The circuit is open.");

    /// <summary>Closed: calls pass, failures are counted. Open: calls fail fast until the break ends. Half-open: one trial decides.</summary>
    private sealed class CircuitBreaker(int threshold, TimeSpan breakTime)
    {
        private readonly object _gate = new();
        private int _failures;
        private DateTime _openedAt;
        private bool _open;

        public CircuitState State
        {
            get
            {
                lock (_gate)
                    return !_open ? CircuitState.Closed : DateTime.UtcNow - _openedAt < breakTime ? CircuitState.Open : CircuitState.HalfOpen;
            }
        }

        public async Task ExecuteAsync(Func<CancellationToken, Task> operation, CancellationToken cancellationToken)
        {
            if (State == CircuitState.Open)
                throw new CircuitOpenException();
            try
            {
                await operation(cancellationToken);
            }
            catch (HttpRequestException)
            {
                lock (_gate)
                {
                    // A failed trial (half-open) or the threshold reached (closed) opens the circuit for another break.
                    if (_open || ++_failures >= threshold)
                    {
                        _open = true;
                        _openedAt = DateTime.UtcNow;
                    }
                }
                throw;
            }
            lock (_gate)
            {
                _failures = 0;
                _open = false;
            }
        }
    }
}
