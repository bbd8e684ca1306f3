# A stand-in for the official cometbft/cometbft image where Docker Hub cannot be reached: the
# pinned binary that scripts/install_cometbft.sh built (bin/cometbft) on a local base image.
# It keeps what docker-compose.yml uses of the official one: the binary at /usr/bin/cometbft (the
# cometbft-binary service copies it), `cometbft` as the entrypoint, /cometbft as the home.
# Unlike the official image it never writes a default home: compose's init step writes them.
#
#   docker build -f scripts/cometbft.Dockerfile --build-arg BASE_IMAGE=<image> -t <tag> bin/
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ENV CMTHOME=/cometbft
COPY cometbft /usr/bin/cometbft
WORKDIR /cometbft
EXPOSE 26656 26657 26660
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/cometbft"]
CMD ["node"]
