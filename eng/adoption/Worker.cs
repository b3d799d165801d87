// One pitfall for each rule the configuration check follows (eng/adoption/check-configuration.sh):
// AP1001 and AP1002 (category AsyncPitfalls.Blocking, Warning; AP1001 is off in the Tests preset) and
// AP2006 (category AsyncPitfalls.UnawaitedTasks, Warning); and a compiler warning (CS0219) that is not the
// package's. The namespace is replaced per folder.
namespace Probe.Folder;

public sealed class Worker
{
    public async Task<int> RunAsync(Task<int> pending)
    {
        var value = pending.Result;
        var unused = 0;
        Thread.Sleep(10);
        await Task.Factory.StartNew(async () => await Task.Delay(1));
        return value;
    }
}
