using System;
using System.Threading.Tasks;

namespace RuntimeDemos.Demos;

public sealed partial class AsyncVoidDemo
{
    // Bad variant, on purpose: nobody can await this, or catch what it throws.
    private static async void SyncNow() // AP2004
    {
        await Task.Yield();
        throw new InvalidOperationException("sync failed");
    }
}
