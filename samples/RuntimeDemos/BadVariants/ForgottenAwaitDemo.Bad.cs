using System.Threading;

namespace RuntimeDemos.Demos;

public sealed partial class ForgottenAwaitDemo
{
    // Bad variant, on purpose: the saves start, and the caller moves on at once.
    private static void SaveOrdersForgetting(OrderStore store)
    {
        for (var id = 1; id <= Orders; id++)
            store.SaveAsync(id, CancellationToken.None); // AP2001
    }
}
