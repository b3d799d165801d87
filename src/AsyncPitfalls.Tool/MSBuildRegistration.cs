using Microsoft.Build.Locator;

namespace AsyncPitfalls.Tool;

/// <summary>Points MSBuild at the newest installed .NET SDK, once per process, before any MSBuild type is touched.</summary>
internal static class MSBuildRegistration
{
    private static readonly object Gate = new();

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (!MSBuildLocator.IsRegistered && MSBuildLocator.CanRegister)
                MSBuildLocator.RegisterDefaults();
        }
    }
}
