# The runtime image of ls-workbench: what `ls-workbench deploy` runs in every pod
# (`python -m kernel_runtime run /app --agent ID` and the gateway).
#
#   docker build -t ls-workbench:0.1.0 .
#   ls-workbench deploy APP_DIR -i kafka-instance.yaml --image <registry>/ls-workbench:0.1.0
#
# Small base, the project installed as a package (no source tree at run time), a non-root
# user whose id matches the pods' securityContext (runAsUser/fsGroup 10000).
# Not built in this project's CI: no container engine runs on its machines.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kernel_runtime ./kernel_runtime
COPY ls_workbench ./ls_workbench
RUN python -m pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LS_WORKBENCH_STATE_DIR=/state
COPY --from=build /install /usr/local
RUN groupadd --gid 10000 langstream \
    && useradd --uid 10000 --gid 10000 --no-create-home --home-dir /app --shell /usr/sbin/nologin langstream \
    && mkdir -p /app /state /deps \
    && chown 10000:10000 /state /deps
USER 10000:10000
WORKDIR /app
EXPOSE 8080 8091
ENTRYPOINT ["python", "-m", "kernel_runtime"]
CMD ["--help"]
