namespace Admission.Policies; public static class Placeholder {}
