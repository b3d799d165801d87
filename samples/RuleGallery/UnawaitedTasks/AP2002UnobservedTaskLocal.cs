using System;
using System.Threading.Tasks;

namespace RuleGallery.UnawaitedTasks;

// AP2002: a task kept in a variable and then forgotten, or printed instead of awaited.
public sealed class Greeter
{
    private static Task<string> FetchNameAsync() => Task.FromResult("Ada");

    // Pitfall: the task is started and forgotten.
    public async Task WarmUpBlockingAsync()
    {
        var warmUp = FetchNameAsync(); // AP2002
        await Task.Yield();
    }

    // Pitfall, the guides' printed coroutine: this prints "System.Threading.Tasks.Task`1[...]".
    public void Greet()
    {
        var name = FetchNameAsync();
        Console.WriteLine(name); // AP2002
    }

    // Correct twin.
    public async Task GreetAsync()
    {
        var name = await FetchNameAsync();
        Console.WriteLine(name);
    }
}
