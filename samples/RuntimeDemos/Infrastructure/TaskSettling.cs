using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace RuntimeDemos.Infrastructure;

public static class TaskSettling
{
    /// <summary>
    /// Awaits the end of <paramref name="task"/> without rethrowing its exception or cancellation, for demos
    /// that read the outcome from the task's state afterwards. (Task&lt;T&gt; refuses SuppressThrowing, hence the cast.)
    /// </summary>
    public static ConfiguredTaskAwaitable Settled(this Task task) => task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
}
