# The miles ABCI application (no cometbft inside: a cometbft image of the version pinned in
# abci_app/versions.py runs beside it; see docker-compose.yml).
#
#   docker build -t miles-chain:local .
#   docker run --rm miles-chain:local --help
#
# BASE_IMAGE is any Debian-like image with python3 (3.11) and its venv module: the official
# python:3.11-slim by default; scripts/compose_local.sh passes a Debian bookworm image it builds
# itself where Docker Hub cannot be reached.
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/miles/bin:$PATH

# A fixed uid/gid: docker-compose.yml runs the cometbft containers as the same user, so both
# sides of a node can read and write the files the init step wrote.
ARG UID=10001
ARG GID=10001
RUN groupadd --system --gid "${GID}" miles \
    && useradd --system --uid "${UID}" --gid miles --home-dir /var/lib/miles --create-home miles

# The package and its pinned dependencies (pyproject.toml) in a virtual environment (a Debian
# python3 refuses installs into the system's site-packages, PEP 668); every native dependency
# ships a manylinux wheel for CPython 3.11, so no compiler is needed. From PyPI, unless the
# context holds build/wheelhouse (`pip wheel` on the host, by scripts/compose_local.sh): then
# from those wheels alone, so the build needs no network. The wildcards keep the COPY valid when
# there is no build/ or no wheelhouse in it, with the classic builder and with BuildKit (which
# refuses a missing plain folder before a wildcard); pyproject.toml gives it a source that always
# exists.
WORKDIR /src
COPY pyproject.toml README.md ./
COPY abci_app ./abci_app
COPY pyproject.toml buil[d]/wheelhous[e] /wheels/
RUN python3 -m venv /opt/miles \
    && if ls /wheels/*.whl >/dev/null 2>&1; then set -- --no-index --find-links /wheels; fi \
    && pip install "$@" . && rm -rf /src /wheels

# What the explorer serves besides its own files (abci_app/explorer/server.py): the precompiles'
# interfaces and the three library files it uses as their packages ship them (scripts/bootstrap.sh
# installs them on the host from contracts/package-lock.json before an image is built). Without
# contracts/node_modules the image still builds (the wildcard matches nothing; pyproject.toml keeps
# the COPY valid, as above) and its explorer answers 404 for those three files.
COPY contracts/build/I*.json /opt/miles/explorer/abi/
COPY pyproject.toml contracts/node_module[s]/ethers/dist/ethers.min.js \
     contracts/node_module[s]/topojson-client/dist/topojson-client.min.js \
     contracts/node_module[s]/world-atlas/land-110m.json /opt/miles/explorer/vendor/
ENV MILES_EXPLORER_ASSETS=/opt/miles/explorer

USER miles
WORKDIR /var/lib/miles
# ABCI socket (or gRPC); the Ethereum JSON-RPC gateway uses 8545.
EXPOSE 26658 8545
ENTRYPOINT ["miles"]
CMD ["--help"]
