# The Go reference kv chaincode (tests/go-reference, fabric-chaincode-go v2)
# packaged the way our chaincode image is (static binary on scratch,
# non-root), only so that scripts/bench-images.sh can compare image size and
# container memory side by side (BENCHMARKS.md). Not shipped.
FROM scratch
LABEL org.gridledger.image=go-reference
COPY kv-go /usr/local/bin/kv-go
USER 10001:10001
CMD ["kv-go"]
