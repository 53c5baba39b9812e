# Local stand-in for the official hyperledger/fabric-peer, fabric-orderer and
# fabric-ca images, for machines with no image registry: the same binaries the
# native launcher runs (scripts/fabric-tools.sh), laid out as the official
# images are (binaries on PATH, sample config in /etc/hyperledger/fabric, the
# CCaaS builder in /opt/hyperledger/ccaas_builder). scripts/docker-local.sh
# prepares one build context per image, with only that node's files.
# BASE_IMAGE: a Debian with bash and jq (our CCaaS builder is bash and jq; the
# CA is linked against glibc).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
# Lets scripts/docker-images.sh prune the images a rebuild replaced.
LABEL org.gridledger.image=fabric-local
COPY bin/ /usr/local/bin/
COPY fabric/ /etc/hyperledger/fabric/
COPY ccaas_builder/ /opt/hyperledger/ccaas_builder/
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric
# No VOLUME lines: every start would leave an anonymous volume behind.
