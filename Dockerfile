# syntax=docker/dockerfile:1
# The admission webhook image: built with the .NET SDK, published self-contained and run on the
# chiseled runtime-deps image (no shell, no package manager, no .NET of its own: the app carries
# its runtime), as a non-root user, with only the published app.
#
#   docker build -t admission:0.1.0 .
#   docker run --rm admission:0.1.0 --help

# The SDK runs on the builder's own platform and compiles for the target's: ReadyToRun code is
# cross-compiled, so an arm64 image needs no emulated build. TARGETARCH (amd64, arm64) is set by
# BuildKit from --platform; `-a` takes Docker's names (amd64 is the SDK's x64).
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src

# Restore first, from the project files alone, so the package layer is cached across code changes.
COPY Directory.Build.props ./
COPY src/Policies/Admission.Policies.csproj src/Policies/
COPY src/Kubernetes/Admission.Kubernetes.csproj src/Kubernetes/
COPY src/Operator/Admission.Operator.csproj src/Operator/
COPY src/Operator/ReadyToRunComposite.targets src/Operator/
# For the runtime identifier, the runtime packs and ReadyToRun of the publish below (the publish
# does not restore again).
RUN dotnet restore src/Operator/Admission.Operator.csproj -a $TARGETARCH -p:PublishReadyToRun=true -p:SelfContained=true

COPY src/ src/
# Self-contained, ReadyToRun for the target architecture, the app and the framework assemblies it
# loads compiled ahead as one composite image (src/Operator/ReadyToRunComposite.targets): start-up
# runs code compiled ahead, the framework's generic code over the app's types included, instead of
# the JIT's (docs/performance.md, "Start-up"). UseAppHost gives /app/admission.
RUN dotnet publish src/Operator/Admission.Operator.csproj -c Release -a $TARGETARCH -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o /app --self-contained -p:UseAppHost=true --no-restore

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./

# 65532 is the non-root UID the Helm chart runs as (runAsUser/runAsGroup 65532, runAsNonRoot).
# Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
USER 65532:65532
# The root filesystem is read-only in the cluster: .NET writes its temporary files (and anything
# it keeps under HOME) in /tmp, which the chart mounts as an emptyDir. UID 65532 has no home.
ENV TMPDIR=/tmp \
    HOME=/tmp \
    DOTNET_gcServer=0
EXPOSE 8443
ENTRYPOINT ["/app/admission"]
CMD ["serve"]
