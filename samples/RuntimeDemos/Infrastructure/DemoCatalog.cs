using System;
using System.Collections.Generic;
using System.Linq;
using RuntimeDemos.Demos;
using RuntimeDemos.Demos.Applications;
using RuntimeDemos.Demos.Basics;
using RuntimeDemos.Demos.Coordination;
using RuntimeDemos.Demos.Performance;
using RuntimeDemos.Demos.Resilience;
using RuntimeDemos.Demos.Resources;
using RuntimeDemos.Demos.Synchronization;

namespace RuntimeDemos.Infrastructure;

/// <summary>Every demo, in the order <c>--list</c> and <c>all</c> use.</summary>
public static class DemoCatalog
{
    public static IReadOnlyList<IDemo> All { get; } = new IDemo[]
    {
        new SequentialVsConcurrentDemo(),
        new RestaurantDemo(),
        new TaskLifecycleDemo(),
        new WhenAllFailuresDemo(),
        new CompletionOrderDemo(),
        new WhenAnyDemo(),
        new TaskGroupDemo(),
        new WaitAsyncDemo(),
        new ShieldDemo(),
        new ChannelsDemo(),
        new RateLimitedDownloaderDemo(),
        new EventsDemo(),
        new TokenBucketDemo(),
        new RetryBackoffDemo(),
        new CircuitBreakerDemo(),
        new ExceptionHandlingDemo(),
        new BatchingDemo(),
        new StreamingDemo(),
        new PaginatorDemo(),
        new PoliteScraperDemo(),
        new AsyncResourcesDemo(),
        new SleepVsDelayDemo(),
        new BlockingDemo(),
        new PoolStarvationDemo(),
        new ForgottenAwaitDemo(),
        new AsyncVoidDemo(),
        new TasksInLoopDemo(),
        new DisposedBeforeCompletionDemo(),
        new SwallowedCancellationDemo(),
        new RetryCancelDemo(),
        new TimeoutDemo(),
        new ConnectionPoolingDemo(),
        new LeaksDemo(),
        new DeadlockDemo(),
        new LostUpdateDemo(),
        new SemaphoreLeakDemo(),
        new ThreadAffineLockDemo(),
    };

    public static IDemo? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
