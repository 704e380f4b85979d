namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// SIGTERM, as the kubelet sends it on a rollout, must not fail the review kube-apiserver is in the
/// middle of sending: the server stops taking connections but finishes the requests it has.
/// </summary>
public sealed class GracefulShutdownTests
{
    [Fact]
    public async Task A_request_in_flight_at_SIGTERM_is_answered_and_the_process_exits_0()
    {
        await using var server = await ServeProcess.StartWithExampleNamespaceAsync("admission-shutdown-");
        using var client = server.CreateClient();

        var review = Review.Example("deployment-update-denied");
        var body = Encoding.UTF8.GetBytes(review.Root.ToJsonString());
        var content = new GatedContent(body, split: body.Length / 2);
        var inFlight = client.PostAsync(new Uri("/validate", UriKind.Relative), content);

        // Half the body is on the wire when the process is told to stop; the rest follows after.
        await content.FirstHalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        var stopping = server.StopAsync();
        // Longer than System.CommandLine's own 2 s termination grace: the host's 25 s must apply.
        await Task.Delay(3000);
        Assert.False(server.HasExited, "the process exited with a request still being received");
        content.SendTheRest();

        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(review.Uid, (string)answer["response"]!["uid"]!);
        Assert.False((bool)answer["response"]!["allowed"]!);

        await stopping;
        Assert.True(server.HasExited);
        Assert.Equal(0, server.ExitCode);
    }

    /// <summary>A request body sent in two parts, the second only when the test says so.</summary>
    private sealed class GatedContent : HttpContent
    {
        private readonly byte[] _body;
        private readonly int _split;
        private readonly TaskCompletionSource _firstHalf = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GatedContent(byte[] body, int split)
        {
            _body = body;
            _split = split;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            Headers.ContentLength = body.Length;
        }

        public Task FirstHalfSent => _firstHalf.Task;

        public void SendTheRest() => _rest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_body.AsMemory(0, _split));
            await stream.FlushAsync();
            _firstHalf.TrySetResult();
            await _rest.Task;
            await stream.WriteAsync(_body.AsMemory(_split));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }
    }
}
