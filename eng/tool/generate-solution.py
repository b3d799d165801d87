"""Writes a generated solution of many small projects, to measure the asyncpitfalls tool on a large solution
(docs/tool.md). Each project is a class library of five files with a few pitfalls and their correct twins; the
projects stand in layers of 50, each referencing two of the layer below, so the solution has project references to
resolve and compile first, as real ones do.

usage: python3 eng/tool/generate-solution.py OUTPUT_DIR [PROJECTS=500]
"""
import subprocess
import sys
from pathlib import Path

FILE = """namespace Generated.P{p};

public sealed class Service{f}
{{
    private readonly object _gate = new();
    private int _count;

    public async Task<int> PollAsync(Task<int> pending, CancellationToken cancellationToken)
    {{
        Thread.Sleep(10);
        var value = pending.Result;
        await Task.Delay(10, cancellationToken);
        return value + _count;
    }}

    public async Task<int> PollCorrectlyAsync(Task<int> pending, CancellationToken cancellationToken)
    {{
        await Task.Delay(10, cancellationToken);
        return await pending + _count;
    }}

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {{
        try
        {{
            await Task.Delay(100, cancellationToken);
        }}
        catch (Exception)
        {{
        }}
        lock (_gate)
        {{
            _count++;
        }}
    }}
}}
"""

PROJECT = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
{references}</Project>
"""


def main():
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    out.mkdir(parents=True, exist_ok=True)
    for p in range(count):
        folder = out / f"P{p}"
        folder.mkdir(exist_ok=True)
        layer, index = divmod(p, 50)
        references = ""
        if layer > 0:
            below = [(layer - 1) * 50 + index, (layer - 1) * 50 + (index + 1) % 50]
            items = "".join(f'    <ProjectReference Include="../P{r}/P{r}.csproj" />\n' for r in below)
            references = f"  <ItemGroup>\n{items}  </ItemGroup>\n"
        (folder / f"P{p}.csproj").write_text(PROJECT.format(references=references))
        for f in range(5):
            (folder / f"Service{f}.cs").write_text(FILE.format(p=p, f=f))
    # The solution as the SDK writes it (with the configuration mappings MSBuild needs to restore and build it).
    subprocess.run(["dotnet", "new", "sln", "--name", "Generated", "--format", "sln", "--force"], cwd=out, check=True, capture_output=True)
    projects = [f"P{p}/P{p}.csproj" for p in range(count)]
    for start in range(0, count, 100):
        subprocess.run(["dotnet", "sln", "Generated.sln", "add", *projects[start:start + 100]], cwd=out, check=True, capture_output=True)


main()
