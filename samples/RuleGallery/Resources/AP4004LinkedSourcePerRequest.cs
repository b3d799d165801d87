using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RuleGallery.Resources;

// AP4004: a linked token source per request in a minimal-API handler, never disposed.
public static class ReportEndpoints
{
    public static void MapReports(IEndpointRouteBuilder endpoints)
    {
        // Pitfall: every request leaves its source behind: a timer that keeps running after the response, and a
        // registration on RequestAborted that keeps the source alive as long as that token's source lives.
        endpoints.MapGet("/reports/{id}", async (string id, HttpContext context) =>
        {
            var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted); // AP4004
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            return await RenderAsync(id, deadline.Token);
        });

        // Correct twin.
        endpoints.MapGet("/summaries/{id}", async (string id, HttpContext context) =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            deadline.CancelAfter(TimeSpan.FromSeconds(5));
            return await RenderAsync(id, deadline.Token);
        });
    }

    private static Task<string> RenderAsync(string id, CancellationToken cancellationToken)
        => Task.FromResult(id);
}
