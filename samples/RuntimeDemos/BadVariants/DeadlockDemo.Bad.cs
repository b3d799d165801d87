using System.Threading;

namespace RuntimeDemos.Demos;

public sealed partial class DeadlockDemo
{
    // Bad variant, on purpose: each worker holds its first lock until the other holds its own, then
    // asks for the other's. Neither ever gets it.
    private void ForwardInverted(Barrier barrier)
    {
        lock (_a)
        {
            barrier.SignalAndWait();
            lock (_b) // AP3001
            {
                Thread.Yield();
            }
        }
    }

    private void ReverseInverted(Barrier barrier)
    {
        lock (_b)
        {
            barrier.SignalAndWait();
            lock (_a) // AP3001
            {
                Thread.Yield();
            }
        }
    }
}
