# credsync consumer image: build the runnable jar with Maven on Debian's JDK 17, then run it on
# Debian's JRE 17 as a non-root user.
#
#   docker build -t credsync .
#   docker run --rm -p 9464:9464 -e CREDSYNC_DATABASE_HOST=... -e CREDSYNC_DB_PASSWORD=... credsync
#   docker run --rm -v "$PWD/credsync.yaml:/etc/credsync/credsync.yaml:ro" \
#       -e CREDSYNC_CONFIG=/etc/credsync/credsync.yaml -e CREDSYNC_DB_PASSWORD=... credsync
#
# Configuration is 12-factor: every setting can come from a CREDSYNC_<SECTION>_<KEY> variable
# (see config/credsync.yaml); a YAML file is optional, named by CREDSYNC_CONFIG or by
# `--config FILE` after the image name (arguments after the image go to `credsync run`).
#
# Both stages start from Debian's slim image, the one base image this needs: Debian's OpenJDK
# gets Debian's security updates, and a machine without a container registry can make that one
# image itself (scripts/lib/docker.sh does, with debootstrap). Pin it by digest in production:
# --build-arg BASE_IMAGE=debian@sha256:...
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
# Behind a proxy that intercepts TLS, Maven (and the RDS bundle's download) must trust the
# proxy's CA: put its PEM bundle in docker/extra-ca/ (*.crt, kept out of git). The build stage
# alone trusts it; the runtime image never sees it.
COPY docker/extra-ca/ /tmp/extra-ca/
# Versions are not pinned: the suite's current packages carry its security fixes, and an exact
# version disappears from the mirror with the next point release.
# hadolint ignore=DL3008
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && for bundle in /tmp/extra-ca/*.crt; do \
        [ -f "$bundle" ] || continue; \
        awk -v out=/usr/local/share/ca-certificates/extra "/BEGIN CERTIFICATE/ { n++; f = out n \".crt\" } \
            f { print > f } /END CERTIFICATE/ { close(f); f = \"\" }" "$bundle"; \
    done \
    && update-ca-certificates >/dev/null \
    && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, in a layer of their own, so that a source change does not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY sql sql
COPY src src
RUN mvn -B -q -Dmaven.test.skip=true package \
    && test -f target/credsync.jar
# The RDS certificate bundle, so that database.ssl_mode verify-full works against RDS and Aurora
# (PgJDBC reads ~/.postgresql/root.crt by default). It is fetched from AWS at build time, so an
# image carries the bundle of its build day, and only when AWS can be reached: without it (no
# internet, as in CI; or --build-arg RDS_CA_BUNDLE_URL= for a database that is not on RDS) the
# image has no root.crt, the build says so, and verify-full fails at start with PgJDBC's
# "Could not open SSL root certificate file" until one is mounted at /app/.postgresql/root.crt.
ARG RDS_CA_BUNDLE_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
RUN mkdir -p /out/.postgresql \
    && if [ -z "${RDS_CA_BUNDLE_URL}" ]; then \
        echo "RDS CA bundle: left out (RDS_CA_BUNDLE_URL is empty)"; \
    elif curl -fsSL --retry 2 --connect-timeout 10 --max-time 60 -o /tmp/rds-ca.pem "${RDS_CA_BUNDLE_URL}" \
        && grep -q 'BEGIN CERTIFICATE' /tmp/rds-ca.pem; then \
        mv /tmp/rds-ca.pem /out/.postgresql/root.crt \
        && echo "RDS CA bundle: $(grep -c 'BEGIN CERTIFICATE' /out/.postgresql/root.crt) certificates from ${RDS_CA_BUNDLE_URL}"; \
    else \
        echo "WARNING: RDS CA bundle: ${RDS_CA_BUNDLE_URL} cannot be reached; the image has none"; \
    fi

FROM ${BASE_IMAGE}
# (A slim base has no /usr/share/man, where the JRE's package links its manual pages.)
# hadolint ignore=DL3008
RUN mkdir -p /usr/share/man/man1 \
    && apt-get update \
    && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 credsync \
    && useradd --system --uid 10001 --gid credsync --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin credsync
# A system user without a login shell; its home, /app, holds the jar and the CA bundle, both
# owned by root so that the process cannot change them.
WORKDIR /app
COPY --from=build /out/.postgresql /app/.postgresql
COPY --from=build /src/target/credsync.jar /app/credsync.jar
USER 10001:10001
# /metrics (Prometheus), /health/live and /health/ready: metrics.port, 9464 unless changed.
EXPOSE 9464
# The image's own check, for docker and compose (ECS ignores it: the task definition in
# deploy/cloudformation repeats it). It asks /health/live, not /health/ready: a standby waiting
# for the replication slot is alive but not ready, and must not be restarted for that.
# Plain bash with /dev/tcp, no curl or wget, which the runtime image does not carry.
# It follows CREDSYNC_METRICS_PORT when that variable moves the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/bin/bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${CREDSYNC_METRICS_PORT:-9464}\" && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == HTTP/1.[01]' 200 '* ]]"]
# Exec form: java is PID 1 and gets SIGTERM itself; credsync then finishes or abandons the
# delivery in progress, confirms what is done and exits 0 within 10 s, one deadline shared by
# every part of its shutdown (give the orchestrator's stop timeout at least that). The heap follows the container's memory limit; an
# OutOfMemoryError ends the process so that the orchestrator restarts it rather than leaving a
# half-working one. The consumer is a small service that mostly waits on the network, with one
# hot loop: the login check's SCRAM key derivation (4,096 rounds of HMAC-SHA-256 per event), 6 to
# 9 ms of CPU compiled by C1 and under 1 ms by C2, which uses the CPU's SHA instructions. C2
# for everything costs more than it saves (JFR showed it compiling for about 11 s of CPU in a
# fresh consumer's first 26 s of a burst), so C2's thresholds (Tier4*) are raised about 20-fold:
# only code run hundreds of thousands of times, the hashing and the JDK's busiest methods, gets
# C2, and the rest stays with C1; one C2 thread. The rest of an event's code (the AWS SDK's
# request pipeline above all) runs once or a few times per event, so with the JVM's usual
# thresholds it stays in the interpreter for hundreds of events, longer while C1's queue is
# long: CompileThresholdScaling=0.1 has C1 compile after a tenth of the calls (C2's thresholds
# are given ten times higher, so that they stay where they were). In the e2e-lag benchmark that
# cut CPU per verified event after 201 changes from 18.6 to 13.4 ms, side by side in one run; see
# docs/benchmarks.md. The serial collector costs less than G1's threads, which on a
# small task compete with the work itself. Tests and benchmarks run
# the consumer with the same options. -XX:-UsePerfData: the JVM's performance counters (for
# jstat) are sampled 20 times a second, the largest part of an idle consumer's CPU once
# credsync itself sleeps. Add JVM options with JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:CICompilerCount=2", "-XX:CompileThresholdScaling=0.1", "-XX:Tier4InvocationThreshold=1000000", "-XX:Tier4MinInvocationThreshold=120000", "-XX:Tier4CompileThreshold=3000000", "-XX:Tier4BackEdgeThreshold=8000000", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-jar", "/app/credsync.jar", "run"]
