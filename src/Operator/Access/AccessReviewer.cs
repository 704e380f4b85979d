using Admission.Policies;
using k8s;
using k8s.Models;

namespace Admission.Operator.Access;

/// <summary>Asks kube-apiserver whether a user may do something (contract section 3, approverVerb).</summary>
public interface IAccessReviewer
{
    /// <summary>Null when there is nobody to ask (local mode): groups alone decide.</summary>
    Task<AccessAnswer?> CanAsync(UserInfo user, string verb, string ns, CancellationToken cancellationToken);
}

/// <summary>Local mode and tests: no API server, so no answer.</summary>
public sealed class NoAccessReviewer : IAccessReviewer
{
    public Task<AccessAnswer?> CanAsync(UserInfo user, string verb, string ns, CancellationToken cancellationToken) =>
        Task.FromResult<AccessAnswer?>(null);
}

/// <summary>A SubjectAccessReview for the requesting user on changeapprovals in the namespace.</summary>
public sealed partial class SubjectAccessReviewer(IKubernetes client, ILogger<SubjectAccessReviewer> logger) : IAccessReviewer
{
    public async Task<AccessAnswer?> CanAsync(UserInfo user, string verb, string ns, CancellationToken cancellationToken)
    {
        var review = new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Username,
                Groups = [.. user.Groups],
                ResourceAttributes = new V1ResourceAttributes
                {
                    Group = Policies.Model.ChangeApproval.Group,
                    Resource = Policies.Model.ChangeApproval.Plural,
                    Verb = verb,
                    NamespaceProperty = ns,
                },
            },
        };
        try
        {
            var answer = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(review, cancellationToken: cancellationToken).ConfigureAwait(false);
            var allowed = answer.Status?.Allowed == true && answer.Status.Denied != true;
            return new AccessAnswer(allowed, allowed ? null : answer.Status?.Reason is { Length: > 0 } r ? r : "no RBAC rule allows it");
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // Fail closed: an approval that cannot be checked is not accepted.
            LogFailed(logger, user.Username, verb, ns, e.Message);
            return new AccessAnswer(false, $"the SubjectAccessReview could not be made ({e.Message}); retry shortly");
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "approverVerb check failed user={User} verb={Verb} namespace={Namespace}: {Error}")]
    private static partial void LogFailed(ILogger logger, string user, string verb, string @namespace, string error);
}
