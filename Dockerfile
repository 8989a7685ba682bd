# credsync consumer image: build the runnable jar with Maven on JDK 17, then run it on a JRE 17
# as a non-root user.
#
#   docker build -t credsync .
#   docker run --rm -p 9464:9464 -e CREDSYNC_DATABASE_HOST=... -e CREDSYNC_DB_PASSWORD=... credsync
#   docker run --rm -v "$PWD/credsync.yaml:/etc/credsync/credsync.yaml:ro" \
#       -e CREDSYNC_CONFIG=/etc/credsync/credsync.yaml -e CREDSYNC_DB_PASSWORD=... credsync
#
# Configuration is 12-factor: every setting can come from a CREDSYNC_<SECTION>_<KEY> variable
# (see config/credsync.yaml); a YAML file is optional, named by CREDSYNC_CONFIG or by
# `--config FILE` after the image name (arguments after the image go to `credsync run`).
# Pin the base images by digest in production: --build-arg BUILD_IMAGE=maven@sha256:...
ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=eclipse-temurin:17-jre-noble

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first, in a layer of their own, so that a source change does not download them again.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY sql sql
COPY src src
RUN mvn -B -q -Dmaven.test.skip=true package \
    && test -f target/credsync.jar
# The RDS certificate bundle, so that database.ssl_mode verify-full works against RDS and Aurora
# (PgJDBC reads ~/.postgresql/root.crt by default). Build with --build-arg RDS_CA_BUNDLE_URL=
# to leave it out, e.g. for a database that is not on RDS; mount your own CA there instead.
ARG RDS_CA_BUNDLE_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem
RUN mkdir -p /out/.postgresql \
    && if [ -n "${RDS_CA_BUNDLE_URL}" ]; then \
        curl -fsSL --retry 3 -o /out/.postgresql/root.crt "${RDS_CA_BUNDLE_URL}" \
        && grep -q 'BEGIN CERTIFICATE' /out/.postgresql/root.crt; \
    fi

FROM ${RUNTIME_IMAGE}
# A system user without a login shell; its home, /app, holds the jar and the CA bundle, both
# owned by root so that the process cannot change them.
RUN groupadd --system --gid 10001 credsync \
    && useradd --system --uid 10001 --gid credsync --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin credsync
WORKDIR /app
COPY --from=build /out/.postgresql /app/.postgresql
COPY --from=build /src/target/credsync.jar /app/credsync.jar
USER 10001:10001
# /metrics (Prometheus), /health/live and /health/ready: metrics.port, 9464 unless changed.
EXPOSE 9464
# The image's own check, for docker and compose (ECS ignores it: the task definition in
# deploy/cloudformation repeats it). It asks /health/live, not /health/ready: a standby waiting
# for the replication slot is alive but not ready, and must not be restarted for that.
# Plain bash with /dev/tcp, no curl or wget: the JRE base image carries those only "for
# historical reasons" and may drop them, while bash is part of every Ubuntu or Debian base.
# It follows CREDSYNC_METRICS_PORT when that variable moves the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/bin/bash", "-c", "exec 3<>\"/dev/tcp/127.0.0.1/${CREDSYNC_METRICS_PORT:-9464}\" && printf 'GET /health/live HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == HTTP/1.[01]' 200 '* ]]"]
# Exec form: java is PID 1 and gets SIGTERM itself; credsync then finishes or abandons the
# delivery in progress, confirms what is done and exits 0 within 10 s (give the orchestrator's
# stop timeout at least that). The heap follows the container's memory limit; an
# OutOfMemoryError ends the process so that the orchestrator restarts it rather than leaving a
# half-working one. The consumer is a small service that mostly waits on the network: the C1
# compiler alone (TieredStopAtLevel=1) and the serial collector cost less CPU than C2's warm-up
# and G1's threads, which on a small task compete with the work itself (JFR showed C2 compiling
# for about 11 s of CPU in a fresh consumer's first 26 s of a burst; start-up to ready went from
# 2.0-2.7 s to 1.5-1.8 s on 2 cores; end-to-end lag did not change). Tests and benchmarks run
# the consumer with the same options. -XX:-UsePerfData: the JVM's performance counters (for
# jstat) are sampled 20 times a second, the largest part of an idle consumer's CPU once
# credsync itself sleeps. Add JVM options with JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-jar", "/app/credsync.jar", "run"]
