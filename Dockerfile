# The miles ABCI application (no cometbft inside: the official cometbft/cometbft image of the
# version pinned in abci_app/versions.py runs beside it; see docker-compose.yml).
#
#   docker build -t miles-chain:local .
#   docker run --rm miles-chain:local --help
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid/gid: docker-compose.yml runs the cometbft containers as the same user, so both
# sides of a node can read and write the files the init step wrote.
ARG UID=10001
ARG GID=10001
RUN groupadd --system --gid "${GID}" miles \
    && useradd --system --uid "${UID}" --gid miles --home-dir /var/lib/miles --create-home miles

# The package and its pinned dependencies (pyproject.toml); every native dependency ships a
# manylinux wheel for CPython 3.11, so no compiler is needed.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY abci_app ./abci_app
RUN pip install . && rm -rf /src

USER miles
WORKDIR /var/lib/miles
# ABCI socket (or gRPC); the Ethereum JSON-RPC gateway will use 8545.
EXPOSE 26658
ENTRYPOINT ["miles"]
CMD ["--help"]
