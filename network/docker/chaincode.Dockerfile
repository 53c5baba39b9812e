# gridledger chaincode servers (CCaaS): registry-cc, metering-cc, trade-cc,
# certificates-cc, flexibility-cc and kv-ccaas, built on the host by scripts/docker-images.sh as static binaries
# (glibc linked in) into the build context's bin/. Each container runs one of
# them, configured by CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID and the TLS
# variables (PEM paths in a mounted directory, or the PEM itself).
#
# The base is scratch because the servers need nothing from a filesystem: no
# shared libraries, no /etc/passwd (the user is numeric), no CA bundle (TLS
# roots come from the environment), no NSS (the listen address is an IP, never
# a name to resolve). RUNTIME_IMAGE may name any Linux image instead, say a
# Debian one to have a shell for debugging. No RUN step: builds need no network.
ARG RUNTIME_IMAGE=scratch
FROM ${RUNTIME_IMAGE}
# Lets scripts/docker-images.sh prune the images a rebuild replaced.
LABEL org.gridledger.image=chaincode
COPY bin/ /usr/local/bin/
# Not root. Compose runs the container as the invoking user instead, who owns
# the TLS key files in the run dir.
USER 10001:10001
# Healthy when the server accepts connections on its CHAINCODE_SERVER_ADDRESS.
# The binary checks it itself (gridledger-shim's `healthcheck`, no shell
# needed); any of the four checks whichever server the container runs, since
# the address comes from the container's environment.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/registry-cc", "healthcheck"]
CMD ["registry-cc"]
