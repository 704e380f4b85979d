namespace Admission.Kubernetes;

/// <summary>One metav1.StatusCause: its reason (FieldValueInvalid...), field path and message.</summary>
public sealed record StatusCause(string Reason, string Field, string Message);
