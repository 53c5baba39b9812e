# gridledger chaincode servers (CCaaS): registry-cc, metering-cc, trade-cc and
# kv-ccaas, built on the host by cargo (scripts/docker-images.sh copies them,
# stripped, into the build context's bin/). Each container runs one of them,
# configured by CHAINCODE_SERVER_ADDRESS, CHAINCODE_ID and the TLS variables.
# RUNTIME_IMAGE must carry the glibc the binaries were linked against (they
# are built on Debian bookworm) and bash for the health check.
ARG RUNTIME_IMAGE=debian:bookworm-slim
FROM ${RUNTIME_IMAGE}
# Lets scripts/docker-images.sh prune the images a rebuild replaced.
LABEL org.gridledger.image=chaincode
COPY bin/ /usr/local/bin/
# Not root. Compose runs the container as the invoking user instead, who owns
# the TLS key files in the run dir.
USER 10001:10001
# Healthy when the server accepts connections on its address.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "a=${CHAINCODE_SERVER_ADDRESS:?}; exec 3<>/dev/tcp/${a%:*}/${a##*:}"]
CMD ["registry-cc"]
